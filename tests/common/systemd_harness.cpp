// The systemd stand-ins for tests. See systemd_harness.hpp.
#include "systemd_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace portd::test {
namespace {

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) throw std::runtime_error("socket path too long: " + path);
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

int bound_datagram_socket(const std::string& path) {
  ::unlink(path.c_str());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  auto a = unix_address(path);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("bind " + path + ": " + std::strerror(errno));
  }
  return fd;
}

// One datagram, waiting until `deadline` at most.
std::optional<std::string> receive(int fd, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return std::nullopt;
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
  std::string buf(256 * 1024, '\0');
  const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
  if (n < 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

// ---- notify_socket -------------------------------------------------------------------------

notify_socket::notify_socket(std::string path) : path_(std::move(path)), fd_(bound_datagram_socket(path_)) {}

notify_socket::~notify_socket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> notify_socket::wait_for(std::string_view assignment, process& sender,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto holds = [&](const std::string& d) {
    std::size_t pos = 0;
    while (pos <= d.size()) {
      const auto nl = d.find('\n', pos);
      const auto line = std::string_view(d).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (line == assignment) return true;
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return false;
  };
  for (;;) {
    // Short slices only to notice a sender that died without saying anything.
    const auto slice = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    if (auto d = receive(fd_, slice)) {
      received_.push_back(*d);
      if (holds(*d)) return d;
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline || !sender.running()) return std::nullopt;
  }
}

// ---- socket activation ---------------------------------------------------------------------

int listening_socket(const std::string& path, unsigned mode) {
  ::unlink(path.c_str());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);  // inherited by the service on purpose
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  auto a = unix_address(path);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("listen " + path + ": " + std::strerror(errno));
  }
  ::chmod(path.c_str(), mode);
  return fd;
}

std::unique_ptr<process> start_socket_activated(int listen_fd, const std::vector<std::string>& argv,
                                                std::map<std::string, std::string> env, std::string stderr_file) {
  // exec 3<&N moves the socket to fd 3; LISTEN_PID=$$ is the shell's pid, which the final
  // exec hands to the service unchanged — exactly what sd_listen_fds() checks.
  std::string script = "exec 3<&" + std::to_string(listen_fd);
  if (listen_fd != 3) script += " " + std::to_string(listen_fd) + "<&-";
  script += "; LISTEN_PID=$$; export LISTEN_PID; exec";
  for (const auto& a : argv) script += " " + shell_quote(a);
  env["LISTEN_FDS"] = "1";
  return std::make_unique<process>(std::vector<std::string>{"/bin/sh", "-c", script}, std::move(env),
                                   std::move(stderr_file));
}

// ---- journal -------------------------------------------------------------------------------

journal_entry parse_journal_datagram(std::string_view d) {
  journal_entry e;
  std::size_t pos = 0;
  while (pos < d.size()) {
    const auto nl = d.find('\n', pos);
    if (nl == std::string_view::npos) break;
    const auto line = d.substr(pos, nl - pos);
    if (const auto eq = line.find('='); eq != std::string_view::npos) {
      e[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
      pos = nl + 1;
      continue;
    }
    // Binary form: KEY\n, 8-byte little-endian length, value, \n.
    if (nl + 9 > d.size()) break;
    std::uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(d[nl + 1 + static_cast<std::size_t>(i)]);
    const std::size_t start = nl + 9;
    if (start + len > d.size()) break;
    e[std::string(line)] = std::string(d.substr(start, len));
    pos = start + len + 1;
  }
  return e;
}

fake_journal::fake_journal(const temp_dir& dir) : dir_(dir.file("journal")) {
  ::mkdir(dir_.c_str(), 0755);
  fd_ = bound_datagram_socket(dir_ + "/socket");
  ::chmod((dir_ + "/socket").c_str(), 0666);
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  reader_ = std::thread([this] { drain(); });
}

fake_journal::~fake_journal() {
  (void)!::write(stop_pipe_[1], "x", 1);
  reader_.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
  if (fd_ >= 0) ::close(fd_);
}

void fake_journal::drain() {
  std::string buf(256 * 1024, '\0');
  for (;;) {
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n <= 0) continue;
    auto e = parse_journal_datagram(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    {
      std::lock_guard lock(mutex_);
      entries_.push_back(std::move(e));
    }
    arrived_.notify_all();
  }
}

std::vector<journal_entry> fake_journal::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::optional<journal_entry> fake_journal::wait_for(const std::function<bool(const journal_entry&)>& pred,
                                                    std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  std::size_t seen = 0;
  std::optional<journal_entry> found;
  arrived_.wait_for(lock, timeout, [&] {
    for (; seen < entries_.size(); ++seen)
      if (pred(entries_[seen])) {
        found = entries_[seen];
        return true;
      }
    return false;
  });
  return found;
}

bool fake_journal::available() {
  if (::geteuid() != 0) return false;
  return std::system("unshare --mount --propagation private sh -c 'mount -t tmpfs tmpfs /mnt' >/dev/null 2>&1") == 0;
}

std::vector<std::string> fake_journal::wrap(const std::vector<std::string>& argv, const std::string& stderr_file,
                                            std::map<std::string, std::string>& env) const {
  const int fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("create " + stderr_file);
  struct stat st {};
  ::fstat(fd, &st);
  ::close(fd);
  env["JOURNAL_STREAM"] = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  // /run is replaced in the new mount namespace only, so a real journald is never touched.
  std::string script =
      "mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && "
      "mount --bind " + shell_quote(dir_) + " /run/systemd/journal && exec \"$@\"";
  std::vector<std::string> out{"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

}  // namespace portd::test
