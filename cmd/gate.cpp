#include "gate.hpp"

#include <CLI/CLI.hpp>

namespace shmkit::cli {

bool given(const CLI::Option *option) { return option != nullptr && option->count() > 0; }

OptionGate::OptionGate(std::vector<std::string_view> args) : m_all(false) {
  for (std::string_view arg : args) {
    if (arg == "--")
      break;
    if (arg == "-h" || arg == "--help") {
      m_all = true;
      return;
    }
    if (arg.size() < 2 || arg[0] != '-')
      continue; // a positional or an option's value
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
