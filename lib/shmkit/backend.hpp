// The Backend interface and the open-segment Handle. Only backend.cpp (the factory) names all
// three implementations; everything else works through these interfaces.
#pragma once

#include "shmkit/atomic_ops.hpp"
#include "shmkit/error.hpp"
#include "shmkit/mapping.hpp"
#include "shmkit/segment.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace shmkit {

/// What Handle::check() found when re-examining an open segment.
enum class Liveness {
  alive,     ///< unchanged identity (size may still have grown)
  truncated, ///< smaller than when opened
  removed,   ///< SysV marked/gone, or the POSIX/file name unlinked
  replaced,  ///< the name now refers to a different object
};

/// An open segment. Reads and writes are bounds-checked against the segment's size (never the
/// page size). POSIX and file segments use pread/pwrite so truncation gives an error, not
/// SIGBUS; SysV segments go through one attach held by the handle.
class Handle {
public:
  virtual ~Handle() = default;
  Handle() = default;
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;

  /// The segment as stat'ed when opened (canonical address, size, ...).
  virtual const SegmentInfo &info() const = 0;
  /// Size in bytes as of open or the last check()/resize().
  virtual std::uint64_t size() const = 0;
  /// Reads up to out.size() bytes at offset; returns the count read (short only at the end).
  /// Fails with out_of_range (offset past end), changed (truncated meanwhile) or io.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) = 0;
  /// Writes all of data at offset. The caller bounds-checks first; fails with
  /// permission_denied (opened read-only), no_space (ENOSPC on tmpfs), changed or io.
  virtual Result<void> write_at(std::uint64_t offset, std::span<const std::byte> data) = 0;
  /// Stores one naturally aligned 1/2/4/8-byte value with a single atomic store.
  /// Fails with invalid_argument (misaligned or bad width) or out_of_range.
  virtual Result<void> store_atomic(std::uint64_t offset, std::uint64_t value,
                                    unsigned width) = 0;
  /// Loads one naturally aligned 1/2/4/8-byte value with a single atomic load (the bits in
  /// native order, zero-extended; works on a read-only handle). Fails with invalid_argument
  /// (misaligned or bad width), past_end, changed (POSIX/file truncated meanwhile: SIGBUS
  /// caught) or not_supported (a handle without atomics).
  virtual Result<std::uint64_t> load_atomic(std::uint64_t offset, unsigned width) {
    (void)offset;
    (void)width;
    return make_error(Errc::not_supported, "atomic loads are not supported here");
  }
  /// One atomic read-modify-write (AtomicOp, atomic_ops.hpp) of the naturally aligned
  /// 1/2/4/8-byte word at offset: `operand` is the value to add/or/and/xor, or the new value
  /// of a cas that swaps when the word equals `expected` (native-order bits, truncated to the
  /// width). Returns the previous word and whether a cas swapped. SysV goes through the
  /// read-write attach, POSIX/file through a shared mapping of the page. Fails as load_atomic,
  /// and with permission_denied (opened read-only) or no_space (a hole on a full tmpfs).
  virtual Result<AtomicResult> atomic_update(std::uint64_t offset, unsigned width, AtomicOp op,
                                             std::uint64_t operand, std::uint64_t expected) {
    (void)offset;
    (void)width;
    (void)op;
    (void)operand;
    (void)expected;
    return make_error(Errc::not_supported, "atomic operations are not supported here");
  }
  /// Grows the segment to new_size (POSIX/file: ftruncate). SysV fails with not_supported.
  virtual Result<void> resize(std::uint64_t new_size) = 0;
  /// Copies [offset, offset+length) to out_fd in the cheapest way the backend has (sendfile,
  /// splice or one write from the attach). Fails with io carrying EPIPE etc. from the output.
  virtual Result<void> copy_to_fd(int out_fd, std::uint64_t offset, std::uint64_t length) = 0;
  /// Maps the whole segment (MAP_SHARED / shmat). Read-only unless the handle and `access`
  /// are read-write.
  virtual Result<Mapping> map(Access access) = 0;
  /// Pins the pages of `mapping` (from map()) in memory the backend's way: SHM_LOCK for SysV
  /// (a property of the segment, shown as `locked`; left alone if it was locked before),
  /// mlock(2) for POSIX/file. Fails with permission_denied, no_space (RLIMIT_MEMLOCK) or io.
  virtual Result<PageLock> lock_pages(const Mapping &mapping) const = 0;
  /// Re-examines the segment: identity, size, removal. Updates size().
  virtual Result<Liveness> check() = 0;
  /// The fd behind a POSIX/file handle, -1 for SysV.
  virtual int fd() const = 0;
};

/// What a listing worked around without failing. lib never prints: cmd shows the warnings.
struct ListReport {
  std::vector<std::string> warnings; ///< messages without the "shmkit: warning: " prefix
  std::uint64_t unparsed_rows = 0;   ///< SysV: rows of /proc/sysvipc/shm that did not parse
};

/// What a listing must fill in. A backend may take a faster source that lacks the rest: the
/// SysV listing reads shmctl(SHM_STAT_ANY) instead of /proc/sysvipc/shm when RSS and SWAP are
/// not needed (less than half the CPU time at 30,000 segments).
struct ListNeeds {
  bool memory = true; ///< SegmentInfo::rss and ::swap
};

/// One kind of shared memory.
class Backend {
public:
  virtual ~Backend() = default;
  virtual Kind kind() const = 0;
  /// Passes every segment of this kind to `visit`, one at a time, without holding them all
  /// (files: none, they are only shown when named). POSIX listing includes semaphores and odd
  /// entries, flagged in SegmentInfo::oddity. Fails with io or permission_denied.
  virtual Result<void> for_each(const std::function<void(SegmentInfo &&)> &visit) = 0;
  /// Every segment of this kind, collected from for_each().
  Result<std::vector<SegmentInfo>> list();
  /// What the last for_each() (or list(), or a stat() that lists) worked around; reset by each.
  const ListReport &report() const { return m_report; }
  /// What later listings (for_each(), list(), a stat() that lists) must fill in.
  void set_needs(ListNeeds needs) { m_needs = needs; }
  /// ls --watch: the directory whose entries are what for_each() lists (`ref` nullptr) or
  /// the segment `ref` names, where inotify(7) sees them come, go and change (POSIX:
  /// Paths::dev_shm; a file: its directory). Empty when the kind has none: the kernel tells
  /// nobody (SysV), so it is listed again at each interval instead.
  virtual std::string watch_dir(const SegmentRef *ref) const {
    (void)ref;
    return {};
  }
  /// One segment by address. Fails with not_found, permission_denied, invalid_argument.
  virtual Result<SegmentInfo> stat(const SegmentRef &ref) = 0;
  /// Creates exclusively at 0600, then fchmod/IPC_SET to spec.mode. Fails with exists (unless
  /// spec.exist_ok and a large enough segment is there), permission_denied, no_space.
  virtual Result<SegmentInfo> create(const CreateSpec &spec) = 0;
  /// Opens an existing segment; never creates. Fails with not_found, permission_denied,
  /// invalid_argument (not a regular file, FIFO planted in /dev/shm).
  virtual Result<std::unique_ptr<Handle>> open(const SegmentRef &ref, Access access) = 0;
  /// Removes the segment described by `expected` after re-checking its identity (SysV key,
  /// cpid and ctime; POSIX/file dev and inode). Fails with changed when it is no longer the
  /// same segment, not_found, permission_denied.
  virtual Result<void> remove(const SegmentInfo &expected) = 0;

protected:
  ListReport m_report;
  ListNeeds m_needs;
};

/// The factory: the only place that names all the backends.
std::unique_ptr<Backend> make_backend(Kind kind, const Paths &paths = {});

/// What a --match glob is matched against for a kind.
enum class MatchSubject {
  key,  ///< the SysV key as 0x%08x
  name, ///< the name without its leading '/' (POSIX) or the path (file)
};

/// Where a kind's objects are named, which decides which namespace ls --all-namespaces lists
/// them in (shmkit-ls(1) ALL NAMESPACES).
enum class Scope {
  none,          ///< in no namespace that -A walks (files: named by path only)
  ipc_namespace, ///< an IPC namespace (SysV: a shmid means something only inside its own)
  dev_shm,       ///< a /dev/shm directory, reached through /proc/PID/root (POSIX)
};

/// The answers a kind gives for itself, so that no code outside lib tests a Kind. Adding a
/// kind means adding its row in the factory (backend.cpp), nowhere else.
struct KindTraits {
  Kind kind;
  /// `ls` and `rm --all` enumerate it (files are shown only when named).
  bool listed_by_default;
  /// Not listed by default, but enumerated when `--type` names it (memfd: a /proc scan that
  /// every plain `ls` would pay for).
  bool listed_on_request;
  /// `rm` can remove it. memfd objects have no name to unlink: they are freed when every
  /// holder has closed and unmapped them.
  bool removable;
  /// Its NATTCH comes from the kernel, which counts shmkit's own attach too (SysV). Otherwise
  /// users are found by a /proc scan of mappings and open fds.
  bool kernel_counts_attaches;
  /// Listings order it by id (SysV) rather than by name.
  bool ordered_by_id;
  MatchSubject match_subject;
  /// Its size is fixed at creation (SysV): write --grow cannot apply.
  bool fixed_size;
  /// create --hugetlb and --noreserve apply (SysV).
  bool takes_hugetlb;
  /// create --allocate applies (POSIX, file: posix_fallocate).
  bool takes_allocate;
  /// The largest size create accepts: off_t's range for what ftruncate(2) sizes (POSIX,
  /// file); for SysV no limit of shmkit's own (the kernel's SHMMAX decides, at run time).
  std::uint64_t max_size;
  /// ls --all-namespaces lists it once per namespace of this scope.
  Scope scope = Scope::none;
};

/// Every kind, in listing order (SysV, POSIX, file, memfd).
std::span<const KindTraits> kind_traits();
/// Whether a listing asked for the kinds `asked` (--type; empty: not given) enumerates the
/// kind of `traits`: one listed by default unless `asked` leaves it out, one listed on request
/// only when `asked` names it.
bool lists_kind(const KindTraits &traits, std::span<const Kind> asked);
/// The row of one kind.
const KindTraits &traits_of(Kind kind);
/// The text a --match glob is matched against: "0x0000002a" for SysV, "demo" for
/// posix:/demo, the path for a file.
std::string match_text(const SegmentInfo &info);

/// What create refuses from the address alone, before any system call: an id (the kernel
/// chooses ids), a POSIX name starting with "sem." (how sem_open(3) names semaphores) and a
/// memfd: address (memfd objects are made by the process that holds them).
/// Fails with invalid_argument, "cannot create ADDRESS: ...".
Result<void> check_creatable(const SegmentRef &ref);

/// One backend of each kind, made on first use (commands that act on several segments).
class BackendSet {
public:
  explicit BackendSet(Paths paths = {}) : m_paths(std::move(paths)) {}
  Backend &of(Kind kind);
  /// Backend::set_needs() for every backend, made or still to be made.
  void set_needs(ListNeeds needs);

private:
  Paths m_paths;
  ListNeeds m_needs;
  std::vector<std::unique_ptr<Backend>> m_backends;
};

} // namespace shmkit
