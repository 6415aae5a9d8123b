// The shared HTTP client over loopback: every phase has its own deadline, and a peer that
// accepts and then says nothing costs one phase timeout, reported as that phase — before the
// request left (TLS handshake) or after (read), which is what decides whether the server may
// have acted on it. Server and client share one io_context, as in the daemon.
#include <portd/http/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// A peer on 127.0.0.1 that accepts, reads whatever comes (counting complete HTTP requests when
// it can parse them) and never answers.
struct silent_peer {
  tcp::acceptor acceptor;
  int accepted = 0, requests = 0;
  std::vector<std::shared_ptr<tcp::socket>> held;  // kept open: the client must time out

  explicit silent_peer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, accept(), asio::detached);
  }
  unsigned short port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      ++accepted;
      auto s = std::make_shared<tcp::socket>(std::move(sock));
      held.push_back(s);
      asio::co_spawn(acceptor.get_executor(), read(s), asio::detached);
    }
  }
  asio::awaitable<void> read(std::shared_ptr<tcp::socket> s) {
    beast::flat_buffer buf;
    beast::http::request<beast::http::string_body> req;
    auto [ec, n] = co_await beast::http::async_read(*s, buf, req, use_tuple);
    if (!ec) ++requests;
  }
};

portd::http::client_config config_for(const std::string& url, std::chrono::milliseconds phase) {
  portd::http::client_config c;
  c.origin = *portd::http::parse_origin(url).url;
  c.phase_timeout = phase;
  c.max_connections = 1;
  return c;
}

portd::http::result run(asio::io_context& ioc, portd::http::client& client, portd::http::request req) {
  std::optional<portd::http::result> out;
  asio::co_spawn(ioc, client.exchange(std::move(req)), [&](std::exception_ptr e, portd::http::result r) {
    if (e) std::rethrow_exception(e);
    out = std::move(r);
    ioc.stop();
  });
  ioc.restart();
  ioc.run();
  BOOST_REQUIRE(out);
  return std::move(*out);
}

portd::http::request post(std::string body) {
  portd::http::request req{beast::http::verb::post, "/orders", 11};
  req.body() = std::move(body);
  return req;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_client_deadlines)

BOOST_AUTO_TEST_CASE(a_peer_that_never_answers_trips_the_read_deadline_after_the_request_left) {
  asio::io_context ioc;
  silent_peer peer(ioc);
  portd::http::client client(ioc.get_executor(), config_for("http://127.0.0.1:" + std::to_string(peer.port()), 200ms));
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run(ioc, client, post(R"({"a":1})"));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(!r.answer);
  BOOST_TEST(r.failed.phase == portd::http::phase::read);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST(r.failed.sent);  // the peer may have acted on it
  BOOST_TEST(peer.requests == 1);
  BOOST_TEST(peer.accepted == 1);  // a timed-out read is not retried as a stale connection
  BOOST_TEST((took >= 200ms && took < 5s));
  BOOST_TEST(client.open_connections() == 0u);  // the connection is not kept for reuse
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_completes_the_tls_handshake_trips_its_deadline_before_sending) {
  asio::io_context ioc;
  silent_peer peer(ioc);
  portd::http::client client(ioc.get_executor(), config_for("https://127.0.0.1:" + std::to_string(peer.port()), 200ms));
  const auto r = run(ioc, client, post("{}"));
  BOOST_TEST(!r.answer);
  BOOST_TEST(r.failed.phase == portd::http::phase::tls);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST(!r.failed.sent);  // nothing of the request left
  BOOST_TEST(peer.requests == 0);
}

BOOST_AUTO_TEST_CASE(an_exchange_deadline_bounds_all_phases_together) {
  asio::io_context ioc;
  silent_peer peer(ioc);
  auto cfg = config_for("http://127.0.0.1:" + std::to_string(peer.port()), 30s);
  cfg.exchange_timeout = 200ms;  // as the webhook sender sets it: one deadline per POST
  portd::http::client client(ioc.get_executor(), cfg);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run(ioc, client, post("{}"));
  BOOST_TEST(r.failed.phase == portd::http::phase::read);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));  // not the 30 s phase timeout
}

BOOST_AUTO_TEST_SUITE_END()
