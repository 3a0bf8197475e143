// The core model: how a segment is named (SegmentRef), what ls shows of it (SegmentInfo), how
// it is created (CreateSpec) and the injectable locations (Paths).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace shmkit {

/// The kinds of shared memory. memfd: memfd_create(2) objects, reached through a process that
/// holds them (memfd_backend.hpp).
enum class Kind { sysv, posix, file, memfd };

/// "sysv", "posix", "file" or "memfd".
const char *kind_name(Kind kind);

/// Which permissions an open asks for.
enum class Access { read_only, read_write };

/// A parsed segment address (shmkit(1) ADDRESSING SEGMENTS). Build it with parse_address().
struct SegmentRef {
  enum class By {
    id,          ///< SysV shmid (number)
    key,         ///< SysV key (number)
    key_auto,    ///< create only: a random unused key
    key_private, ///< create only: IPC_PRIVATE
    ftok,        ///< SysV key computed by ftok(3) from a path (text) and a project id (number),
                 ///< when the segment is used: parsing an address makes no system call
    name,        ///< POSIX name without the leading '/' (text)
    path,        ///< file path as given, escapes decoded (text)
    memfd,       ///< memfd object held by process `number` on fd `fd` (memfd:PID:FD)
  };
  Kind kind = Kind::sysv;
  By by = By::id;
  std::uint64_t number = 0; ///< shmid, key, or ftok project id
  std::string text;         ///< POSIX name, file path or ftok path
  int fd = -1;              ///< memfd: the fd number in process `number`

  /// The address in canonical form where it is known without a syscall: id:N, key:0xKKKKKKKK,
  /// posix:/NAME, file:PATH (PATH escaped; absolute only if given so), memfd:PID:FD.
  std::string to_string() const;
};

/// Where the kernel's views live; tests point these at fixtures, and --target at another
/// process's view (target.hpp).
struct Paths {
  std::string sysvipc_shm = "/proc/sysvipc/shm";
  std::string dev_shm = "/dev/shm";
  std::string proc = "/proc";
  /// Prefix under which file paths are looked up: empty for our own root, /proc/PID/root for
  /// another process's. Addresses and names never show it.
  std::string root;
  /// The /proc entry whose mountinfo tells where things are mounted: "self", or a pid.
  std::string mounts_of = "self";
};

/// What a /dev/shm entry is, for entries that are not plain POSIX objects.
enum class Oddity {
  none,        ///< a regular file: a POSIX shared memory object
  semaphore,   ///< sem.NAME: a POSIX semaphore
  not_regular, ///< a directory, FIFO, symlink, socket or device planted in /dev/shm
};

/// One row of `ls`: every column as a typed field; std::nullopt where the backend has none.
struct SegmentInfo {
  Kind kind = Kind::sysv;
  std::string segment;                ///< canonical address, raw bytes (escape for display)
  std::optional<std::uint32_t> key;   ///< SysV key (0 once marked for removal)
  std::optional<int> id;              ///< SysV shmid
  std::optional<std::string> name;    ///< POSIX name with leading '/', or file's absolute path
  unsigned mode = 0;                  ///< permission bits (0777 mask)
  uid_t uid = 0;
  gid_t gid = 0;
  std::optional<uid_t> cuid;          ///< SysV creator uid
  std::optional<gid_t> cgid;          ///< SysV creator gid
  std::uint64_t size = 0;             ///< bytes
  std::optional<std::uint64_t> rss;   ///< SysV resident bytes (16-column /proc only)
  std::optional<std::uint64_t> swap;  ///< SysV swapped bytes (16-column /proc only)
  std::optional<std::uint64_t> alloc; ///< POSIX/file allocated bytes (st_blocks * 512)
  std::optional<std::uint64_t> nattch; ///< SysV attach count
  std::optional<pid_t> cpid;          ///< SysV creator pid
  std::optional<pid_t> lpid;          ///< SysV last shmat/shmdt pid
  bool dest = false;                  ///< SysV: marked for removal (SHM_DEST)
  bool locked = false;                ///< SysV: SHM_LOCKED
  bool hugetlb = false;               ///< backed by huge pages, where detectable
  std::optional<std::time_t> atime;   ///< SysV last attach; POSIX/file st_atime
  std::optional<std::time_t> dtime;   ///< SysV last detach
  std::optional<std::time_t> ctime;   ///< SysV last change; POSIX/file st_ctime
  std::optional<std::time_t> mtime;   ///< POSIX/file st_mtime
  std::optional<dev_t> dev;           ///< POSIX/file device
  std::optional<ino_t> ino;           ///< POSIX/file inode
  Oddity oddity = Oddity::none;       ///< /dev/shm entries that are not POSIX objects
  /// POSIX/file: no name is left (st_nlink 0), but a process still maps or holds it; the
  /// segment is then a holder's /proc link (unlinked.hpp) and `name` the former one.
  bool unlinked = false;
  unsigned seals = 0;                 ///< memfd: the F_GET_SEALS bits (fcntl(2))
};

/// One seal bit and the STATUS word that shows it ("seal-write", ...; shmkit-ls(1)).
struct SealWord {
  unsigned bit;
  const char *word;
};

/// Every seal fcntl(2) knows, in the order STATUS shows them.
inline constexpr SealWord k_seal_words[] = {
    {0x0001, "seal-seal"},  {0x0002, "seal-shrink"},       {0x0004, "seal-grow"},
    {0x0008, "seal-write"}, {0x0010, "seal-future-write"}, {0x0020, "seal-exec"},
};

/// What `create` makes.
struct CreateSpec {
  SegmentRef ref;
  std::uint64_t size = 0;
  unsigned mode = 0600;
  bool hugetlb = false;   ///< SysV SHM_HUGETLB
  bool noreserve = false; ///< SysV SHM_NORESERVE
  bool allocate = false;  ///< POSIX/file: posix_fallocate the whole size
  bool exist_ok = false;  ///< accept an existing segment of the same kind, at least as large
};

} // namespace shmkit
