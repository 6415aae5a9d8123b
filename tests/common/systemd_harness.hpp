// Stand-ins for the systemd service manager in tests, so the daemon's systemd side is tested
// without systemd: the notify socket portd reports to ($NOTIFY_SOCKET), a listening socket
// handed over the way portd.socket does ($LISTEN_FDS/$LISTEN_PID), and the journal's socket
// (structured entries, via a private mount namespace).
#pragma once
#include "process.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <mutex>
#include <vector>

namespace portd::test {

// A datagram socket at `path` that reads what sd_notify() sends.
class notify_socket {
 public:
  explicit notify_socket(std::string path);
  ~notify_socket();
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  const std::string& path() const { return path_; }
  // The next datagram holding the line `assignment` ("READY=1", "STOPPING=1"); earlier ones
  // are kept in received(). nullopt once `sender` has exited or after `timeout`.
  std::optional<std::string> wait_for(std::string_view assignment, process& sender,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
  const std::vector<std::string>& received() const { return received_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

// A listening AF_UNIX stream socket at `path` with `mode`, as portd.socket creates it. The
// descriptor is inheritable (no CLOEXEC); the caller closes it.
int listening_socket(const std::string& path, unsigned mode);

// Starts `argv` as systemd starts a socket-activated service: `listen_fd` becomes fd 3, and
// LISTEN_FDS=1, LISTEN_PID=<the new process's own pid> are set just before exec (through
// /bin/sh's `exec`, which keeps the pid). `env` and `stderr_file` as for process.
std::unique_ptr<process> start_socket_activated(int listen_fd, const std::vector<std::string>& argv,
                                                std::map<std::string, std::string> env = {},
                                                std::string stderr_file = {});

// One journal entry as sd_journal_send() writes it on the native protocol: field → value.
using journal_entry = std::map<std::string, std::string>;
// Parses a native-protocol datagram ("KEY=value\n", or "KEY\n<64-bit LE size><value>\n" for
// values with newlines).
journal_entry parse_journal_datagram(std::string_view datagram);

// A journald stand-in: a datagram socket `dir`/socket that a program started through
// wrap() sees as /run/systemd/journal/socket (a private mount namespace; needs root and
// unshare(1)), with $JOURNAL_STREAM pointing at its stderr file. A thread drains the socket
// all the time, as journald does: a sender must never block on a full queue.
class fake_journal {
 public:
  explicit fake_journal(const temp_dir& dir);
  ~fake_journal();
  fake_journal(const fake_journal&) = delete;
  fake_journal& operator=(const fake_journal&) = delete;

  // Whether this machine lets us do it (root, unshare and mount available).
  static bool available();
  // argv that runs `argv` with the fake journal mounted; `stderr_file` is created now so its
  // device:inode can go in `env`'s JOURNAL_STREAM.
  std::vector<std::string> wrap(const std::vector<std::string>& argv, const std::string& stderr_file,
                                std::map<std::string, std::string>& env) const;
  // A copy of every entry received so far.
  std::vector<journal_entry> entries() const;
  // Waits until an entry satisfying `pred` has arrived; nullopt after `timeout`.
  std::optional<journal_entry> wait_for(const std::function<bool(const journal_entry&)>& pred,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

 private:
  void drain();
  std::string dir_;
  int fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<journal_entry> entries_;
  std::thread reader_;
};

}  // namespace portd::test
