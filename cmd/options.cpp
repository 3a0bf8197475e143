#include "options.hpp"

#include "gate.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace shmkit::cli {

namespace {

bool is_positional(Arity arity) {
  return arity == Arity::positional || arity == Arity::positional_opt ||
         arity == Arity::positionals || arity == Arity::positionals_req;
}

// Calls f(name) for each name of a comma-separated list.
template <typename F> void for_each_name(std::string_view list, F f) {
  while (!list.empty()) {
    auto comma = list.find(',');
    f(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
}

CLI::Option *add_row(CLI::App &sub, const OptionSpec &spec, Args::Slot &slot) {
  std::string names(spec.names);
  std::string help(spec.help);
  CLI::Option *option = nullptr;
  switch (spec.arity) {
  case Arity::flag:
    return sub.add_flag(names, slot.flags, help);
  case Arity::one:
  case Arity::positional:
  case Arity::positional_opt:
    option = sub.add_option(names, slot.value, help);
    break;
  case Arity::many:
    option = sub.add_option(names, slot.values, help)
                 ->expected(1)
                 ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    break;
  case Arity::positionals:
  case Arity::positionals_req:
    option = sub.add_option(names, slot.values, help);
    break;
  }
  option->type_name(std::string(spec.value_name));
  if (spec.arity == Arity::positional || spec.arity == Arity::positionals_req)
    option->required();
  return option;
}

} // namespace

std::string_view long_name(const OptionSpec &spec) {
  if (is_positional(spec.arity))
    return spec.names;
  std::string_view found = spec.names;
  for_each_name(spec.names, [&](std::string_view name) {
    if (name.size() > 2 && name.substr(0, 2) == "--")
      found = name;
  });
  return found;
}

const Args::Slot *Args::find(std::string_view name) const {
  for (const auto &slot : m_slots)
    if (slot.name == name)
      return &slot;
  return nullptr;
}

bool Args::has(std::string_view name) const {
  const Slot *slot = find(name);
  return slot != nullptr && slot->option != nullptr && slot->option->count() > 0;
}

std::size_t Args::count(std::string_view name) const {
  const Slot *slot = find(name);
  return slot == nullptr || slot->flags < 0 ? 0 : static_cast<std::size_t>(slot->flags);
}

const std::string &Args::value(std::string_view name) const {
  static const std::string k_empty;
  const Slot *slot = find(name);
  return slot == nullptr ? k_empty : slot->value;
}

const std::vector<std::string> &Args::values(std::string_view name) const {
  static const std::vector<std::string> k_none;
  const Slot *slot = find(name);
  return slot == nullptr ? k_none : slot->values;
}

std::shared_ptr<Args> register_options(CLI::App &sub, OptionGate &gate,
                                       std::span<const OptionSpec> table) {
  auto args = std::make_shared<Args>();
  // Every slot exists before any is bound: CLI11 keeps pointers into them.
  args->slots().resize(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const OptionSpec &spec = table[i];
    Args::Slot &slot = args->slots()[i];
    slot.name = std::string(long_name(spec));
    if (is_positional(spec.arity) || gate.want(spec.names))
      slot.option = add_row(sub, spec, slot);
  }
  return args;
}

Result<void> check_rules(std::span<const OptionSpec> table, const Args &args) {
  for (const OptionSpec &spec : table) {
    std::string_view name = long_name(spec);
    if (!args.has(name))
      continue;
    std::string problem;
    for_each_name(spec.excludes, [&](std::string_view other) {
      if (problem.empty() && args.has(other))
        problem = fmt::format("{} and {} exclude each other", name, other);
    });
    for_each_name(spec.needs, [&](std::string_view other) {
      if (problem.empty() && !args.has(other))
        problem = fmt::format("{} needs {}", name, other);
    });
    if (!problem.empty())
      return make_error(Errc::invalid_argument, std::move(problem));
  }
  return {};
}

} // namespace shmkit::cli
