#include "shmkit/signals.hpp"

#include <ctime>

namespace shmkit {

StopSignals::StopSignals() noexcept {
  sigemptyset(&m_set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN)
      continue;
    sigaddset(&m_set, sig);
  }
  ::sigprocmask(SIG_BLOCK, &m_set, nullptr);
}

int StopSignals::wait(std::chrono::nanoseconds timeout) const noexcept {
  if (timeout.count() < 0)
    timeout = std::chrono::nanoseconds(0);
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  int sig = ::sigtimedwait(&m_set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

} // namespace shmkit
