#include "gate.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

bool given(const CLI::Option *option) { return option != nullptr && option->count() > 0; }

bool is_negative_value(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-')
    return false;
  std::string_view rest = arg.substr(1);
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (digit(rest[0]) || (rest.size() > 1 && rest[0] == '.' && digit(rest[1])))
    return true;
  std::string lower;
  for (char c : rest)
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  return lower == "inf" || lower == "infinity" || lower == "nan";
}

namespace {

// How many of the following arguments an option takes: 0 (a flag) or 1; -1 when the rest of
// the command line cannot be reordered safely (an unknown option, or one that takes a list or
// an optional value: CLI11 decides those by what follows).
int values_taken(const CLI::App &sub, const std::string &name) {
  const CLI::Option *op = sub.get_option_no_throw(name);
  if (op == nullptr)
    return -1;
  const int min = op->get_items_expected_min();
  const int max = op->get_items_expected_max();
  if (max == 0)
    return 0;
  if (min == 1 && max == 1)
    return 1;
  return -1;
}

} // namespace

std::vector<std::string> negative_values_last(const CLI::App &sub,
                                              std::span<const char *const> args) {
  std::vector<std::string> options;
  std::vector<std::string> positionals;
  bool needed = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                         args.end());
      break;
    }
    if (is_negative_value(arg)) {
      needed = true;
      positionals.emplace_back(arg);
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positionals.emplace_back(arg);
      continue;
    }
    options.emplace_back(arg);
    int taken = 0;
    if (arg[1] == '-') {
      if (arg.find('=') != std::string_view::npos)
        continue; // --name=value
      taken = values_taken(sub, std::string(arg));
    } else {
      // A cluster: flags, then perhaps one option that takes the rest or the next argument.
      for (std::size_t at = 1; at < arg.size(); ++at) {
        taken = values_taken(sub, std::string{'-', arg[at]});
        if (taken != 0) {
          if (taken == 1 && at + 1 < arg.size())
            taken = 0; // -s8: the value is glued on
          break;
        }
      }
    }
    if (taken < 0)
      return {};
    if (taken == 1 && i + 1 < args.size())
      options.emplace_back(args[++i]);
  }
  if (!needed)
    return {};
  options.emplace_back("--");
  options.insert(options.end(), positionals.begin(), positionals.end());
  return options;
}

OptionGate::OptionGate(std::vector<std::string_view> args) : m_all(false) {
  for (std::string_view arg : args) {
    if (arg == "--")
      break;
    if (arg == "-h" || arg == "--help") {
      m_all = true;
      return;
    }
    if (arg.size() < 2 || arg[0] != '-' || is_negative_value(arg))
      continue; // a positional or an option's value (-5, -nan: values, never options)
    Token token;
    if (arg[1] == '-')
      token.long_name = arg.substr(2, arg.find('=') == std::string_view::npos
                                          ? std::string_view::npos
                                          : arg.find('=') - 2);
    else
      token.shorts = arg.substr(1);
    m_tokens.push_back(token);
  }
}

bool OptionGate::want(std::string_view names) {
  if (m_all)
    return true;
  bool wanted = false;
  while (!names.empty()) {
    auto comma = names.find(',');
    std::string_view name = names.substr(0, comma);
    names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
    bool is_long = name.size() > 2 && name[0] == '-' && name[1] == '-';
    bool is_short = name.size() == 2 && name[0] == '-';
    for (auto &token : m_tokens) {
      if (is_long && token.long_name == name.substr(2)) {
        token.claimed = true;
        wanted = true;
      } else if (is_short && !token.shorts.empty()) {
        // "-rJ" may combine flags and "-oCOLS" glue a value: any letter may be an option.
        // Registering one too many costs only time; the first letter must be an option.
        auto at = token.shorts.find(name[1]);
        if (at != std::string_view::npos) {
          wanted = true;
          if (at == 0)
            token.claimed = true;
        }
      }
    }
  }
  return wanted;
}

bool OptionGate::has_unclaimed() const {
  if (m_all)
    return false;
  for (const auto &token : m_tokens)
    if (!token.claimed)
      return true;
  return false;
}

} // namespace shmkit::cli
