// The segment-address grammar (shmkit(1) ADDRESSING SEGMENTS, a contract).
#pragma once

#include "shmkit/error.hpp"
#include "shmkit/segment.hpp"

#include <sys/types.h>

#include <string>
#include <string_view>

namespace shmkit {

/// Whether key:auto and key:private are allowed (only `create` makes new keys).
enum class AddressUse { existing, create };

/// Parses one address: id:, key:, ftok:, posix:, file: and the shorthands. `\xHH` escapes in
/// names and paths are decoded, so escaped names printed by ls round-trip; a `\x` without two
/// hex digits is refused. ftok: checks PROJ (what follows the last ':' when it has no '/');
/// the key itself is computed when the segment is used (ftok_key()), so parsing makes no
/// system call. Fails with invalid_argument or out_of_range (bad grammar, name, escape or
/// PROJ).
Result<SegmentRef> parse_address(std::string_view text, AddressUse use = AddressUse::existing);

/// The shape of ftok(3): the seam through which ftok_key() looks at the file system (the fuzz
/// target and the unit tests pass a pure stand-in).
using FtokFunction = key_t (*)(const char *path, int proj);

/// Computes the SysV key of an ftok: address with `ftok_fn` (nullptr: ftok(3)) and returns it as
/// a key: address; any other address is returned as it is, without calling `ftok_fn`. Fails
/// with not_found or permission_denied (the file), as a system call does.
Result<SegmentRef> ftok_key(const SegmentRef &ref, FtokFunction ftok_fn = nullptr);

/// Checks a POSIX name (without leading '/'): not empty, not "." or "..", no '/', at most
/// 255 bytes. Fails with invalid_argument.
Result<void> validate_posix_name(std::string_view name);

/// Escapes bytes for display: control characters, DEL, backslash and invalid UTF-8 become
/// \xHH; valid UTF-8 is kept. parse_address() decodes the result back.
std::string escape_bytes(std::string_view raw);

/// Decodes \xHH escapes (the inverse of escape_bytes); other backslashes are kept.
std::string unescape_bytes(std::string_view text);

} // namespace shmkit
