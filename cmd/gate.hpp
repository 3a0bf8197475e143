// Builds only the options a command line mentions. Every CLI11 option costs start-up
// instructions (DESIGN.md section 9: scripts call shmkit in loops), so register_<sub>() asks
// want() before adding each option; an option nobody typed is never constructed. When a token
// is not claimed by any option (a typo, an option value that starts with '-'), main() builds the
// full set again so CLI11 parses and reports exactly as if everything had been registered.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class Option;
}

namespace shmkit::cli {

/// True when the option was registered and appears on the command line (an option the gate
/// did not want was never registered: nullptr).
bool given(const CLI::Option *option);

class OptionGate {
public:
  /// Every option is wanted (help, completion, the rebuild after an unclaimed token).
  OptionGate() = default;
  /// Only the options that appear among `args` (the arguments after the subcommand).
  explicit OptionGate(std::vector<std::string_view> args);

  /// True when the option with these CLI11 names ("-o,--output") must be registered.
  bool want(std::string_view names);
  /// True when some option-like argument was not claimed by any want() call.
  bool has_unclaimed() const;

private:
  struct Token {
    std::string_view long_name; ///< "output" for --output / --output=x
    std::string_view shorts;    ///< "rJ" for -rJ
    bool claimed = false;
  };
  bool m_all = true;
  std::vector<Token> m_tokens;
};

} // namespace shmkit::cli
