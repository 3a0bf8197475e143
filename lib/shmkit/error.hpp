// Error model of the core library: an error code, the errno behind it, and a ready message.
#pragma once

#include <cerrno>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace shmkit {

/// What went wrong, independent of the errno that reported it.
enum class Errc {
  invalid_argument, ///< bad user input, found by a pure parser before any syscall (in cmd/, a
                    ///< planning error: exit 2); errno values never map here: the kernel's
                    ///< EINVAL is a runtime failure
  not_found,        ///< the segment or file does not exist (any more)
  exists,           ///< exclusive creation found something already there
  permission_denied,
  out_of_range,     ///< a number typed is outside what its type or option allows (parsers)
  past_end,         ///< at run time: an offset or length beyond the segment's current end, or
                    ///< input larger than the room it must fit in
  limit,            ///< a kernel or resource limit refuses it (SHMMAX, SHMMIN, memory)
  bad_data,         ///< the kernel (or a file standing in for it) gave text that does not parse
  busy,             ///< attached or mapped, and the caller did not force
  no_space,         ///< ENOSPC/ENOMEM/limits reached
  not_supported,    ///< the backend or the object cannot do this (e.g. not a regular file)
  changed,          ///< the segment changed under us (truncated, replaced, removed)
  io,               ///< any other system error
};

/// One error: code, the errno (0 when none) and a one-line lowercase message without a period.
struct Error {
  Errc code = Errc::io;
  int sys_errno = 0;
  std::string message;
};

/// Maps an errno value to the matching Errc (unknown values map to Errc::io).
Errc errc_from_errno(int err);

/// Builds an Error for a failed system call: "<what>: <strerror in lowercase>".
Error from_errno(int err, std::string what);

/// Builds an Error without an errno.
Error make_error(Errc code, std::string message);

/// A value or an Error, shaped like std::expected (which Debian 12's clang lacks).
template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T &value() & { return std::get<0>(m_v); }
  const T &value() const & { return std::get<0>(m_v); }
  T &&value() && { return std::get<0>(std::move(m_v)); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  const Error &error() const & { return std::get<1>(m_v); }
  Error &&error() && { return std::get<1>(std::move(m_v)); }

private:
  std::variant<T, Error> m_v;
};

template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}
  bool has_value() const noexcept { return m_ok; }
  explicit operator bool() const noexcept { return m_ok; }
  const Error &error() const & { return m_error; }
  Error &&error() && { return std::move(m_error); }

private:
  Error m_error;
  bool m_ok = true;
};

} // namespace shmkit
