#include "shmkit/error.hpp"

#include <cctype>
#include <cstring>

namespace shmkit {

Errc errc_from_errno(int err) {
  switch (err) {
  case ENOENT:
  case EIDRM:
    return Errc::not_found;
  case EEXIST:
    return Errc::exists;
  case EACCES:
  case EPERM:
  case EROFS:
    return Errc::permission_denied;
  case ENOSPC:
  case ENOMEM:
  case EFBIG:
  case EDQUOT:
  case EMFILE:
  case ENFILE:
    return Errc::no_space;
  case EBUSY:
  case ETXTBSY:
    return Errc::busy;
  case ENOSYS:
  case EOPNOTSUPP:
    return Errc::not_supported;
  default:
    return Errc::io;
  }
}

Error from_errno(int err, std::string what) {
  std::string text = std::strerror(err);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return Error{errc_from_errno(err), err, std::move(what) + ": " + text};
}

Error make_error(Errc code, std::string message) { return Error{code, 0, std::move(message)}; }

} // namespace shmkit
