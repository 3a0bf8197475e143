#include "output.hpp"

#include "shmkit/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace shmkit::cli {

namespace {

// Writes all of data to fd in one blocking loop. Returns 0 or the errno of the failed write.
int write_blocking(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errno;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

enum class Written { all, failed, stopped };

// Whether a due Stopper wins over a file that could take the data now (stdout: a stopped
// command prints nothing more) or not (an error message is still written if it fits now).
enum class Priority { stop_first, write_first };

// Writes data to fd without ever blocking indefinitely in write(2) (see Stdout): waits for
// POLLOUT with the stopper, then writes only what cannot block. `error` gets the errno of a
// failed write.
Written write_stoppable(int fd, std::string_view data, Stopper &stopper, Priority first,
                        int &error) {
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    // Disks do not wait for a reader.
    error = write_blocking(fd, data);
    return error == 0 ? Written::all : Written::failed;
  }
  const bool socket = S_ISSOCK(st.st_mode);
  std::size_t done = 0;
  while (done < data.size()) {
    bool ready = false;
    if (first == Priority::write_first) {
      struct pollfd now {};
      now.fd = fd;
      now.events = POLLOUT;
      ready = ::poll(&now, 1, 0) > 0;
    }
    if (!ready && !stopper.wait_writable(fd))
      return Written::stopped;
    std::size_t left = data.size() - done;
    ssize_t n = socket ? ::send(fd, data.data() + done, left, MSG_DONTWAIT | MSG_NOSIGNAL)
                       : ::write(fd, data.data() + done, std::min<std::size_t>(left, PIPE_BUF));
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
      continue; // another writer took the room, or O_NONBLOCK set by someone else: wait again
    if (n < 0) {
      error = errno;
      return Written::failed;
    }
    done += static_cast<std::size_t>(n);
  }
  return Written::all;
}

// One message on stderr; while a Stopper is in force it cannot hang on a full pipe either.
// Otherwise what standard output holds goes out first, so that messages and output keep their
// order on a terminal or in one file (`rm -v --all` with an error between its lines), as with
// stdio's line-buffered stdout; a command under a Stopper (watch, attach) writes the message at
// once instead, so that a stalled reader of its output never delays it.
void write_stderr(std::string_view line) {
  if (Stopper *stopper = Stdout::get().stopper()) {
    int error = 0;
    write_stoppable(STDERR_FILENO, line, *stopper, Priority::write_first, error);
    return;
  }
  Stdout::get().flush();
  write_blocking(STDERR_FILENO, line);
}

} // namespace

Stdout &Stdout::get() {
  static Stdout out;
  return out;
}

void Stdout::write(std::string_view data) {
  m_buffer.append(data);
  if (m_buffer.size() >= k_flush_at)
    flush();
}

void Stdout::flush() {
  if (m_errno != 0 || m_abandoned || m_buffer.empty()) {
    m_buffer.clear();
    return;
  }
  if (m_stopper == nullptr) {
    m_errno = write_blocking(STDOUT_FILENO, m_buffer);
  } else {
    auto written =
        write_stoppable(STDOUT_FILENO, m_buffer, *m_stopper, Priority::stop_first, m_errno);
    m_abandoned = written == Written::stopped;
  }
  m_buffer.clear();
}

void Stdout::flush_if_ready() {
  if (m_stopper == nullptr || m_errno != 0 || m_abandoned || m_buffer.empty()) {
    flush();
    return;
  }
  if (write_stoppable(STDOUT_FILENO, m_buffer, *m_stopper, Priority::write_first, m_errno) ==
      Written::stopped)
    m_abandoned = true;
  m_buffer.clear();
}

int Stdout::finish(int status) {
  flush();
  if (m_errno == 0 || m_errno == EPIPE)
    return status;
  std::string text = std::strerror(m_errno);
  if (!text.empty())
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  print_error("write error: " + text);
  return k_exit_failure;
}

std::string escape_message(std::string_view text) { return shmkit::printable_text(text); }

void print_error(std::string_view message) {
  write_stderr(fmt::format("shmkit: error: {}\n", escape_message(message)));
}

void print_warning(std::string_view message) {
  write_stderr(fmt::format("shmkit: warning: {}\n", escape_message(message)));
}

int usage_error(std::string_view sub, std::string_view message) {
  std::string line = fmt::format("shmkit: error: {}\nTry 'shmkit{}{} --help' for more information.\n",
                                 escape_message(message), sub.empty() ? "" : " ", sub);
  write_stderr(line);
  return k_exit_usage;
}

int report(const Error &error) {
  print_error(error.message);
  return error.code == Errc::invalid_argument ? k_exit_usage : k_exit_failure;
}

bool use_color(ColorMode mode) {
  if (mode != ColorMode::auto_detect)
    return mode == ColorMode::always;
  const char *no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0')
    return false;
  const char *term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0)
    return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

void set_footer(CLI::App &sub, std::string_view name) {
  sub.footer(fmt::format("See shmkit-{}(1).", name));
}

} // namespace shmkit::cli
