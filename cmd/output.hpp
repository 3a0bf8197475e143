// Everything the shmkit binary prints goes through here: one buffered stdout, the
// "shmkit: error:" convention and colour decisions (shmkit(1) CONVENTIONS). JSON is json.hpp.
#pragma once

#include "json.hpp" // append_json_string, is_valid_utf8, to_hex (moved there)

#include "shmkit/error.hpp"
#include "shmkit/signals.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace shmkit::cli {

/// Exit statuses (shmkit(1) EXIT STATUS).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_timeout = 124;

/// The single stdout buffer. Data is appended and written in large blocks; write errors are
/// remembered and reported once by finish().
///
/// A command that runs until stopped (watch) must never hang in write(2) on a pipe whose reader
/// stopped reading: its stop signals are blocked, so the write would restart forever. It calls
/// stop_with(), and from then on a flush waits for standard output with poll(2) and writes
/// only what the file can take without blocking (pipes, FIFOs, terminals and other character
/// devices: at most PIPE_BUF bytes per POLLOUT, which a pipe with one free buffer slot always
/// takes whole; sockets: send(MSG_DONTWAIT)). O_NONBLOCK is never set: it belongs to the open
/// file description, which the shell and the other processes of a pipeline share. When the
/// Stopper becomes due (a stop signal, the deadline) the flush gives up, drops what is left and
/// all later output (abandoned()), and the command exits for the Stopper's reason.
class Stdout {
public:
  static Stdout &get();
  void write(std::string_view data);
  void put(char c) {
    m_buffer.push_back(c);
    if (m_buffer.size() >= k_flush_at)
      flush();
  }
  std::string &buffer() { return m_buffer; }
  /// Writes out what is buffered if it is large (call after appending to buffer()).
  void maybe_flush() {
    if (m_buffer.size() >= k_flush_at)
      flush();
  }
  /// Makes room once for bulk output appended in chunks of at most `chunk` bytes, each followed
  /// by maybe_flush(): the buffer then never grows, which would copy and touch it twice.
  void reserve_bulk(std::size_t chunk) { m_buffer.reserve(k_flush_at + chunk); }
  /// Writes everything buffered now (e.g. before blocking, so events appear at once).
  void flush();
  /// True once a write failed; further output is dropped.
  bool failed() const { return m_errno != 0; }
  /// Makes later flushes (and error messages) wait with `stopper` instead of blocking in
  /// write(2), see above; nullptr makes them plain again. `stopper` must outlive that.
  void stop_with(Stopper *stopper) { m_stopper = stopper; }
  Stopper *stopper() const { return m_stopper; }
  /// Like flush(), but writes what standard output takes at once even when the Stopper is
  /// already due (the `timeout` event after the deadline); what it does not take at once is
  /// dropped, as after a flush that gave up.
  void flush_if_ready();
  /// True once a flush gave up because the Stopper became due (its reason() says why); its
  /// output and all later output are dropped, and finish() reports nothing.
  bool abandoned() const { return m_abandoned; }
  int error_number() const { return m_errno; }
  /// Flushes and turns a write error into the exit status: EPIPE stays silent (status
  /// unchanged), anything else prints "shmkit: error: write error: ..." and gives 1.
  int finish(int status);

private:
  static constexpr std::size_t k_flush_at = 1 << 18;
  std::string m_buffer;
  int m_errno = 0;
  Stopper *m_stopper = nullptr;
  bool m_abandoned = false;
};

/// While alive, stdout (and messages) wait for a reader with `stop` instead of blocking in
/// write(2); afterwards, plain writes again (main()'s final flush). watch and attach hold one.
class StopScope {
public:
  explicit StopScope(Stopper &stop) { Stdout::get().stop_with(&stop); }
  ~StopScope() { Stdout::get().stop_with(nullptr); }
  StopScope(const StopScope &) = delete;
  StopScope &operator=(const StopScope &) = delete;
};

/// The text of a message made safe for a terminal: control characters (C0, DEL, C1) and invalid
/// UTF-8 become \xHH; spaces and printable UTF-8 stay: lib's printable_text(), so a message
/// shows the same whether lib or cmd quoted it. print_error(), print_warning() and
/// usage_error() apply it, so no message can carry an escape sequence (issue 8 defect 18).
std::string escape_message(std::string_view text);

/// Prints "shmkit: error: MESSAGE" on stderr.
void print_error(std::string_view message);
/// Prints "shmkit: warning: MESSAGE" on stderr.
void print_warning(std::string_view message);
/// Prints a usage error with the "Try 'shmkit SUB --help'" line; returns k_exit_usage.
int usage_error(std::string_view sub, std::string_view message);
/// Prints the error and returns k_exit_usage for invalid_argument, else k_exit_failure.
int report(const Error &error);

/// --color values.
enum class ColorMode { auto_detect, always, never };
/// Resolves --color: auto means stdout is a tty, TERM is not "dumb" and NO_COLOR is unset or
/// empty.
bool use_color(ColorMode mode);

/// Appends the standard footer "See shmkit-SUB(1)." to a subcommand's help.
void set_footer(CLI::App &sub, std::string_view name);

} // namespace shmkit::cli
