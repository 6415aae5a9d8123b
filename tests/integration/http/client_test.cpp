// The shared HTTP client (http/client.hpp) over loopback, on the test's io_context as in the
// daemon: TLS verifies the peer and its name before anything is sent, keep-alive carries many
// exchanges, a request the server dropped on a reused connection is sent again only when the
// caller allows it, and every phase has its own deadline — a peer that accepts and then says
// nothing costs one phase timeout, reported as that phase, before the request left (TLS
// handshake) or after (read), which decides whether the server may have acted on it.
#include "common/io_fixture.hpp"
#include "common/loopback_server.hpp"
#include "common/tls_certificate.hpp"

#include <portd/http/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using portd::test::loopback_reply;
using portd::test::loopback_request;
using portd::test::loopback_server;
using portd::test::tls_certificate;
using namespace std::chrono_literals;

namespace {

// Accepts TCP connections and never reads or writes: a TLS handshake to it never completes.
struct mute_peer {
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<tcp::socket>> held;

  explicit mute_peer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, accept(), asio::detached);
  }
  unsigned short port() const { return acceptor.local_endpoint().port(); }
  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      held.push_back(std::make_shared<tcp::socket>(std::move(sock)));
    }
  }
};

portd::http::client_config config_for(const std::string& origin, std::chrono::milliseconds phase = 5s,
                                      std::string ca_file = tls_certificate::localhost().cert_file) {
  portd::http::client_config c;
  c.origin = *portd::http::parse_origin(origin).url;
  c.ca_file = std::move(ca_file);
  c.phase_timeout = phase;
  c.max_connections = 1;
  return c;
}

portd::http::request post(std::string body) {
  portd::http::request req{boost::beast::http::verb::post, "/orders", 11};
  req.body() = std::move(body);
  return req;
}

std::string port_of(const loopback_server& s) { return std::to_string(s.port()); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_client, portd::test::io_fixture)

BOOST_AUTO_TEST_CASE(verified_tls_carries_many_exchanges_over_one_connection) {
  loopback_server server(ioc, &tls_certificate::localhost());
  portd::http::client client(ioc.get_executor(), config_for("https://localhost:" + port_of(server)));
  for (int i = 0; i < 3; ++i) {
    const auto r = run(client.exchange(post(R"({"n":1})")));
    BOOST_REQUIRE(r.answer);
    BOOST_TEST(r.answer->result_int() == 200u);
  }
  BOOST_TEST(server.connections() == 1);
  BOOST_TEST(client.connections_opened() == 1u);
  BOOST_TEST(client.idle_connections() == 1u);
  BOOST_REQUIRE(server.requests().size() == 3u);
  BOOST_TEST(server.requests()[0].header("host") == "localhost:" + port_of(server));
  BOOST_TEST(server.requests()[0].header("user-agent").starts_with("portd/"));
  BOOST_TEST(server.requests()[0].body == R"({"n":1})");
  client.close();
}

BOOST_AUTO_TEST_CASE(an_address_is_verified_as_the_certificate_names_it) {
  loopback_server server(ioc, &tls_certificate::localhost());
  portd::http::client client(ioc.get_executor(), config_for("https://127.0.0.1:" + port_of(server)));
  const auto r = run(client.exchange(post("{}")));
  BOOST_REQUIRE(r.answer);
  BOOST_TEST(r.answer->result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(an_unknown_ca_or_another_name_fails_the_handshake_before_anything_is_sent) {
  loopback_server trusted_elsewhere(ioc, &tls_certificate::localhost());
  portd::http::client system_store(ioc.get_executor(), config_for("https://localhost:" + port_of(trusted_elsewhere), 5s, ""));
  const auto a = run(system_store.exchange(post("{}")));
  BOOST_TEST(!a.answer);
  BOOST_TEST(a.failed.phase == portd::http::phase::tls);
  BOOST_TEST(!a.failed.sent);

  loopback_server other(ioc, &tls_certificate::other_host());
  portd::http::client named(ioc.get_executor(),
                            config_for("https://localhost:" + port_of(other), 5s, tls_certificate::other_host().cert_file));
  const auto b = run(named.exchange(post("{}")));
  BOOST_TEST(!b.answer);
  BOOST_TEST(b.failed.phase == portd::http::phase::tls);
  BOOST_TEST(trusted_elsewhere.requests().empty());
  BOOST_TEST(other.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_request_dropped_on_a_reused_connection_is_resent_only_when_allowed) {
  loopback_server server(ioc);
  // The server reads the second request on its first connection and closes without a word
  // (an idle timeout racing the request); everything else is answered.
  server.on_request = [&](const loopback_request& r) {
    const bool drop = r.connection == 1 && server.requests().size() == 2;
    return drop ? loopback_reply::doing(loopback_reply::action::close) : loopback_reply::with(200);
  };
  portd::http::client client(ioc.get_executor(), config_for(server.url()));
  BOOST_REQUIRE(run(client.exchange(post("{}"))).answer);
  const auto resent = run(client.exchange(post("{}")));
  BOOST_REQUIRE(resent.answer);  // sent again on a fresh connection
  BOOST_TEST(server.connections() == 2);

  server.on_request = [&](const loopback_request& r) {
    const bool drop = r.connection == 2 && server.requests().size() == 4;
    return drop ? loopback_reply::doing(loopback_reply::action::close) : loopback_reply::with(200);
  };
  portd::http::exchange_options once;
  once.resend_if_stale = false;
  const auto kept = run(client.exchange(post("{}"), once));
  BOOST_TEST(!kept.answer);
  BOOST_TEST(kept.failed.phase == portd::http::phase::read);
  BOOST_TEST(kept.failed.sent);  // the server may have acted on it: not sent twice
  BOOST_TEST(server.requests().size() == 4u);
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_answers_trips_the_read_deadline_after_the_request_left) {
  loopback_server server(ioc);
  server.on_request = [](const loopback_request&) { return loopback_reply::doing(loopback_reply::action::hang); };
  portd::http::client client(ioc.get_executor(), config_for(server.url(), 200ms));
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run(client.exchange(post(R"({"a":1})")));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(!r.answer);
  BOOST_TEST(r.failed.phase == portd::http::phase::read);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST(r.failed.sent);  // the peer may have acted on it
  BOOST_TEST(server.requests().size() == 1u);
  BOOST_TEST(server.connections() == 1);  // a timed-out read is not retried as a stale connection
  BOOST_TEST((took >= 200ms && took < 5s));
  BOOST_TEST(client.open_connections() == 0u);  // nor is the connection kept for reuse
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_completes_the_tls_handshake_trips_its_deadline_before_sending) {
  mute_peer peer(ioc);
  portd::http::client client(ioc.get_executor(),
                             config_for("https://127.0.0.1:" + std::to_string(peer.port()), 200ms));
  const auto r = run(client.exchange(post("{}")));
  BOOST_TEST(!r.answer);
  BOOST_TEST(r.failed.phase == portd::http::phase::tls);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST(!r.failed.sent);  // nothing of the request left
}

BOOST_AUTO_TEST_CASE(an_exchange_deadline_bounds_all_phases_together) {
  loopback_server server(ioc);
  server.on_request = [](const loopback_request&) { return loopback_reply::doing(loopback_reply::action::hang); };
  auto cfg = config_for(server.url(), 30s);
  cfg.exchange_timeout = 200ms;  // as the webhook sender sets it: one deadline per POST
  portd::http::client client(ioc.get_executor(), cfg);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run(client.exchange(post("{}")));
  BOOST_TEST(r.failed.phase == portd::http::phase::read);
  BOOST_TEST(r.failed.timed_out);
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < 5s));  // not the 30 s phase timeout
}

BOOST_AUTO_TEST_SUITE_END()
