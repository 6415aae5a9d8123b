// Hostile control-socket peers (issue 8): a 100 MiB line, more connections than the daemon
// takes, a peer that floods requests and never reads its replies, and peers that send their
// requests a byte at a time and stall. Each time, another client is still served and portd's
// resident memory stays bounded; idle peers are dropped at the idle timeout.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace json = boost::json;
using portd::test::rpc_connection;
using portd::test::stack;
using portd::test::stack_options;

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
  // True while the daemon has neither answered nor hung up (nothing to read, no EOF).
  bool open_and_silent() const {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
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

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

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

// Memory figures of a build under AddressSanitizer measure the sanitizer: freed memory waits
// in its quarantine (256 MiB by default) before it is reused, so RSS only grows. There the
// figures are reported but not judged; the release and dev runs judge them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif
#else
constexpr bool under_asan = false;
#endif

// portd's resident memory grew by less than `bound_kib` from `before` to `after` (KiB).
void rss_growth_below(long before, long after, long bound_kib) {
  if (under_asan) {
    BOOST_TEST_MESSAGE("RSS grew by " << (after - before) << " KiB: not judged under ASan");
    return;
  }
  BOOST_TEST(after - before < bound_kib, "RSS grew by " << (after - before) << " KiB");
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
  rss_growth_below(rss_before, rss_after, 64 * 1024);
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
  if (!under_asan) BOOST_TEST(rss < 256 * 1024);
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
  rss_growth_below(rss_before, rss_after, 128 * 1024);
}

// Many peers each send a request a byte at a time, interleaved, and then stall mid-line (a
// "slowloris"). Meanwhile and afterwards another client is answered promptly; the daemon's
// memory stays bounded; the stalled peers get no answer to a request they never finished.
BOOST_AUTO_TEST_CASE(many_peers_trickling_requests_and_stalling_do_not_slow_others_or_grow_the_daemon) {
  stack s;
  s.start_portd();
  const pid_t portd = s.portd_pid();
  served(s);
  const long rss_before = rss_kib(portd);
  constexpr int peers = 200;  // under max_connections (256): each one is taken, and waits
  std::vector<std::unique_ptr<raw_peer>> slow;
  for (int i = 0; i < peers; ++i) slow.push_back(std::make_unique<raw_peer>(s.socket_path()));
  const std::string partial = R"({"jsonrpc":"2.0","id":7,"method":"order.list","params":{"limit":)";
  double worst_ms = 0;
  int calls = 0;
  for (std::size_t i = 0; i < partial.size(); ++i) {
    for (auto& p : slow) BOOST_TEST_REQUIRE(::send(p->fd, &partial[i], 1, MSG_NOSIGNAL) == 1);
    const auto t0 = std::chrono::steady_clock::now();
    served(s);
    worst_ms = std::max(worst_ms, ms_since(t0));
    ++calls;
  }
  // Now they all hang, mid-request.
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    served(s);
    worst_ms = std::max(worst_ms, ms_since(t0));
    ++calls;
  }
  const long rss_after = rss_kib(portd);
  BOOST_TEST_MESSAGE(peers << " peers trickled " << partial.size() << " bytes each; the slowest of " << calls
                           << " daemon.status calls meanwhile took " << worst_ms << " ms; portd RSS " << rss_before
                           << " KiB -> " << rss_after << " KiB");
  BOOST_TEST(worst_ms < 1000);
  rss_growth_below(rss_before, rss_after, 32 * 1024);
  int silent = 0;
  for (auto& p : slow) silent += p->open_and_silent();
  BOOST_TEST(silent == peers, (peers - silent) << " stalled peers were answered or dropped before the idle timeout");
}

// The same peers, and ones that stall right after a partial line, with a short idle_timeout
// and few connection slots: they hold every slot (a newcomer is refused), until the daemon
// drops each of them one idle_timeout after its last complete request -- the tricklers too,
// however often they send a byte -- and the newcomer is served again.
BOOST_AUTO_TEST_CASE(stalled_and_trickling_peers_are_dropped_at_the_idle_timeout_and_free_their_slots) {
  stack_options opt;
  opt.control_extra = "idle_timeout = \"1s\"\nmax_connections = 16\n";
  stack s(opt);
  s.start_portd();
  const std::string partial = R"({"jsonrpc":"2.0","id":7,"method":"daemon.status","params":{"x":")";
  struct hog {
    std::unique_ptr<raw_peer> peer;
    bool trickles;
    std::chrono::steady_clock::time_point connected;
    double dropped_after_ms = -1;
  };
  std::vector<hog> hogs;
  for (int i = 0; i < 16; ++i) {
    hogs.push_back({std::make_unique<raw_peer>(s.socket_path()), i % 2 == 1, std::chrono::steady_clock::now()});
    BOOST_TEST_REQUIRE(::send(hogs.back().peer->fd, partial.data(), 10, MSG_NOSIGNAL) == 10);
  }
  {
    raw_peer newcomer(s.socket_path());
    std::string answer;
    for (int i = 0; i < 50 && answer.find('\n') == std::string::npos; ++i) answer += newcomer.read_some(100);
    BOOST_TEST(answer.find("unavailable") != std::string::npos, "a 17th connection got: " << answer);
  }
  // Tricklers send a byte per round; each round waits up to 100 ms for the daemon to hang up.
  const auto started = std::chrono::steady_clock::now();
  std::size_t next = 10;
  auto open = [&] { return std::count_if(hogs.begin(), hogs.end(), [](const hog& h) { return h.dropped_after_ms < 0; }); };
  while (open() > 0 && ms_since(started) < 20000) {
    std::vector<pollfd> fds;
    for (auto& h : hogs) {
      if (h.dropped_after_ms >= 0) continue;
      if (h.trickles && ::send(h.peer->fd, &partial[next % partial.size()], 1, MSG_NOSIGNAL) != 1) {
        h.dropped_after_ms = ms_since(h.connected);
        continue;
      }
      fds.push_back({h.peer->fd, POLLIN, 0});
    }
    ++next;
    ::poll(fds.data(), fds.size(), 100);
    for (auto& h : hogs) {
      if (h.dropped_after_ms >= 0) continue;
      pollfd p{h.peer->fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 1) {
        char c;
        BOOST_TEST(::recv(h.peer->fd, &c, 1, 0) <= 0, "a peer that never finished its request got an answer");
        h.dropped_after_ms = ms_since(h.connected);
      }
    }
  }
  for (const auto& h : hogs) {
    BOOST_TEST(h.dropped_after_ms >= 0, (h.trickles ? "a trickling" : "a stalled") << " peer is still connected after "
                                                                                  << ms_since(h.connected) << " ms");
    if (h.dropped_after_ms >= 0) BOOST_TEST(h.dropped_after_ms >= 950, "dropped before idle_timeout");
    BOOST_TEST_MESSAGE((h.trickles ? "trickling" : "stalled") << " peer dropped after " << h.dropped_after_ms << " ms ("
                                                              << next - 10 << " bytes trickled)");
  }
  served(s);
}

BOOST_AUTO_TEST_SUITE_END()
