#include "shmkit/set_watch.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

namespace shmkit {

namespace {

// Without a signalfd, poll(2) cannot see a blocked stop signal arrive: wait in slices this long
// and ask the Stopper between them (as Stopper::wait_writable does).
constexpr std::chrono::milliseconds k_signal_slice{20};

// What changes an entry of a watch directory in a way the listing shows. IN_EXCL_UNLINK: the
// writes to an object already unlinked (and still open or mapped) wake nobody.
constexpr std::uint32_t k_watch_mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                       IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF |
                                       IN_ONLYDIR | IN_EXCL_UNLINK;

} // namespace

const char *set_event_name(SetEvent event) {
  switch (event) {
  case SetEvent::created:
    return "created";
  case SetEvent::removed:
    return "removed";
  case SetEvent::marked:
    return "marked";
  case SetEvent::attached:
    return "attached";
  case SetEvent::detached:
    return "detached";
  case SetEvent::resized:
    return "resized";
  case SetEvent::chmod:
    return "chmod";
  case SetEvent::chown:
    return "chown";
  }
  return "?";
}

bool same_segment(const SegmentInfo &a, const SegmentInfo &b) {
  return a.kind == b.kind && a.dev == b.dev && a.ino == b.ino && a.cpid == b.cpid;
}

void diff_segment(const SegmentInfo &before, const SegmentInfo &after,
                  std::vector<SetChange> &out) {
  auto add = [&](SetEvent event) { out.push_back({event, after, before}); };
  if (before.mode != after.mode)
    add(SetEvent::chmod);
  if (before.uid != after.uid || before.gid != after.gid)
    add(SetEvent::chown);
  if (before.size != after.size)
    add(SetEvent::resized);
  if (before.nattch && after.nattch && *before.nattch != *after.nattch)
    add(*after.nattch > *before.nattch ? SetEvent::attached : SetEvent::detached);
  if (!before.dest && after.dest)
    add(SetEvent::marked);
}

SetWatcher::SetWatcher(SetWatchOptions options)
    : m_options(std::move(options)), m_backends(m_options.paths) {
  m_backends.set_needs(m_options.needs);
}

SetWatcher::~SetWatcher() {
  if (m_inotify >= 0)
    ::close(m_inotify);
}

Result<std::unique_ptr<SetWatcher>> SetWatcher::start(SetWatchOptions options) {
  std::unique_ptr<SetWatcher> watcher(new SetWatcher(std::move(options)));
  if (auto ok = watcher->set_up(); !ok)
    return std::move(ok).error();
  return watcher;
}

void SetWatcher::warn(std::string message) {
  if (std::find(m_warned.begin(), m_warned.end(), message) != m_warned.end())
    return;
  m_warned.push_back(message);
  m_warnings.push_back(std::move(message));
}

std::vector<std::string> SetWatcher::take_warnings() { return std::exchange(m_warnings, {}); }

void SetWatcher::add_watch(Source &source) {
  if (source.dir.empty() || m_inotify < 0)
    return;
  source.wd = ::inotify_add_watch(m_inotify, source.dir.c_str(), k_watch_mask);
  if (source.wd < 0) {
    // A file's directory that does not exist (yet) is simply listed at each interval.
    if (errno != ENOENT)
      warn(fmt::format("cannot watch {}: {}; looking every {} ms instead", escape_bytes(source.dir),
                       from_errno(errno, "inotify").message, m_options.interval.count()));
    source.dir.clear();
  }
}

// One source per listed kind, or per (kind, directory) of the named segments; inotify on the
// directories first, so that nothing that happens during the first listing is missed.
Result<void> SetWatcher::set_up() {
  if (m_options.refs.empty()) {
    for (const KindTraits &traits : kind_traits()) {
      const auto &kinds = m_options.kinds;
      if (!lists_kind(traits, kinds))
        continue;
      Source source;
      source.backend = &m_backends.of(traits.kind);
      source.dir = source.backend->watch_dir(nullptr);
      m_sources.push_back(std::move(source));
    }
  } else {
    for (const SegmentRef &given : m_options.refs) {
      auto ref = ftok_key(given); // the key of an ftok: address, once
      if (!ref)
        return std::move(ref).error();
      Backend &backend = m_backends.of(ref->kind);
      std::string dir = backend.watch_dir(&*ref);
      auto same = [&](const Source &s) { return s.backend == &backend && s.dir == dir; };
      auto it = std::find_if(m_sources.begin(), m_sources.end(), same);
      if (it == m_sources.end())
        it = m_sources.insert(m_sources.end(), Source{&backend, {}, dir});
      it->refs.push_back(std::move(*ref));
    }
  }
  bool watched = std::any_of(m_sources.begin(), m_sources.end(),
                             [](const Source &s) { return !s.dir.empty(); });
  if (watched) {
    m_inotify = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_inotify < 0)
      warn(fmt::format("cannot watch for changes: {}; looking every {} ms instead",
                       from_errno(errno, "inotify").message, m_options.interval.count()));
  }
  for (Source &source : m_sources)
    add_watch(source);
  for (std::size_t s = 0; s < m_sources.size(); ++s)
    if (auto ok = refresh(s, nullptr); !ok)
      return ok;
  m_next_tick = Clock::now() + m_options.interval;
  return {};
}

// The segments of source `s` now: the listing, or each named segment plus those it named
// before that are still there under their own address (a SysV segment marked for removal has
// key 0, so key:K no longer finds it until it is gone).
Result<void> SetWatcher::collect(std::size_t s, std::vector<SegmentInfo> &now) {
  Source &source = m_sources[s];
  Backend &backend = *source.backend;
  if (source.refs.empty()) {
    auto listed = backend.for_each([&](SegmentInfo &&info) { now.push_back(std::move(info)); });
    for (const auto &w : backend.report().warnings)
      warn(w);
    return listed;
  }
  auto gone = [](const Error &e) { return e.code == Errc::not_found || e.code == Errc::changed; };
  for (const SegmentRef &ref : source.refs) {
    auto info = backend.stat(ref);
    for (const auto &w : backend.report().warnings)
      warn(w);
    if (info)
      now.push_back(std::move(*info));
    else if (!gone(info.error()))
      return std::move(info).error();
  }
  for (const auto &entry : m_known) {
    const std::string &segment = entry.first;
    const auto &known = entry.second;
    if (known.source != s || std::any_of(now.begin(), now.end(), [&](const SegmentInfo &i) {
          return i.segment == segment;
        }))
      continue;
    auto ref = parse_address(escape_bytes(segment));
    if (!ref)
      continue;
    auto info = backend.stat(*ref);
    if (info && same_segment(*info, known.info))
      now.push_back(std::move(*info));
  }
  return {};
}

Result<void> SetWatcher::refresh(std::size_t s, std::vector<SetChange> *out) {
  m_sources[s].dirty = false;
  std::vector<SegmentInfo> now;
  if (auto ok = collect(s, now); !ok)
    return ok;
  const std::uint64_t generation = ++m_generation;
  for (SegmentInfo &info : now) {
    auto it = m_known.find(info.segment);
    if (it != m_known.end() && it->second.generation == generation)
      continue; // named twice
    if (out == nullptr) {
      m_initial.push_back(info);
    } else if (it == m_known.end()) {
      out->push_back({SetEvent::created, info, std::nullopt});
    } else if (!same_segment(it->second.info, info)) {
      out->push_back({SetEvent::removed, it->second.info, it->second.info});
      out->push_back({SetEvent::created, info, std::nullopt});
    } else {
      diff_segment(it->second.info, info, *out);
    }
    std::string key = info.segment;
    m_known.insert_or_assign(std::move(key), Known{std::move(info), s, generation});
  }
  for (auto it = m_known.begin(); it != m_known.end();) {
    if (it->second.source == s && it->second.generation != generation) {
      if (out != nullptr)
        out->push_back({SetEvent::removed, it->second.info, it->second.info});
      it = m_known.erase(it);
    } else {
      ++it;
    }
  }
  return {};
}

void SetWatcher::drain_inotify() {
  alignas(struct inotify_event) char buffer[16384];
  for (;;) {
    ssize_t n = ::read(m_inotify, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return; // EAGAIN: all read
    for (char *p = buffer; p < buffer + n;) {
      const auto *event = reinterpret_cast<const struct inotify_event *>(p);
      p += sizeof(struct inotify_event) + event->len;
      for (Source &source : m_sources) {
        if (event->mask & IN_Q_OVERFLOW) {
          source.dirty = source.dirty || source.wd >= 0; // events were lost: list again
        } else if (source.wd == event->wd) {
          source.dirty = true;
          if (event->mask & IN_IGNORED) { // the directory went away: listed at intervals
            source.wd = -1;
            source.dir.clear();
          }
        }
      }
    }
  }
}

Result<std::vector<SetChange>> SetWatcher::next(Stopper &stop, int signal_fd) {
  const bool polled =
      std::any_of(m_sources.begin(), m_sources.end(), [](const Source &s) { return s.wd < 0; });
  std::vector<SetChange> changes;
  for (;;) {
    if (stop.due())
      return changes;
    std::optional<Clock::time_point> until;
    if (polled)
      until = m_next_tick;
    if (auto deadline = stop.deadline(); deadline && (!until || *deadline < *until))
      until = *deadline;
    struct pollfd fds[2] = {{m_inotify, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    std::optional<std::chrono::nanoseconds> left;
    if (until)
      left = *until - Clock::now();
    if (signal_fd < 0 && (!left || *left > k_signal_slice))
      left = k_signal_slice;
    struct timespec ts {};
    if (left)
      ts = to_timespec(*left);
    int ready = ::ppoll(fds, 2, left ? &ts : nullptr, nullptr);
    if (ready < 0 && errno != EINTR)
      return from_errno(errno, "cannot wait for changes: poll");
    if (ready > 0 && (fds[0].revents & POLLIN))
      drain_inotify();
    for (std::size_t s = 0; s < m_sources.size(); ++s)
      if (m_sources[s].dirty)
        if (auto ok = refresh(s, &changes); !ok)
          return std::move(ok).error();
    const auto now = Clock::now();
    if (polled && now >= m_next_tick) {
      while (m_next_tick <= now)
        m_next_tick += m_options.interval; // a slow listing does not shift the ticks after it
      for (std::size_t s = 0; s < m_sources.size(); ++s)
        if (m_sources[s].wd < 0)
          if (auto ok = refresh(s, &changes); !ok)
            return std::move(ok).error();
    }
    if (!changes.empty())
      return changes;
  }
}

} // namespace shmkit
