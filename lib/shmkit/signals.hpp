// The signals that end a command which holds or watches a segment (attach, watch).
#pragma once

#include <signal.h>

#include <chrono>

namespace shmkit {

/// SIGINT, SIGTERM and SIGHUP, blocked on construction so that they are taken synchronously by
/// wait() and never interrupt the work in between (no handler runs inside a guarded copy).
/// A signal that was ignored when the process started (nohup, a background job of a
/// non-interactive shell) stays ignored, as with most Unix tools. The mask is not restored:
/// unblocking a pending signal would kill the process after it decided how to exit.
class StopSignals {
public:
  StopSignals() noexcept;

  /// Waits up to `timeout` (at least 0) for one of the signals. Returns its number, or 0 when
  /// the time passed or the wait was interrupted by another signal.
  int wait(std::chrono::nanoseconds timeout) const noexcept;

private:
  sigset_t m_set;
};

} // namespace shmkit
