#include "shmkit/mapping.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <csetjmp>
#include <csignal>
#include <cstring>

namespace shmkit {

void Mapping::reset() noexcept {
  if (m_base == nullptr)
    return;
  if (m_release == Release::shmdt)
    ::shmdt(m_base);
  else
    ::munmap(m_base, m_mapped);
  m_base = nullptr;
  m_size = 0;
  m_mapped = 0;
}

void PageLock::release() noexcept {
  if (m_base != nullptr)
    ::syscall(SYS_munlock, m_base, m_length); // see lock_range()
  if (m_shmid >= 0)
    ::shmctl(m_shmid, SHM_UNLOCK, nullptr);
  m_base = nullptr;
  m_length = 0;
  m_shmid = -1;
}

int lock_range(const void *base, std::size_t length) noexcept {
  return static_cast<int>(::syscall(SYS_mlock, base, length));
}

std::string memlock_limit_text() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_MEMLOCK, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return "unlimited";
  return fmt::format("{} bytes", limit.rlim_cur);
}

namespace {

// Touching a page of a POSIX object or file beyond its (shrunk) end raises SIGBUS
// (lib/README.md, kernel facts). The handler jumps back to the guarded call instead of dying.
thread_local sigjmp_buf t_jump;
thread_local volatile sig_atomic_t t_armed = 0;

void on_sigbus(int) {
  if (t_armed)
    siglongjmp(t_jump, 1);
  ::signal(SIGBUS, SIG_DFL);
  ::raise(SIGBUS);
}

} // namespace

bool run_sigbus_guarded(void (*fn)(void *), void *ctx) noexcept {
  struct sigaction action {};
  struct sigaction previous {};
  action.sa_handler = on_sigbus;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_NODEFER;
  ::sigaction(SIGBUS, &action, &previous);
  bool ok = true;
  if (sigsetjmp(t_jump, 1) == 0) {
    t_armed = 1;
    fn(ctx);
  } else {
    ok = false;
  }
  t_armed = 0;
  ::sigaction(SIGBUS, &previous, nullptr);
  return ok;
}

bool guarded_copy(void *dst, const void *src, std::size_t n) noexcept {
  return sigbus_guarded([&] { std::memcpy(dst, src, n); });
}

bool guarded_store(void *p, std::uint64_t value, unsigned width) noexcept {
  return sigbus_guarded([&] {
    switch (width) {
    case 1:
      __atomic_store_n(static_cast<std::uint8_t *>(p), static_cast<std::uint8_t>(value),
                       __ATOMIC_SEQ_CST);
      break;
    case 2:
      __atomic_store_n(static_cast<std::uint16_t *>(p), static_cast<std::uint16_t>(value),
                       __ATOMIC_SEQ_CST);
      break;
    case 4:
      __atomic_store_n(static_cast<std::uint32_t *>(p), static_cast<std::uint32_t>(value),
                       __ATOMIC_SEQ_CST);
      break;
    case 8:
      __atomic_store_n(static_cast<std::uint64_t *>(p), value, __ATOMIC_SEQ_CST);
      break;
    default:
      break;
    }
  });
}

int guarded_compare(const void *shared, const void *snapshot, std::size_t n) noexcept {
  int result = 0;
  bool ok = sigbus_guarded([&] { result = std::memcmp(shared, snapshot, n) == 0 ? 0 : 1; });
  return ok ? result : -1;
}

} // namespace shmkit
