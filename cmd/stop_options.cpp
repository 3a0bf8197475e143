#include "stop_options.hpp"

#include "shmkit/parse.hpp"

#include <fmt/format.h>

#include <string>

namespace shmkit::cli {

namespace {

// A positive duration option (--interval, --timeout); nullopt when not given.
Result<std::optional<std::chrono::milliseconds>>
positive_duration(const Args &args, std::string_view name, std::string_view what) {
  if (!args.has(name))
    return std::optional<std::chrono::milliseconds>();
  const std::string &text = args.value(name);
  auto parsed = parse_duration(text, what);
  if (!parsed)
    return std::move(parsed).error();
  if (parsed->count() == 0)
    return make_error(Errc::invalid_argument,
                      fmt::format("invalid {} '{}': must be positive", what, text));
  return std::optional(*parsed);
}

} // namespace

Result<StopOptions> parse_stop_options(const Args &args) {
  StopOptions o;
  auto interval = positive_duration(args, "--interval", "interval");
  if (!interval)
    return std::move(interval).error();
  o.interval = *interval;
  auto timeout = positive_duration(args, "--timeout", "timeout");
  if (!timeout)
    return std::move(timeout).error();
  o.timeout = *timeout;
  if (args.has("--changes")) {
    const std::string &text = args.value("--changes");
    auto changes = parse_uint(text, "number of changes");
    if (!changes)
      return std::move(changes).error();
    if (*changes == 0)
      return make_error(Errc::invalid_argument,
                        fmt::format("invalid number of changes '{}': must be positive", text));
    o.changes = *changes;
  }
  return o;
}

} // namespace shmkit::cli
