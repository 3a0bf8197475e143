// Builds only the options a command line mentions. Every CLI11 option costs start-up
// instructions (cmd/README.md, where the time goes: scripts call shmkit in loops), so register_<sub>() asks
// want() before adding each option; an option nobody typed is never constructed. When a token
// is not claimed by any option (a typo, an option value that starts with '-'), main() builds the
// full set again so CLI11 parses and reports exactly as if everything had been registered.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace shmkit::cli {

/// True when the option was registered and appears on the command line (an option the gate
/// did not want was never registered: nullptr).
bool given(const CLI::Option *option);

/// True when `arg` reads as a negative number: "-5", "-.5", "-1e3", "-inf", "-infinity" or
/// "-nan" in any case (what `read --type` prints). Such an argument is a value, never a cluster
/// of short options (issue 8 defect 17).
bool is_negative_value(std::string_view arg);

/// The arguments after the subcommand, reordered so that CLI11 takes every negative value
/// (is_negative_value) that is not an option's value as a positional: the options with their
/// values first, then "--", then the positionals in their order. CLI11 itself reads "-nan" as
/// "-n an" and "-inf" as an unknown option. Empty when nothing needs moving, or when an option
/// whose arity depends on what follows makes reordering unsafe.
std::vector<std::string> negative_values_last(const CLI::App &sub,
                                              std::span<const char *const> args);

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
