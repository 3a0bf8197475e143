#include "layout_option.hpp"

#include "shmkit/address.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace shmkit::cli {

namespace {

Error layout_error(Errc code, std::string message) {
  // A file that cannot be read is a mistake on the command line too: nothing was touched.
  if (code != Errc::out_of_range)
    code = Errc::invalid_argument;
  return make_error(code, std::move(message));
}

// Closes an fd when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

Error too_large(const std::string &shown) {
  return layout_error(Errc::invalid_argument, fmt::format("layout file {} is larger than {} KiB",
                                                          shown, k_layout_file_max >> 10));
}

Error unreadable(const std::string &shown, int err) {
  return layout_error(Errc::invalid_argument,
                      fmt::format("cannot read layout file {}: {}", shown, std::strerror(err)));
}

// The text of @FILE: a regular file no larger than k_layout_file_max. O_NONBLOCK, so that a
// FIFO nobody writes to is refused instead of waited for.
Result<std::string> read_layout_file(const std::string &path) {
  const std::string shown = escape_bytes(path);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return unreadable(shown, errno);
  const FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return layout_error(Errc::invalid_argument,
                        fmt::format("layout file {} is not a regular file", shown));
  if (static_cast<std::uint64_t>(st.st_size) > k_layout_file_max)
    return too_large(shown);
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return unreadable(shown, errno);
    if (n == 0)
      return text;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > k_layout_file_max) // it grew while being read
      return too_large(shown);
  }
}

} // namespace

Result<std::optional<Layout>> parse_layout_option(const Args &args) {
  if (!args.has("--layout"))
    return std::optional<Layout>();
  const std::string &value = args.value("--layout");
  std::string text;
  std::string prefix;
  if (!value.empty() && value[0] == '@') {
    auto read = read_layout_file(value.substr(1));
    if (!read)
      return std::move(read).error();
    text = std::move(*read);
    prefix = escape_bytes(value.substr(1)) + ": ";
  } else {
    text = value;
  }
  auto layout = parse_layout(text, args.has("--struct") ? args.value("--struct") : "");
  if (!layout) {
    Error e = std::move(layout).error();
    e.message = "layout: " + prefix + e.message;
    return layout_error(e.code, std::move(e.message));
  }
  return std::optional<Layout>(std::move(*layout));
}

Result<std::uint64_t> plan_layout_records(const Layout &layout, SegmentOptions &seg,
                                          const Args &args) {
  const std::uint64_t records = seg.count.value_or(1);
  if (records > UINT64_MAX / layout.size)
    return make_error(Errc::out_of_range,
                      fmt::format("invalid count '{}': too large", args.value("--count")));
  seg.length = records * layout.size;
  return records;
}

Result<void> check_layout_fits(const Layout &layout, std::uint64_t records, std::uint64_t offset,
                               std::uint64_t size, std::string_view shown) {
  const std::uint64_t stride = layout.size;
  const bool fits = offset <= size && records <= (size - offset) / stride;
  if (fits)
    return {};
  // The first record that does not fit whole, and its first field past the end.
  const std::uint64_t whole = offset <= size ? (size - offset) / stride : 0;
  const std::uint64_t start = offset + whole * stride;
  const LayoutField *first = nullptr;
  for (const LayoutField &f : layout.fields)
    if (start + f.offset + f.size > size && (first == nullptr || f.offset < first->offset))
      first = &f;
  const std::string record = records > 1 ? fmt::format(" (record {})", whole) : "";
  if (first != nullptr)
    return make_error(Errc::out_of_range,
                      fmt::format("field '{}' of the layout{} ends at offset {}, past the end of "
                                  "{} ({} bytes)",
                                  first->path, record, start + first->offset + first->size,
                                  shown, size));
  return make_error(Errc::out_of_range,
                    fmt::format("the layout{} ends at offset {}, past the end of {} ({} bytes)",
                                record, start + stride, shown, size));
}

} // namespace shmkit::cli
