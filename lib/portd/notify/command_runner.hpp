// The command sink's delivery: runs a configured program with the delivery's JSON on its stdin
// and waits for it on the io_context (pidfd, no thread, no SIGCHLD handler). Exit status 0 is a
// delivery; anything else, or no exit within the timeout (the program is then killed), is a
// failure retried like a webhook's.
#pragma once
#include <portd/notify/http_sender.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace portd::notify {

class command_runner {
 public:
  // `argv[0]` is the program's path. Throws std::invalid_argument when it is not executable.
  command_runner(boost::asio::any_io_executor ex, std::vector<std::string> argv,
                 std::chrono::milliseconds timeout);

  // Runs the program once with `input` on stdin and `env` added to portd's environment.
  // status 200 when it exited 0; otherwise status 0 and why ("exit status 3", "timed out",
  // "killed by signal 9", "cannot start: …"). Never throws for the program's sake.
  boost::asio::awaitable<post_result> run(std::string input, header_list env);
  // Kills programs still running (their rows stay pending).
  void close();

 private:
  boost::asio::any_io_executor ex_;
  std::vector<std::string> argv_;
  std::chrono::milliseconds timeout_;
  std::vector<int> running_;  // pids
  bool closed_ = false;
};

}  // namespace portd::notify
