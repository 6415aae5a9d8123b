// Child processes for end-to-end tests: start a binary, read its output, signal it, reap it.
#pragma once
#include "temp_dir.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace portd::test {

class process {
 public:
  // Starts `argv[0]` with `argv`, extra environment `env`, stdout to a pipe (read_line) and
  // stderr to `stderr_file` (appended; "" keeps the test's stderr). Throws on failure.
  process(std::vector<std::string> argv, std::map<std::string, std::string> env = {},
          std::string stderr_file = {});
  ~process();  // SIGKILLs and reaps a child still running
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  pid_t pid() const { return pid_; }
  // One line of stdout, waiting at most `timeout`; nullopt on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int sig);
  // Waits for exit at most `timeout`; returns the exit status (or 128+signal), nullopt if still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

// One line (without its newline) from `fd`, waiting at most `timeout`; `buffer` keeps what was
// read past that line for the next call. nullopt on EOF, error or timeout.
std::optional<std::string> read_line(int fd, std::string& buffer, std::chrono::milliseconds timeout);

// CPU time (user + system) process `pid` has used so far, in seconds (/proc/PID/stat).
double cpu_seconds(pid_t pid);
// The path of a binary under test from its environment variable (PORTD_BIN, PORTCTL_BIN,
// TELEGENT_SIM_BIN); fails the test when it is not set.
std::string binary(const char* env_var);

}  // namespace portd::test
