// ls --watch: the set of segments, live (shmkit-ls(1) WATCHING). A SetWatcher lists the
// segments once, then reports what changed: kinds with a directory of entries (POSIX objects in
// /dev/shm, named files) through inotify(7), at once; the others (SysV: the kernel tells
// nobody) by listing again at each interval, with the cheap listing (ListNeeds), and comparing.
#pragma once

#include "shmkit/backend.hpp"
#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"
#include "shmkit/signals.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace shmkit {

/// What happened to a segment of the set.
enum class SetEvent : std::uint8_t {
  created,  ///< it appeared (or its name now names another object: removed, then created)
  removed,  ///< it is gone
  marked,   ///< SysV IPC_RMID while attached: it stays until the last detach (SHM_DEST)
  attached, ///< NATTCH went up (to SegmentInfo::nattch)
  detached, ///< NATTCH went down
  resized,  ///< its size changed (POSIX, file: ftruncate)
  chmod,    ///< its permission bits changed
  chown,    ///< its owner or group changed
};

/// "created", "removed", "marked", "attached", "detached", "resized", "chmod", "chown".
const char *set_event_name(SetEvent event);

/// One change of the set.
struct SetChange {
  SetEvent event = SetEvent::created;
  SegmentInfo info;                  ///< the segment after the change (removed: as last seen)
  std::optional<SegmentInfo> before; ///< before it (nullopt for created)
};

/// Whether two states of one address are the same segment: the same device and inode (POSIX,
/// file) and the same creator pid (SysV). Pure.
bool same_segment(const SegmentInfo &a, const SegmentInfo &b);

/// Appends the events that lead from `before` to `after` (the same segment), in this order:
/// chmod, chown, resized, attached or detached (one, however far NATTCH moved), marked. Pure.
void diff_segment(const SegmentInfo &before, const SegmentInfo &after, std::vector<SetChange> &out);

/// What a SetWatcher watches.
struct SetWatchOptions {
  /// The kinds listed (only kinds listed by default; empty: all of those). Ignored with refs.
  std::vector<Kind> kinds;
  /// Named segments: watch these (however they come and go) instead of the listings.
  std::vector<SegmentRef> refs;
  /// How often kinds without a watch directory are listed again.
  std::chrono::milliseconds interval{1000};
  ListNeeds needs{false};
  Paths paths;
};

/// Watches a set of segments: start() lists it, next() waits for changes and reports them.
class SetWatcher {
public:
  /// Sets up inotify(7) on the watch directories (Backend::watch_dir), then lists. A named
  /// segment that does not exist is not an error: it is absent until it appears. Fails with
  /// io or permission_denied (a listing, a named segment), or as parse_address/ftok.
  static Result<std::unique_ptr<SetWatcher>> start(SetWatchOptions options);
  ~SetWatcher();
  SetWatcher(const SetWatcher &) = delete;
  SetWatcher &operator=(const SetWatcher &) = delete;

  /// The segments listed by start(), in listing order.
  const std::vector<SegmentInfo> &initial() const { return m_initial; }
  /// What the listings worked around, and directories inotify could not watch (polled
  /// instead), each once, since the last call; messages without a prefix.
  std::vector<std::string> take_warnings();
  /// Waits for the next changes and returns them; empty once `stop` is due (its reason() says
  /// why). `signal_fd` is the StopSignals::fd() of `stop` (-1: stop signals are looked for
  /// every 20 ms). Fails as start(), when a listing fails.
  Result<std::vector<SetChange>> next(Stopper &stop, int signal_fd);

private:
  using Clock = std::chrono::steady_clock;
  struct Source {
    Backend *backend = nullptr;
    std::vector<SegmentRef> refs; ///< empty: the backend's listing
    std::string dir;              ///< watch directory; empty: listed at each interval
    int wd = -1;                  ///< inotify watch descriptor, -1: polled
    bool dirty = false;           ///< inotify reported a change since the last refresh
  };
  struct Known {
    SegmentInfo info;
    std::size_t source = 0;
    std::uint64_t generation = 0;
  };

  explicit SetWatcher(SetWatchOptions options);
  Result<void> set_up();
  void add_watch(Source &source);
  /// Reads what inotify has; marks sources dirty.
  void drain_inotify();
  /// Lists source `s` again and appends what changed since (first: nothing, records it).
  Result<void> refresh(std::size_t s, std::vector<SetChange> *out);
  Result<void> collect(std::size_t s, std::vector<SegmentInfo> &now);
  void warn(std::string message);

  SetWatchOptions m_options;
  BackendSet m_backends;
  std::vector<Source> m_sources;
  std::unordered_map<std::string, Known> m_known; ///< by SegmentInfo::segment
  std::vector<SegmentInfo> m_initial;
  std::vector<std::string> m_warnings;
  std::vector<std::string> m_warned; ///< every warning given, so each is given once
  std::uint64_t m_generation = 0;
  int m_inotify = -1;
  Clock::time_point m_next_tick;
};

} // namespace shmkit
