// Hostile control-socket peers (issue 8): a 100 MiB line, more connections than the daemon
// takes, and a peer that floods requests and never reads its replies. Each time, another
// client is still served and portd's resident memory stays bounded.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace json = boost::json;
using portd::test::rpc_connection;
using portd::test::stack;

namespace {

// A raw, unbuffered peer on the control socket.
struct raw_peer {
  int fd = -1;
  explicit raw_peer(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }
  ~raw_peer() {
    if (fd >= 0) ::close(fd);
  }
  raw_peer(const raw_peer&) = delete;
  raw_peer& operator=(const raw_peer&) = delete;
  // The peer's pid (portd's) from SO_PEERCRED.
  pid_t peer_pid() const {
    ucred c{};
    socklen_t len = sizeof c;
    ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len);
    return c.pid;
  }
  // Reads what has arrived within `ms` (empty on EOF or nothing).
  std::string read_some(int ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return {};
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
  }
};

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = -1;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(4096, '\n');
  }
  return value;
}

// Another client is served: daemon.status answers.
void served(stack& s) {
  auto r = s.call("daemon.status");
  BOOST_TEST(r.contains("result"), json::serialize(r));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

BOOST_AUTO_TEST_CASE(a_100_mib_line_is_cut_off_and_others_are_served_meanwhile) {
  stack s;
  s.start_portd();
  raw_peer flood(s.socket_path());
  const pid_t portd = flood.peer_pid();
  const long rss_before = rss_kib(portd);
  const std::string chunk(1 << 20, 'x');  // no newline, ever
  std::size_t sent = 0;
  bool cut = false;
  while (sent < (100u << 20)) {
    const ssize_t n = ::send(flood.fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n < 0) {
      cut = errno == EPIPE || errno == ECONNRESET;
      BOOST_TEST_REQUIRE(cut, "send: " << std::strerror(errno));
      break;
    }
    sent += static_cast<std::size_t>(n);
    if (sent % (8u << 20) == 0) served(s);  // the daemon keeps serving others meanwhile
  }
  BOOST_TEST_MESSAGE("sent " << (sent >> 20) << " MiB before the daemon closed the connection");
  BOOST_TEST(cut, "the daemon took all of a 100 MiB line");
  BOOST_TEST(sent < (100u << 20));
  served(s);
  const long rss_after = rss_kib(portd);
  BOOST_TEST_MESSAGE("portd RSS: " << rss_before << " KiB before, " << rss_after << " KiB after");
  BOOST_TEST(rss_after - rss_before < 64 * 1024, "RSS grew by " << (rss_after - rss_before) << " KiB");
}

BOOST_AUTO_TEST_CASE(thousands_of_connections_are_refused_beyond_the_limit_and_then_served) {
  stack s;
  s.start_portd();
  std::vector<std::unique_ptr<raw_peer>> hogs;
  for (int i = 0; i < 2000; ++i) hogs.push_back(std::make_unique<raw_peer>(s.socket_path()));
  const pid_t portd = hogs.front()->peer_pid();
  // The ones beyond max_connections (256) are answered `unavailable` and closed; ask one.
  auto& last = *hogs.back();
  std::string answer;
  for (int i = 0; i < 100 && answer.find('\n') == std::string::npos; ++i) {
    auto got = last.read_some(100);
    if (got.empty() && i > 0) break;
    answer += got;
  }
  BOOST_TEST(answer.find("unavailable") != std::string::npos, "answer: " << answer);
  const long rss = rss_kib(portd);
  BOOST_TEST_MESSAGE("portd RSS with 2000 connections open: " << rss << " KiB");
  BOOST_TEST(rss < 256 * 1024);
  // The hogs go away: a client is served again (the daemon notices each EOF as an event; a
  // refusal meanwhile is an answer too, so retry a bounded number of times).
  hogs.clear();
  bool ok = false;
  for (int attempt = 0; attempt < 200 && !ok; ++attempt) {
    try {
      ok = s.call("daemon.status").contains("result");
    } catch (const std::exception&) {
    }
  }
  BOOST_TEST(ok, "not served after the hogs closed");
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_reads_does_not_stop_the_daemon_or_grow_it) {
  stack s;
  s.start_portd();
  raw_peer deaf(s.socket_path());
  const pid_t portd = deaf.peer_pid();
  const long rss_before = rss_kib(portd);
  int flags = ::fcntl(deaf.fd, F_GETFL);
  ::fcntl(deaf.fd, F_SETFL, flags | O_NONBLOCK);
  // Requests whose replies are large (order.list with its limit), written until the daemon
  // stops reading them (back-pressure: our send buffer fills), never reading a reply.
  const std::string line =
      R"({"jsonrpc":"2.0","id":1,"method":"daemon.metrics","params":{}})" "\n";
  std::size_t sent = 0;
  int stalls = 0;
  while (sent < (64u << 20) && stalls < 50) {
    const ssize_t n = ::send(deaf.fd, line.data(), line.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ++stalls;  // the daemon stopped reading: wait for it to drain a little, or give up
      served(s);
      pollfd p{deaf.fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    if (n < 0) break;  // closed on us: also fine
    sent += static_cast<std::size_t>(n);
  }
  BOOST_TEST_MESSAGE("the deaf peer got " << (sent >> 10) << " KiB of requests in before back-pressure");
  served(s);
  const long rss_after = rss_kib(portd);
  BOOST_TEST_MESSAGE("portd RSS: " << rss_before << " KiB before, " << rss_after << " KiB after");
  BOOST_TEST(rss_after - rss_before < 128 * 1024, "RSS grew by " << (rss_after - rss_before) << " KiB");
}

BOOST_AUTO_TEST_SUITE_END()
