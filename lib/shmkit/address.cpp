#include "shmkit/address.hpp"

#include "shmkit/parse.hpp"
#include "shmkit/text.hpp"

#include <fmt/format.h>

#include <sys/ipc.h>

#include <cerrno>
#include <cstdint>
#include <limits>

namespace shmkit {

namespace {

constexpr std::string_view k_hex_digits = "0123456789abcdef";
constexpr std::int64_t k_max_pid = std::numeric_limits<pid_t>::max();
constexpr std::int64_t k_max_fd = std::numeric_limits<int>::max();

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Length of the valid UTF-8 sequence at s[i] that may be shown as is, or 0 when the byte
// must be escaped: C1 control characters are escaped like C0 ones.
std::size_t printable_utf8_length(std::string_view s, std::size_t i) {
  std::size_t len = utf8_sequence_length(s, i);
  if (len >= 2) {
    char32_t cp = utf8_code_point(s, i, len);
    if (cp >= 0x80 && cp <= 0x9f)
      return 0;
  }
  return len;
}

// unescape_bytes(), but strict: "\\x" must be followed by two hex digits. A "\\x", "\\x4" or
// "\\xZZ" taken literally would name another object than the user meant (issue 8 defect 19f).
Result<std::string> decode_escapes(std::string_view text) {
  for (std::size_t i = text.find("\\x"); i != std::string_view::npos; i = text.find("\\x", i + 1)) {
    std::size_t digits = 0;
    while (digits < 2 && i + 2 + digits < text.size() && hex_digit_value(text[i + 2 + digits]) >= 0)
      ++digits;
    if (digits < 2) {
      std::string_view shown = text.substr(i + 2, 2);
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid escape '\\x{}' in address: \\x needs two hex digits "
                                    "(a backslash is \\x5c)",
                                    escape_bytes(shown)));
    }
    i += 3;
  }
  return unescape_bytes(text);
}

Result<SegmentRef> posix_ref(std::string_view name) {
  if (!name.empty() && name[0] == '/')
    name.remove_prefix(1);
  auto unescaped = decode_escapes(name);
  if (!unescaped)
    return std::move(unescaped).error();
  std::string decoded = std::move(*unescaped);
  if (auto ok = validate_posix_name(decoded); !ok)
    return std::move(ok).error();
  SegmentRef ref;
  ref.kind = Kind::posix;
  ref.by = SegmentRef::By::name;
  ref.text = std::move(decoded);
  return ref;
}

Result<SegmentRef> file_ref(std::string_view path) {
  if (path.empty())
    return make_error(Errc::invalid_argument, "invalid address 'file:': empty path");
  SegmentRef ref;
  ref.kind = Kind::file;
  ref.by = SegmentRef::By::path;
  auto decoded = decode_escapes(path);
  if (!decoded)
    return std::move(decoded).error();
  ref.text = std::move(*decoded);
  if (ref.text.find('\0') != std::string::npos)
    return make_error(Errc::invalid_argument, "invalid file path: contains a NUL byte");
  return ref;
}

Result<SegmentRef> key_ref(std::string_view text, AddressUse use) {
  SegmentRef ref;
  ref.kind = Kind::sysv;
  if (text == "auto" || text == "private") {
    if (use != AddressUse::create)
      return make_error(Errc::invalid_argument,
                        fmt::format("key:{} is only valid for create", text));
    ref.by = text == "auto" ? SegmentRef::By::key_auto : SegmentRef::By::key_private;
    return ref;
  }
  auto key = parse_key(text);
  if (!key)
    return std::move(key).error();
  if (*key == 0)
    return make_error(Errc::invalid_argument,
                      use == AddressUse::create
                          ? "key 0 is IPC_PRIVATE: use key:private"
                          : "key 0 is IPC_PRIVATE and names no segment: use id:N");
  ref.by = SegmentRef::By::key;
  ref.number = *key;
  return ref;
}

Result<SegmentRef> ftok_ref(std::string_view spec) {
  // PROJ is what follows the last ':', unless that holds a '/' (then the ':' is in a directory
  // name). It is checked before the file is looked at: a bad PROJ is a usage error, not a
  // missing file (issue 8 defect 19e). A ':' in the file's own name is written \x3a.
  std::string_view path_text = spec;
  int proj = 1;
  if (auto colon = spec.rfind(':'); colon != std::string_view::npos) {
    std::string_view tail = spec.substr(colon + 1);
    if (tail.find('/') == std::string_view::npos) {
      path_text = spec.substr(0, colon);
      if (all_digits(tail)) {
        auto value = parse_uint(tail, "ftok project id", 255);
        if (!value)
          return std::move(value).error();
        proj = static_cast<int>(*value);
      } else if (tail.size() == 1) {
        proj = static_cast<unsigned char>(tail[0]);
      } else {
        proj = 0;
      }
      if (proj == 0)
        return make_error(
            Errc::invalid_argument,
            fmt::format("invalid ftok project id '{}': must be 1..255 or one character",
                        escape_bytes(tail)));
    }
  }
  if (path_text.empty())
    return make_error(Errc::invalid_argument, "invalid address 'ftok:': empty path");
  auto decoded = decode_escapes(path_text);
  if (!decoded)
    return std::move(decoded).error();
  std::string path = std::move(*decoded);
  if (path.find('\0') != std::string::npos)
    return make_error(Errc::invalid_argument, "invalid ftok path: contains a NUL byte");
  // The key is computed when the segment is used (ftok_key): parsing makes no system call,
  // so a missing file is a runtime failure like a missing segment (exit 1, not 2).
  SegmentRef ref;
  ref.kind = Kind::sysv;
  ref.by = SegmentRef::By::ftok;
  ref.text = std::move(path);
  ref.number = static_cast<std::uint64_t>(proj);
  return ref;
}

// memfd:PID:FD, both decimal: PID 1..pid_t's maximum, FD 0..INT_MAX. Checked before any
// system call; whether PID holds a memfd on FD is the backend's question.
Result<SegmentRef> memfd_ref(std::string_view spec) {
  auto invalid = [&](std::string_view why) {
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid address 'memfd:{}': {} (use memfd:PID:FD)",
                                  escape_bytes(spec), why));
  };
  std::size_t colon = spec.find(':');
  if (spec.empty() || colon == 0)
    return invalid("missing PID");
  if (colon == std::string_view::npos)
    return invalid("missing FD");
  std::string_view pid_text = spec.substr(0, colon);
  std::string_view fd_text = spec.substr(colon + 1);
  if (fd_text.empty())
    return invalid("missing FD");
  if (fd_text.find(':') != std::string_view::npos)
    return invalid("too many parts");
  if (!all_digits(pid_text))
    return invalid("PID is not a decimal number");
  if (!all_digits(fd_text))
    return invalid("FD is not a decimal number");
  auto pid = parse_uint(pid_text, "memfd pid", static_cast<std::uint64_t>(k_max_pid));
  if (!pid)
    return std::move(pid).error();
  if (*pid == 0)
    return invalid("PID 0 is no process");
  auto fd = parse_uint(fd_text, "memfd fd", static_cast<std::uint64_t>(k_max_fd));
  if (!fd)
    return std::move(fd).error();
  SegmentRef ref;
  ref.kind = Kind::memfd;
  ref.by = SegmentRef::By::memfd;
  ref.number = *pid;
  ref.fd = static_cast<int>(*fd);
  return ref;
}

} // namespace

Result<void> validate_posix_name(std::string_view name) {
  if (name.empty())
    return make_error(Errc::invalid_argument, "invalid posix name: empty");
  if (name == "." || name == "..")
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid posix name '{}': not an object name", name));
  if (name.find('/') != std::string_view::npos)
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid posix name '{}': contains '/'", escape_bytes(name)));
  if (name.find('\0') != std::string_view::npos)
    return make_error(Errc::invalid_argument, "invalid posix name: contains a NUL byte");
  if (name.size() > 255)
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid posix name: {} bytes long, at most 255", name.size()));
  return {};
}

std::string escape_bytes(std::string_view raw) {
  // Most names need no escaping at all: check first, then copy in one go.
  bool plain = true;
  for (char ch : raw) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c >= 0x7f || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain)
    return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    auto c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x21 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (std::size_t len = printable_utf8_length(raw, i); len != 0) {
        out.append(raw.substr(i, len));
        i += len;
        continue;
      }
    }
    out += "\\x";
    out.push_back(k_hex_digits[c >> 4]);
    out.push_back(k_hex_digits[c & 0xf]);
    ++i;
  }
  return out;
}

std::string unescape_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
        hex_digit_value(text[i + 2]) >= 0 && hex_digit_value(text[i + 3]) >= 0) {
      out.push_back(static_cast<char>(hex_digit_value(text[i + 2]) * 16 + hex_digit_value(text[i + 3])));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<SegmentRef> parse_address(std::string_view text, AddressUse use) {
  if (text.empty())
    return make_error(Errc::invalid_argument, "invalid address: empty");
  if (starts_with(text, "id:")) {
    auto id = parse_shmid(text.substr(3));
    if (!id)
      return std::move(id).error();
    SegmentRef ref;
    ref.kind = Kind::sysv;
    ref.by = SegmentRef::By::id;
    ref.number = static_cast<std::uint64_t>(*id);
    return ref;
  }
  if (starts_with(text, "key:"))
    return key_ref(text.substr(4), use);
  if (starts_with(text, "ftok:"))
    return ftok_ref(text.substr(5));
  if (starts_with(text, "posix:"))
    return posix_ref(text.substr(6));
  if (starts_with(text, "file:"))
    return file_ref(text.substr(5));
  if (starts_with(text, "memfd:"))
    return memfd_ref(text.substr(6));
  if (starts_with(text, "0x") || starts_with(text, "0X"))
    return key_ref(text, use);
  if (all_digits(text))
    return parse_address(fmt::format("id:{}", text), use);
  if (starts_with(text, "./") || starts_with(text, "../") ||
      text.find('/', text[0] == '/' ? 1 : 0) != std::string_view::npos)
    return file_ref(text);
  return posix_ref(text);
}

const char *kind_name(Kind kind) {
  switch (kind) {
  case Kind::sysv:
    return "sysv";
  case Kind::posix:
    return "posix";
  case Kind::file:
    return "file";
  case Kind::memfd:
    return "memfd";
  }
  return "?";
}

Result<SegmentRef> ftok_key(const SegmentRef &ref, FtokFunction ftok_fn) {
  if (ref.by != SegmentRef::By::ftok)
    return ref;
  if (ftok_fn == nullptr)
    ftok_fn = ::ftok;
  errno = 0;
  key_t key = ftok_fn(ref.text.c_str(), static_cast<int>(ref.number));
  // ftok(3) returns -1 on failure and also for a file whose key is 0xffffffff (project id 255,
  // device minor 0xff, inode ending in 0xffff): only errno tells them apart (issue 13, found by
  // tests/fuzz/address.cpp).
  if (key == -1 && errno != 0)
    return from_errno(errno, fmt::format("cannot compute ftok key of {}", escape_bytes(ref.text)));
  SegmentRef resolved;
  resolved.kind = Kind::sysv;
  resolved.by = SegmentRef::By::key;
  resolved.number = static_cast<std::uint32_t>(key);
  return resolved;
}

std::string SegmentRef::to_string() const {
  switch (by) {
  case By::id:
    return fmt::format("id:{}", number);
  case By::key:
    return fmt::format("key:0x{:08x}", number);
  case By::key_auto:
    return "key:auto";
  case By::key_private:
    return "key:private";
  case By::ftok:
    return fmt::format("ftok:{}:{}", escape_bytes(text), number);
  case By::name:
    return "posix:/" + escape_bytes(text);
  case By::path:
    return "file:" + escape_bytes(text);
  case By::memfd:
    return fmt::format("memfd:{}:{}", number, fd);
  }
  return {};
}

} // namespace shmkit
