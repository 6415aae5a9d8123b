// posix_spawn + pidfd on the io_context (see command_runner.hpp).
#include <portd/notify/command_runner.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace portd::notify {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

command_runner::command_runner(asio::any_io_executor ex, std::vector<std::string> argv,
                               std::chrono::milliseconds timeout)
    : ex_(std::move(ex)), argv_(std::move(argv)), timeout_(timeout) {
  if (argv_.empty() || ::access(argv_[0].c_str(), X_OK) != 0)
    throw std::invalid_argument("program " + (argv_.empty() ? std::string("(none)") : argv_[0]) +
                                " is not an executable file");
  // A program that exits without reading its stdin must not kill portd with SIGPIPE; the write
  // then fails with EPIPE, which is only reported.
  std::signal(SIGPIPE, SIG_IGN);
}

asio::awaitable<post_result> command_runner::run(std::string input, header_list env) {
  if (closed_) co_return post_result{0, "notifier stopped"};
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) co_return post_result{0, std::string("cannot start: pipe: ") + std::strerror(errno)};

  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) env_text.emplace_back(*e);
  for (auto& [k, v] : env) env_text.push_back("PORTD_" + k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (auto& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);  // the program gets the usual SIGPIPE
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv_[0].c_str(), &fa, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  if (rc != 0) {
    ::close(in[1]);
    co_return post_result{0, std::string("cannot start: ") + std::strerror(rc)};
  }
  running_.push_back(pid);
  // The raw system call: not every libc wraps pidfd_open (Linux 5.3+).
  const int pfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) {  // cannot watch it without blocking: give up on this attempt
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(in[1]);
    std::erase(running_, pid);
    co_return post_result{0, std::string("cannot watch the program: ") + std::strerror(errno)};
  }
  asio::posix::stream_descriptor stdin_pipe(ex_, in[1]);
  asio::posix::stream_descriptor exit_watch(ex_, pfd);

  // Feed stdin and wait for the exit, both within the timeout.
  asio::steady_timer deadline(ex_);
  deadline.expires_after(timeout_);
  using namespace asio::experimental::awaitable_operators;
  auto feed_and_wait = [&]() -> asio::awaitable<void> {
    co_await asio::async_write(stdin_pipe, asio::buffer(input), use_tuple);
    boost::system::error_code ignored;
    stdin_pipe.close(ignored);  // EOF for the program
    co_await exit_watch.async_wait(asio::posix::stream_descriptor::wait_read, use_tuple);
  };
  auto r = co_await (feed_and_wait() || deadline.async_wait(use_tuple));
  const bool timed_out = r.index() == 1;
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  // After SIGKILL (or the pidfd said it exited) the child is reaped at once.
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::erase(running_, pid);
  if (timed_out) co_return post_result{0, "timed out (killed)"};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) co_return post_result{200, ""};
  if (WIFEXITED(status)) co_return post_result{0, "exit status " + std::to_string(WEXITSTATUS(status))};
  if (WIFSIGNALED(status)) co_return post_result{0, "killed by signal " + std::to_string(WTERMSIG(status))};
  co_return post_result{0, "ended abnormally"};
}

void command_runner::close() {
  closed_ = true;
  for (int pid : running_) ::kill(pid, SIGKILL);
}

}  // namespace portd::notify
