#include "target.hpp"

#include "json.hpp"

#include <fmt/format.h>

#include <sys/sysmacros.h>

#include <cstring>
#include <string_view>

namespace shmkit::cli {

namespace {

// What use_target() found; written once, at start-up (target.hpp).
struct View {
  Paths paths;
  std::optional<Target> target;
  std::optional<pid_t> requested;
};

View &view() {
  static View k_view;
  return k_view;
}

constexpr std::string_view k_option = "--target";

} // namespace

const Paths &system_paths() { return view().paths; }

const Target *target_process() { return view().target ? &*view().target : nullptr; }

Result<void> use_target(std::optional<pid_t> pid) {
  if (!pid)
    return {};
  auto target = inspect_target(*pid, view().paths);
  if (!target)
    return std::move(target).error();
  if (auto entered = enter_ipc_namespace(*target); !entered)
    return entered;
  view().paths = target->paths;
  view().target = std::move(*target);
  return {};
}

bool is_target_option(std::string_view arg) {
  return arg == k_option || (arg.size() > k_option.size() && arg.starts_with(k_option) &&
                             arg[k_option.size()] == '=');
}

void request_target(std::optional<pid_t> pid) { view().requested = pid; }

std::optional<pid_t> requested_target() { return view().requested; }

Result<TopLevel> take_top_level(int argc, char **argv) {
  TopLevel top;
  top.argv.push_back(argv[0]);
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--" || arg.empty() || arg[0] != '-')
      break; // the subcommand: what follows is its own
    if (!is_target_option(arg)) {
      top.argv.push_back(argv[i]);
      continue;
    }
    std::string_view value;
    if (arg == k_option) {
      if (i + 1 >= argc)
        return make_error(Errc::invalid_argument, "option --target needs a value (a process id)");
      value = argv[++i];
    } else {
      value = arg.substr(k_option.size() + 1);
    }
    if (top.target)
      return make_error(Errc::invalid_argument, "option --target given twice");
    auto pid = parse_pid(value, k_option);
    if (!pid)
      return std::move(pid).error();
    top.target = *pid;
  }
  for (; i < argc; ++i)
    top.argv.push_back(argv[i]);
  return top;
}

std::string target_heading() {
  const Target *target = target_process();
  return target != nullptr ? target_header(*target) + '\n' : std::string();
}

void write_target_json(JsonWriter &json) {
  const Target *target = target_process();
  if (target == nullptr)
    return;
  json.key("target").object().field("pid", target->pid);
  json.text_field("command", target->command).field("ipc_ns", target->ipc_ns);
  json.key("dev_shm").object().field("path", "/dev/shm").key("dev");
  if (target->dev_shm_dev)
    json.string(fmt::format("{}:{}", major(*target->dev_shm_dev), minor(*target->dev_shm_dev)));
  else
    json.null();
  json.end().end();
}

void write_row_target(JsonWriter &json) {
  if (const Target *target = target_process())
    json.field("target", target->pid);
}

} // namespace shmkit::cli
