#include "shmkit/sysv_backend.hpp"

#include "shmkit/address.hpp"

#include "shmkit/fileio.hpp"
#include "shmkit/limits.hpp"
#include "shmkit/sysvipc.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

namespace shmkit {

namespace {

std::string id_text(int id) { return fmt::format("id:{}", id); }

// EINVAL and EIDRM both mean the segment no longer exists (lib/README.md, kernel facts).
bool gone(int err) { return err == EINVAL || err == EIDRM; }

Error gone_error(int id) {
  return make_error(Errc::not_found, fmt::format("no sysv segment {}", id_text(id)));
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14; older glibc headers lack them
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

// Bulk copies go through the attach in chunks of this size, each populated first.
constexpr std::size_t k_copy_chunk = std::size_t{4} << 20;

// Maps the pages of [p, p+n) in one call instead of one page fault per 4 KiB: a SysV attach
// gets no fault-around, so a bulk copy from a fresh attach otherwise spends about half its
// time in page faults (issue 3 benchmark: 1 GiB into a pipe 1.0 s -> 0.45 s). Only advice:
// kernels before 5.14 refuse it and the copy faults pages in as before.
void populate(const std::byte *p, std::size_t n, Access access) noexcept {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<std::uintptr_t>(p) / page * page;
  auto end = reinterpret_cast<std::uintptr_t>(p) + n;
  if (n == 0)
    return;
  ::madvise(reinterpret_cast<void *>(begin), end - begin,
            access == Access::read_write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}

// Resolves an address to a shmid. shmget(key, 0, 0) asks for no permission, so this works
// for any key (a segment marked for removal has key 0 and cannot be found by key any more).
Result<int> resolve_id(const SegmentRef &given) {
  auto keyed = ftok_key(given);
  if (!keyed)
    return std::move(keyed).error();
  const SegmentRef &ref = *keyed;
  if (ref.kind != Kind::sysv)
    return make_error(Errc::invalid_argument,
                      fmt::format("{} is not a sysv address", ref.to_string()));
  if (ref.by == SegmentRef::By::id)
    return static_cast<int>(ref.number);
  if (ref.by != SegmentRef::By::key)
    return make_error(Errc::invalid_argument,
                      fmt::format("{} names no existing segment", ref.to_string()));
  int id = ::shmget(static_cast<key_t>(static_cast<std::uint32_t>(ref.number)), 0, 0);
  if (id < 0) {
    if (errno == ENOENT)
      return make_error(Errc::not_found,
                        fmt::format("no sysv segment with key 0x{:08x}", ref.number));
    return from_errno(errno, fmt::format("cannot look up {}", ref.to_string()));
  }
  return id;
}

// IPC_STAT needs read permission; listing must not (section 5), so fall back to the /proc or
// SHM_STAT listing that needs none.
Result<SegmentInfo> stat_id(SysvBackend &backend, int id) {
  struct shmid_ds ds {};
  if (::shmctl(id, IPC_STAT, &ds) == 0)
    return sysv_info(sysv_row_from_ds(id, ds));
  if (gone(errno))
    return gone_error(id);
  if (errno != EACCES && errno != EPERM)
    return from_errno(errno, fmt::format("cannot stat {}", id_text(id)));
  auto rows = backend.list();
  if (!rows)
    return std::move(rows).error();
  for (auto &row : *rows)
    if (row.id == id)
      return std::move(row);
  return gone_error(id);
}

Result<Mapping> attach(int id, Access access, std::uint64_t size) {
  void *base = ::shmat(id, nullptr, access == Access::read_only ? SHM_RDONLY : 0);
  if (base == reinterpret_cast<void *>(-1)) {
    if (gone(errno))
      return gone_error(id);
    return from_errno(errno, fmt::format("cannot attach {}{}", id_text(id),
                                         access == Access::read_write ? " for writing" : ""));
  }
  return Mapping(base, static_cast<std::size_t>(size), static_cast<std::size_t>(size),
                 Release::shmdt);
}

class SysvHandle final : public Handle {
public:
  SysvHandle(int id, Access access, SegmentInfo info, Mapping mapping)
      : m_id(id), m_access(access), m_info(std::move(info)), m_attach(std::move(mapping)) {}

  const SegmentInfo &info() const override { return m_info; }
  std::uint64_t size() const override { return m_info.size; }
  int fd() const override { return -1; }

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> out) override {
    if (offset > m_info.size)
      return past_end(offset);
    auto base = attached();
    if (!base)
      return std::move(base).error();
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), m_info.size - offset));
    if (n >= k_copy_chunk / 64)
      populate(*base + offset, n, Access::read_only);
    std::memcpy(out.data(), *base + offset, n);
    return n;
  }

  Result<void> write_at(std::uint64_t offset, std::span<const std::byte> data) override {
    if (auto ok = writable(); !ok)
      return ok;
    if (offset > m_info.size || data.size() > m_info.size - offset)
      return make_error(Errc::past_end,
                        fmt::format("{} bytes at offset {} do not fit in {} ({} bytes)",
                                    data.size(), offset, id_text(m_id), m_info.size));
    auto base = attached();
    if (!base)
      return std::move(base).error();
    for (std::size_t done = 0; done < data.size();) {
      std::size_t n = std::min(data.size() - done, k_copy_chunk);
      populate(*base + offset + done, n, Access::read_write);
      std::memcpy(*base + offset + done, data.data() + done, n);
      done += n;
    }
    return {};
  }

  Result<void> store_atomic(std::uint64_t offset, std::uint64_t value, unsigned width) override {
    if (auto ok = writable(); !ok)
      return ok;
    auto word = atomic_word(offset, width);
    if (!word)
      return std::move(word).error();
    guarded_store(*word, value, width); // a SysV segment never shrinks: no SIGBUS here
    return {};
  }

  // The atomics go straight through the attach: a SysV segment never shrinks, so no SIGBUS.
  Result<std::uint64_t> load_atomic(std::uint64_t offset, unsigned width) override {
    auto word = atomic_word(offset, width);
    if (!word)
      return std::move(word).error();
    return atomic_load_word(*word, width);
  }

  Result<AtomicResult> atomic_update(std::uint64_t offset, unsigned width, AtomicOp op,
                                     std::uint64_t operand, std::uint64_t expected) override {
    if (auto ok = writable(); !ok)
      return std::move(ok).error();
    auto word = atomic_word(offset, width);
    if (!word)
      return std::move(word).error();
    return atomic_apply_word(*word, width, op, operand, expected);
  }

  Result<void> resize(std::uint64_t) override {
    return make_error(Errc::not_supported,
                      fmt::format("cannot resize {}: sysv segments have a fixed size", id_text(m_id)));
  }

  Result<void> copy_to_fd(int out_fd, std::uint64_t offset, std::uint64_t length) override {
    if (offset > m_info.size || length > m_info.size - offset)
      return past_end(offset);
    auto base = attached();
    if (!base)
      return std::move(base).error();
    // One copy (kernel reads the attach) where cat of a file costs two (cmd/README.md, where the time goes).
    const std::byte *p = *base + offset;
    std::uint64_t left = length;
    while (left > 0) {
      std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(left, k_copy_chunk));
      populate(p, chunk, Access::read_only);
      ssize_t n = ::write(out_fd, p, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return from_errno(errno, "write error");
      p += n;
      left -= static_cast<std::uint64_t>(n);
    }
    return {};
  }

  Result<Mapping> map(Access access) override {
    if (access == Access::read_write)
      if (auto ok = writable(); !ok)
        return std::move(ok).error();
    // Hand over the attach made by open() so holding a segment raises nattch by one only.
    if (m_attach)
      return std::move(m_attach);
    return attach(m_id, access, m_info.size);
  }

  Result<PageLock> lock_pages(const Mapping &) const override {
    // SHM_LOCK is a property of the segment, not of this process: remember whether someone
    // else locked it, so that detaching does not unlock their segment.
    struct shmid_ds ds {};
    if (::shmctl(m_id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_LOCKED))
      return PageLock::shm_locked(-1);
    if (::shmctl(m_id, SHM_LOCK, nullptr) != 0) {
      int err = errno;
      if (err == EPERM || err == EACCES)
        return make_error(Errc::permission_denied,
                          fmt::format("cannot lock {}: permission denied (SHM_LOCK needs "
                                      "CAP_IPC_LOCK, or the owner or creator of the segment)",
                                      id_text(m_id)));
      if (err == ENOMEM)
        return make_error(Errc::no_space,
                          fmt::format("cannot lock {}: {} bytes exceed RLIMIT_MEMLOCK ({})",
                                      id_text(m_id), m_info.size, memlock_limit_text()));
      return from_errno(err, fmt::format("cannot lock {}", id_text(m_id)));
    }
    return PageLock::shm_locked(m_id);
  }

  Result<Liveness> check() override {
    struct shmid_ds ds {};
    if (::shmctl(m_id, IPC_STAT, &ds) != 0) {
      if (gone(errno))
        return Liveness::removed;
      return from_errno(errno, fmt::format("cannot stat {}", id_text(m_id)));
    }
    if (ds.shm_perm.mode & SHM_DEST)
      return Liveness::removed;
    return Liveness::alive;
  }

private:
  Result<std::byte *> attached() {
    if (!m_attach) {
      auto mapping = attach(m_id, m_access, m_info.size);
      if (!mapping)
        return std::move(mapping).error();
      m_attach = std::move(*mapping);
    }
    return m_attach.data();
  }

  // The aligned word at offset inside the segment, in the attach.
  Result<std::byte *> atomic_word(std::uint64_t offset, unsigned width) {
    if (auto ok = check_atomic_access(offset, width); !ok)
      return std::move(ok).error();
    if (offset > m_info.size || width > m_info.size - offset)
      return make_error(Errc::past_end,
                        fmt::format("{} bytes at offset {} do not fit in {} ({} bytes)", width,
                                    offset, id_text(m_id), m_info.size));
    auto base = attached();
    if (!base)
      return std::move(base).error();
    return *base + offset;
  }

  Result<void> writable() const {
    if (m_access != Access::read_write)
      return make_error(Errc::permission_denied,
                        fmt::format("cannot write {}: opened read-only", id_text(m_id)));
    return {};
  }

  Error past_end(std::uint64_t offset) const {
    return make_error(Errc::past_end, fmt::format("offset {} is past the end of {} ({} bytes)",
                                                      offset, id_text(m_id), m_info.size));
  }

  int m_id;
  Access m_access;
  SegmentInfo m_info;
  Mapping m_attach;
};

std::uint32_t random_key() {
  std::uint32_t key = 0;
  while (key == 0)
    if (::getrandom(&key, sizeof key, 0) != static_cast<ssize_t>(sizeof key))
      key = static_cast<std::uint32_t>(::getpid()) * 2654435761u ^ static_cast<std::uint32_t>(::time(nullptr));
  return key;
}

// Visits the rows of the shmctl(SHM_STAT_ANY) listing whose shmid is not in `seen`: the
// segments a damaged /proc/sysvipc/shm left out (all of them when `seen` is empty).
Result<void> visit_via_shmctl(const std::function<void(SegmentInfo &&)> &visit,
                              std::vector<int> seen) {
  auto listed = list_sysv_via_shmctl();
  if (!listed)
    return std::move(listed).error();
  std::sort(seen.begin(), seen.end());
  for (const auto &row : *listed)
    if (!std::binary_search(seen.begin(), seen.end(), row.shmid))
      visit(sysv_info(row));
  return {};
}

// The listing without RSS and SWAP (ListNeeds::memory false): shmctl(SHM_STAT_ANY) over
// every index up to the highest in use (IPC_INFO), streamed. It gives every field of /proc/sysvipc/shm
// but rss and swap, with no read permission needed and no text to format and parse (at
// 30,000 segments about 18 ms of CPU against 40 ms for reading /proc, tests/bench/ls.sh). (cpid and lpid are seen from the caller's pid
// namespace, where /proc prints them from the /proc mount's.) Returns false, having visited
// nothing, when every index failed although SHM_INFO counts segments: a kernel before 4.17
// rejects SHM_STAT_ANY itself with EINVAL, so the caller must read /proc instead.
Result<bool> stream_via_stat_any(const std::function<void(SegmentInfo &&)> &visit) {
  // IPC_INFO returns the highest index in use as SHM_INFO does, without SHM_INFO's walk over
  // every segment to total its memory (a sixth of the listing's time at 30,000 segments).
  int max_index = sysv_highest_index();
  if (max_index < 0)
    return from_errno(errno, "cannot list sysv segments: shmctl(IPC_INFO)");
  bool any = false;
  for (int index = 0; index <= max_index; ++index) {
    struct shmid_ds ds {};
    int shmid = ::shmctl(index, SHM_STAT_ANY, &ds);
    if (shmid < 0) {
      // Holes in the id array (EINVAL), segments removed meanwhile (EIDRM), a security
      // module's refusal (EACCES): not errors, as in the /proc listing.
      if (errno == EINVAL || errno == EIDRM || errno == EACCES)
        continue;
      return from_errno(errno, "cannot list sysv segments: shmctl(SHM_STAT_ANY)");
    }
    any = true;
    visit(sysv_info(sysv_row_from_ds(shmid, ds)));
  }
  if (any)
    return true;
  // Nothing visited: no segment (IPC_INFO gives 0 then too), or a kernel without
  // SHM_STAT_ANY, which SHM_INFO tells apart by counting the segments.
  struct shm_info shm_info {};
  if (::shmctl(0, SHM_INFO, reinterpret_cast<struct shmid_ds *>(&shm_info)) < 0)
    return from_errno(errno, "cannot list sysv segments: shmctl(SHM_INFO)");
  return shm_info.used_ids == 0;
}

} // namespace

Result<void> SysvBackend::for_each(const std::function<void(SegmentInfo &&)> &visit) {
  m_report = {};
  if (!m_needs.memory) {
    auto streamed = stream_via_stat_any(visit);
    if (!streamed)
      return std::move(streamed).error();
    if (*streamed)
      return {};
  }
  int fd = ::open(m_paths.sysvipc_shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      return from_errno(errno, fmt::format("cannot open {}", m_paths.sysvipc_shm));
    // No /proc (or no sysvipc in it): the shmctl(SHM_STAT_ANY) listing needs no permission.
    return visit_via_shmctl(visit, {});
  }
  // Stream: the kernel hands out a page per read(2); rows are parsed as they complete, so a
  // 30,000-segment table is never held whole (cmd/README.md, where the time goes, and the ls benchmark's
  // memory target). Only the shmids are kept, in case shmctl must fill in damaged rows.
  SysvipcParser parser;
  std::vector<int> seen;
  auto on_row = [&visit, &seen](const SysvRow &row) {
    seen.push_back(row.shmid);
    visit(sysv_info(row));
  };
  std::unique_ptr<char[]> buffer(new char[65536]);
  Result<void> parsed;
  for (;;) {
    ssize_t n = ::read(fd, buffer.get(), 65536);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return from_errno(err, fmt::format("cannot read {}", m_paths.sysvipc_shm));
    }
    if (n == 0)
      break;
    parsed = parser.feed(std::string_view(buffer.get(), static_cast<std::size_t>(n)), on_row);
    if (!parsed)
      break;
  }
  ::close(fd);
  if (parsed)
    parsed = parser.finish(on_row);
  // A table that does not parse must not make segments vanish silently (issue 8 defect 14):
  // say so, and list what it left out through shmctl.
  if (!parsed) {
    m_report.warnings.push_back(fmt::format("{}: {}; listed through shmctl instead",
                                            m_paths.sysvipc_shm, parsed.error().message));
  } else if (parser.skipped() != 0) {
    m_report.unparsed_rows = parser.skipped();
    m_report.warnings.push_back(fmt::format(
        "{}: {} {} could not be parsed; listed through shmctl instead", m_paths.sysvipc_shm,
        parser.skipped(), parser.skipped() == 1 ? "row" : "rows"));
  } else {
    return {};
  }
  return visit_via_shmctl(visit, std::move(seen));
}

Result<SegmentInfo> SysvBackend::stat(const SegmentRef &ref) {
  auto id = resolve_id(ref);
  if (!id)
    return std::move(id).error();
  // The listing's row has what IPC_STAT lacks (RSS and SWAP) and needs no read permission.
  std::optional<SegmentInfo> found;
  auto listed = for_each([&](SegmentInfo &&info) {
    if (info.id == *id)
      found = std::move(info);
  });
  if (listed && found)
    return std::move(*found);
  return stat_id(*this, *id);
}

namespace {

// A number from a /proc file of one number (/proc/sys/vm/nr_hugepages), or from the line
// "Name: N ..." of /proc/meminfo; "?" when unreadable.
std::string proc_number(const std::string &path, std::string_view field = {}) {
  std::string text;
  if (!read_whole_file(path, text))
    return "?";
  std::size_t at = 0;
  if (!field.empty()) {
    at = text.find(field);
    if (at == std::string::npos)
      return "?";
    at += field.size();
  }
  std::size_t begin = text.find_first_not_of(" \t:", at);
  std::size_t end = text.find_first_of(" \t\n", begin);
  if (begin == std::string::npos)
    return "?";
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

// Why shmget(2) refused to create a segment, naming the limit that was hit and its current
// value (issue 8 defect 16): the kernel's EINVAL, ENOSPC and ENOMEM each stand for several.
Error create_error(int err, const std::string &what, const CreateSpec &spec) {
  const std::uint64_t size = spec.size;
  auto limits = read_limits(Paths{});
  if (err == EINVAL) {
    if (limits && size < limits->shmmin)
      return make_error(Errc::limit,
                        fmt::format("cannot create {}: size {} is below kernel SHMMIN ({} bytes)",
                                    what, size, limits->shmmin));
    if (limits && size > limits->shmmax)
      return make_error(Errc::limit,
                        fmt::format("cannot create {}: size {} exceeds kernel.shmmax ({} bytes)",
                                    what, size, limits->shmmax));
    // ipc/shm.c backs a segment with a shmem file: at most MAX_LFS_FILESIZE (8 EiB - 1).
    if (size > static_cast<std::uint64_t>(INT64_MAX))
      return make_error(Errc::limit,
                        fmt::format("cannot create {}: size {} exceeds the largest shared memory "
                                    "file the kernel can make ({} bytes)",
                                    what, size, INT64_MAX));
    return make_error(Errc::limit,
                      fmt::format("cannot create {}: the kernel refused size {} (invalid argument)",
                                  what, size));
  }
  if (err == ENOSPC && limits) {
    if (limits->used_ids >= limits->shmmni)
      return make_error(Errc::no_space,
                        fmt::format("cannot create {}: the limit of {} segments (kernel.shmmni) "
                                    "is reached",
                                    what, limits->shmmni));
    const std::uint64_t page = limits->page_size;
    const std::uint64_t pages = size / page + (size % page != 0 ? 1 : 0);
    return make_error(Errc::no_space,
                      fmt::format("cannot create {}: {} more pages would exceed kernel.shmall "
                                  "({} pages of {} bytes, {} in use)",
                                  what, pages, limits->shmall, page, limits->used_pages));
  }
  if (err == ENOMEM && spec.hugetlb)
    return make_error(
        Errc::no_space,
        fmt::format("cannot create {}: not enough free huge pages for {} bytes (vm.nr_hugepages "
                    "= {}, HugePages_Free = {}, Hugepagesize = {} kB)",
                    what, size, proc_number("/proc/sys/vm/nr_hugepages"),
                    proc_number("/proc/meminfo", "HugePages_Free:"),
                    proc_number("/proc/meminfo", "Hugepagesize:")));
  if (err == ENOMEM && !spec.noreserve)
    return make_error(Errc::no_space,
                      fmt::format("cannot create {}: {} bytes are more memory than the kernel "
                                  "commits (vm.overcommit_memory = {}; --noreserve reserves no "
                                  "swap)",
                                  what, size, proc_number("/proc/sys/vm/overcommit_memory")));
  if (err == EPERM && spec.hugetlb)
    return make_error(Errc::permission_denied,
                      fmt::format("cannot create {}: SHM_HUGETLB needs CAP_IPC_LOCK or the group "
                                  "vm.hugetlb_shm_group ({})",
                                  what, proc_number("/proc/sys/vm/hugetlb_shm_group")));
  return from_errno(err, fmt::format("cannot create {}", what));
}

} // namespace

Result<SegmentInfo> SysvBackend::create(const CreateSpec &spec) {
  auto keyed = ftok_key(spec.ref);
  if (!keyed)
    return std::move(keyed).error();
  const SegmentRef &ref = *keyed;
  if (ref.kind != Kind::sysv || ref.by == SegmentRef::By::id)
    return make_error(Errc::invalid_argument,
                      fmt::format("cannot create {}: use key:N, key:auto, key:private or ftok:",
                                  ref.to_string()));
  int flags = IPC_CREAT | IPC_EXCL | 0600;
  if (spec.hugetlb)
    flags |= SHM_HUGETLB;
  if (spec.noreserve)
    flags |= SHM_NORESERVE;
  int id = -1;
  key_t key = IPC_PRIVATE;
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (ref.by == SegmentRef::By::key)
      key = static_cast<key_t>(static_cast<std::uint32_t>(ref.number));
    else if (ref.by == SegmentRef::By::key_auto)
      key = static_cast<key_t>(random_key());
    id = ::shmget(key, static_cast<std::size_t>(spec.size), flags);
    if (id >= 0 || errno != EEXIST || ref.by != SegmentRef::By::key_auto)
      break;
  }
  if (id < 0) {
    int err = errno;
    std::string what = ref.by == SegmentRef::By::key_private
                           ? std::string("key:private")
                           : fmt::format("key:0x{:08x}", static_cast<std::uint32_t>(key));
    if (err == EEXIST && spec.exist_ok) {
      auto existing = stat(ref);
      if (!existing)
        return existing;
      if (existing->size < spec.size)
        return make_error(Errc::exists,
                          fmt::format("{} exists as {} with size {}, smaller than the requested {}",
                                      what, existing->segment, existing->size, spec.size));
      return existing;
    }
    if (err == EEXIST)
      return make_error(Errc::exists, fmt::format("cannot create {}: already exists", what));
    return create_error(err, what, spec);
  }
  // Created at 0600; now widen or narrow to the requested mode (no window with wider bits).
  struct shmid_ds ds {};
  if (::shmctl(id, IPC_STAT, &ds) != 0 ||
      (ds.shm_perm.mode = (ds.shm_perm.mode & ~0777u) | spec.mode,
       ::shmctl(id, IPC_SET, &ds) != 0)) {
    int err = errno;
    ::shmctl(id, IPC_RMID, nullptr);
    return from_errno(err, fmt::format("cannot set the mode of {}", id_text(id)));
  }
  return stat_id(*this, id);
}

Result<std::unique_ptr<Handle>> SysvBackend::open(const SegmentRef &ref, Access access) {
  auto id = resolve_id(ref);
  if (!id)
    return std::move(id).error();
  // The size comes from IPC_STAT, or from the listing when we may attach but not stat.
  auto info = stat_id(*this, *id);
  if (!info)
    return std::move(info).error();
  auto mapping = attach(*id, access, info->size);
  if (!mapping)
    return std::move(mapping).error();
  return std::unique_ptr<Handle>(
      std::make_unique<SysvHandle>(*id, access, std::move(*info), std::move(*mapping)));
}

Result<void> SysvBackend::remove(const SegmentInfo &expected) {
  if (!expected.id)
    return make_error(Errc::invalid_argument, "not a sysv segment");
  int id = *expected.id;
  auto now = stat_id(*this, id);
  if (!now)
    return std::move(now).error();
  bool same = now->cpid == expected.cpid && now->ctime == expected.ctime &&
              (now->dest || expected.dest || now->key == expected.key);
  if (!same)
    return make_error(Errc::changed,
                      fmt::format("not removing {}: it changed since it was listed", id_text(id)));
  if (::shmctl(id, IPC_RMID, nullptr) != 0) {
    if (gone(errno))
      return gone_error(id);
    return from_errno(errno, fmt::format("cannot remove {}", id_text(id)));
  }
  return {};
}

} // namespace shmkit
