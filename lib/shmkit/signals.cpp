#include "shmkit/signals.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace shmkit {

namespace {

// Without a signalfd, poll(2) cannot see a blocked signal arrive: poll in slices this long and
// look for pending signals between them.
constexpr std::chrono::milliseconds k_signal_slice{20};

// The stop signals that were not ignored when the process started (nohup, a background job
// of a non-interactive shell): those stay ignored, as with most Unix tools.
sigset_t stop_signal_set() noexcept {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN)
      continue;
    sigaddset(&set, sig);
  }
  return set;
}

} // namespace

struct timespec to_timespec(std::chrono::nanoseconds d) noexcept {
  if (d.count() < 0)
    d = std::chrono::nanoseconds(0);
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(d.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(d.count() % 1'000'000'000);
  return ts;
}

StopSignals::StopSignals() noexcept {
  m_set = stop_signal_set();
  ::sigprocmask(SIG_BLOCK, &m_set, nullptr);
  // Readable while one of the signals is pending; nothing is read from it (wait() takes them).
  m_fd = ::signalfd(-1, &m_set, SFD_CLOEXEC | SFD_NONBLOCK);
}

StopSignals::~StopSignals() {
  if (m_fd >= 0)
    ::close(m_fd);
}

int StopSignals::wait(std::chrono::nanoseconds timeout) const noexcept {
  struct timespec ts = to_timespec(timeout);
  int sig = ::sigtimedwait(&m_set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

HeldSignals::HeldSignals() noexcept : m_held(stop_signal_set()) {
  ::sigprocmask(SIG_BLOCK, &m_held, &m_previous);
}

HeldSignals::~HeldSignals() { ::sigprocmask(SIG_SETMASK, &m_previous, nullptr); }

bool HeldSignals::pending() const noexcept {
  sigset_t now;
  if (::sigpending(&now) != 0)
    return false;
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    if (sigismember(&m_held, sig) == 1 && sigismember(&now, sig) == 1)
      return true;
  return false;
}

bool Stopper::take(int sig) noexcept {
  m_reason = StopReason::signal;
  m_signal = sig;
  return true;
}

bool Stopper::due() noexcept {
  if (m_reason != StopReason::none)
    return true;
  if (int sig = m_signals.wait(std::chrono::nanoseconds(0)); sig != 0)
    return take(sig);
  if (m_deadline && Clock::now() >= *m_deadline) {
    m_reason = StopReason::deadline;
    return true;
  }
  return false;
}

bool Stopper::wait_until(Clock::time_point until) noexcept {
  if (m_deadline && *m_deadline < until)
    until = *m_deadline;
  for (;;) {
    if (m_reason != StopReason::none)
      return true;
    auto now = Clock::now();
    if (now >= until)
      return due();
    if (int sig = m_signals.wait(until - now); sig != 0)
      return take(sig);
  }
}

bool Stopper::wait_writable(int fd) noexcept {
  for (;;) {
    if (due())
      return false;
    struct pollfd fds[2] = {{fd, POLLOUT, 0}, {m_signals.fd(), POLLIN, 0}};
    const nfds_t count = m_signals.fd() >= 0 ? 2 : 1;
    std::optional<std::chrono::nanoseconds> left;
    if (m_deadline)
      left = *m_deadline - Clock::now();
    if (count == 1 && (!left || *left > k_signal_slice))
      left = k_signal_slice;
    struct timespec ts {};
    if (left)
      ts = to_timespec(*left);
    int ready = ::ppoll(fds, count, left ? &ts : nullptr, nullptr);
    if (ready < 0 && errno != EINTR && errno != EAGAIN)
      return true; // let the write report what is wrong
    if (ready > 0 && fds[0].revents != 0)
      return true; // POLLOUT, or POLLERR/POLLHUP/POLLNVAL, which the write reports
    // A signal is pending, the deadline passed, or a slice ended: due() says which.
  }
}

} // namespace shmkit
