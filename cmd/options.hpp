// The declarative option table of a subcommand: one row per option or positional, registered
// through the start-up gate (gate.hpp), so that each option is spelled exactly once and only
// the options a command line mentions are built. The rules between options (needs, excludes)
// are data in the same rows, checked in one place (check_rules) after parsing.
#pragma once

#include "shmkit/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
} // namespace CLI

namespace shmkit::cli {

class OptionGate;

/// How many values an option or positional takes.
enum class Arity {
  flag,            ///< no value: --yes (may be repeated: -vv)
  one,             ///< one value: --size 1M (given twice: the last one wins, as in CLI11)
  many,            ///< repeatable, one value each time: --owner a --owner b
  positional,      ///< one required positional: SEGMENT
  positional_opt,  ///< one optional positional
  positionals,     ///< zero or more positionals: SEGMENT...
  positionals_req, ///< one or more positionals
};

/// One row of a subcommand's option table.
struct OptionSpec {
  /// CLI11 names: "-o,--output" or "--yes"; for positionals the value name ("SEGMENT").
  std::string_view names;
  std::string_view help;
  /// The value's name in --help ("SIZE"); empty for flags.
  std::string_view value_name = {};
  Arity arity = Arity::one;
  /// Comma-separated long names (with "--") this option needs / cannot be combined with.
  std::string_view needs = {};
  std::string_view excludes = {};
};

/// What the command line gave, by long name ("--size") or positional name ("SEGMENT").
class Args {
public:
  /// True when the option or positional was given at least once.
  bool has(std::string_view name) const;
  /// How many times a flag was given (-vv is 2).
  std::size_t count(std::string_view name) const;
  /// The value of a one-valued option or positional ("" when not given).
  const std::string &value(std::string_view name) const;
  /// Every value of a repeatable option or of positionals, in command-line order.
  const std::vector<std::string> &values(std::string_view name) const;

  /// Storage bound to CLI11 at registration (one slot per table row).
  struct Slot {
    std::string name;                ///< the long name or the positional name
    std::string value;               ///< Arity::one and positional(_opt)
    std::vector<std::string> values; ///< Arity::many and positionals(_req)
    std::int64_t flags = 0;          ///< Arity::flag: CLI11 counts into this
    const CLI::Option *option = nullptr; ///< nullptr when the gate did not want the row
  };
  std::vector<Slot> &slots() { return m_slots; }
  const std::vector<Slot> &slots() const { return m_slots; }

private:
  const Slot *find(std::string_view name) const;
  std::vector<Slot> m_slots;
};

/// The long name of a row ("--output" for "-o,--output"; "SEGMENT" for a positional).
std::string_view long_name(const OptionSpec &spec);

/// Adds the rows the gate wants to `sub` (every row when the gate wants all) and returns the
/// Args they fill while CLI11 parses. The returned object must outlive the parse.
std::shared_ptr<Args> register_options(CLI::App &sub, OptionGate &gate,
                                       std::span<const OptionSpec> table);

/// Checks the needs/excludes rules of `table` against what was given. Fails with
/// invalid_argument: "--a and --b exclude each other", "--a needs --b".
Result<void> check_rules(std::span<const OptionSpec> table, const Args &args);

} // namespace shmkit::cli
