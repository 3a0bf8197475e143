// The signals that end a command which holds or watches a segment (attach, watch), and the
// stop conditions (those signals plus a deadline) that every blocking step of such a command
// honours: waiting for the next tick, copying a large region, writing to a full pipe.
#pragma once

#include <signal.h>
#include <ctime>

#include <chrono>
#include <optional>

namespace shmkit {

/// A duration as a timespec for ppoll(2) and sigtimedwait(2); negative durations become 0.
struct timespec to_timespec(std::chrono::nanoseconds d) noexcept;

/// SIGINT, SIGTERM and SIGHUP, blocked on construction so that they are taken synchronously by
/// wait() and never interrupt the work in between (no handler runs inside a guarded copy).
/// A signal that was ignored when the process started (nohup, a background job of a
/// non-interactive shell) stays ignored, as with most Unix tools. The mask is not restored:
/// unblocking a pending signal would kill the process after it decided how to exit.
class StopSignals {
public:
  StopSignals() noexcept;
  ~StopSignals();
  StopSignals(const StopSignals &) = delete;
  StopSignals &operator=(const StopSignals &) = delete;

  /// Waits up to `timeout` (at least 0) for one of the signals. Returns its number, or 0 when
  /// the time passed or the wait was interrupted by another signal.
  int wait(std::chrono::nanoseconds timeout) const noexcept;

  /// A signalfd(2) that is readable while one of the signals is pending, for poll(2); -1 when
  /// none could be made (then poll in slices and call wait(0) between them).
  int fd() const noexcept { return m_fd; }

private:
  sigset_t m_set;
  int m_fd = -1;
};

/// SIGINT, SIGTERM and SIGHUP held back while a change that must not be cut in half is made
/// (write copying its bytes into a segment): blocked on construction, those not ignored at
/// start, with no fd needed. The destructor restores the previous mask, so a signal that came
/// meanwhile is delivered then and ends the process as it would have, after the change is
/// whole. SIGKILL cannot be held back (shmkit(1) SAFETY NOTES).
class HeldSignals {
public:
  HeldSignals() noexcept;
  ~HeldSignals();
  HeldSignals(const HeldSignals &) = delete;
  HeldSignals &operator=(const HeldSignals &) = delete;

  /// Whether one of the held signals came (it is delivered when this object goes away).
  bool pending() const noexcept;

private:
  sigset_t m_held;
  sigset_t m_previous;
};

/// Why a Stopper says stop.
enum class StopReason {
  none,     ///< not (yet) due
  signal,   ///< one of the StopSignals arrived
  deadline, ///< the deadline passed
};

/// The stop conditions of a command that runs until stopped: its StopSignals and an optional
/// deadline (steady clock). Long operations ask due() between their steps, and output that
/// cannot be written waits in wait_writable() instead of blocking in write(2). Once due, it
/// stays due (a taken signal is remembered, not lost).
class Stopper {
public:
  using Clock = std::chrono::steady_clock;

  explicit Stopper(const StopSignals &signals,
                   std::optional<Clock::time_point> deadline = std::nullopt) noexcept
      : m_signals(signals), m_deadline(deadline) {}

  /// True once a stop signal was taken (a pending one is taken now) or the deadline passed.
  /// Costs one system call while not due.
  bool due() noexcept;
  /// Waits until `until` (or the deadline, whichever is first) for a stop signal. Returns
  /// due().
  bool wait_until(Clock::time_point until) noexcept;
  /// Waits with poll(2) until `fd` can take a write (POLLOUT) or a stop is due. Returns true
  /// when it can be written (or poll reports an error or hang-up, which the write then
  /// reports), false when a stop is due.
  bool wait_writable(int fd) noexcept;

  StopReason reason() const noexcept { return m_reason; }
  /// The signal taken (reason() == signal), else 0.
  int signal() const noexcept { return m_signal; }
  std::optional<Clock::time_point> deadline() const noexcept { return m_deadline; }

private:
  bool take(int sig) noexcept;

  const StopSignals &m_signals;
  std::optional<Clock::time_point> m_deadline;
  StopReason m_reason = StopReason::none;
  int m_signal = 0;
};

} // namespace shmkit
