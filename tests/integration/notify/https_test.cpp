// The webhook sender over the shared HTTP client, against loopback receivers on the test's
// io_context: what arrives (target, headers, body), keep-alive, and each failure in the words
// the delivery log shows — an unknown CA or another name refused in the TLS handshake before
// anything is sent, a receiver offering only TLS 1.1 refused alike, a receiver that never
// answers costing one timeout, a refused connection, and the same through a CONNECT proxy.
#include "common/connect_proxy.hpp"
#include "common/io_fixture.hpp"
#include "common/loopback_server.hpp"
#include "common/tls_certificate.hpp"

#include <portd/http/proxy.hpp>
#include <portd/notify/http_sender.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace portd::notify;
using portd::test::loopback_reply;
using portd::test::loopback_request;
using portd::test::loopback_server;
using portd::test::tls_certificate;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

portd::http::http_url url_for(const std::string& scheme_host, unsigned short port) {
  return *portd::http::parse_http_url(scheme_host + ":" + std::to_string(port) + "/hooks/portd?token=t").url;
}

const std::string& ca() { return tls_certificate::localhost().cert_file; }

loopback_reply no_content(const loopback_request&) { return loopback_reply::with(204); }

// A receiver that offers TLS 1.1 at most (RSA key exchange, which needs no legacy signature, so
// that an OpenSSL 3 client at its default security level would go along) and counts the
// requests it reads. The common loopback server does not let a test narrow its TLS versions.
struct tls_1_1_receiver {
  asio::ssl::context ctx{asio::ssl::context::tls_server};
  tcp::acceptor acceptor;
  int requests = 0;

  explicit tls_1_1_receiver(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    ctx.use_certificate_chain_file(tls_certificate::localhost().cert_file);
    ctx.use_private_key_file(tls_certificate::localhost().key_file, asio::ssl::context::pem);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "AES128-SHA:@SECLEVEL=0");
    asio::co_spawn(io, serve_one(), asio::detached);
  }
  unsigned short port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> serve_one() {
    auto [ec, sock] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    asio::ssl::stream<tcp::socket> s(std::move(sock), ctx);
    auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (hec) co_return;
    beast::flat_buffer buf;
    beast::http::request<beast::http::string_body> req;
    auto [rec, n] = co_await beast::http::async_read(s, buf, req, use_tuple);
    if (rec) co_return;
    ++requests;
    beast::http::response<beast::http::empty_body> res{beast::http::status::no_content, 11};
    res.keep_alive(false);
    co_await beast::http::async_write(s, res, use_tuple);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(notify_https, portd::test::io_fixture)

BOOST_AUTO_TEST_CASE(verified_tls_delivery_with_keep_alive) {
  loopback_server r(ioc, &tls_certificate::localhost());
  r.on_request = no_content;
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), ca(), 5s, 2);
  auto a = run(sender.post(R"({"a":1})", {{"webhook-id", "evt_1"}, {"webhook-signature", "v1,x"}}));
  BOOST_TEST(a.status == 204);
  BOOST_TEST(a.error.empty());
  BOOST_REQUIRE(r.requests().size() == 1u);
  const auto& got = r.requests().back();
  BOOST_TEST(got.method == "POST");
  BOOST_TEST(got.target == "/hooks/portd?token=t");
  BOOST_TEST(got.header("webhook-id") == "evt_1");
  BOOST_TEST(got.header("content-type") == "application/json");
  BOOST_TEST(got.body == R"({"a":1})");
  BOOST_TEST(run(sender.post("{}", {})).status == 204);
  BOOST_TEST(r.connections() == 1);  // the second POST reused the connection
  r.on_request = [](const loopback_request&) { return loopback_reply::with(500); };
  BOOST_TEST(run(sender.post("{}", {})).status == 500);
  sender.close();
}

BOOST_AUTO_TEST_CASE(an_ip_address_is_verified_too) {
  loopback_server r(ioc, &tls_certificate::localhost());
  r.on_request = no_content;
  http_sender sender(ioc.get_executor(), url_for("https://127.0.0.1", r.port()), ca(), 5s, 1);
  BOOST_TEST(run(sender.post("{}", {})).status == 204);
  sender.close();
}

BOOST_AUTO_TEST_CASE(unknown_ca_is_refused) {
  loopback_server r(ioc, &tls_certificate::localhost());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), "", 5s, 1);  // system store
  auto a = run(sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") == 0u, a.error);
  BOOST_TEST(r.requests().empty());
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_refused) {
  loopback_server r(ioc, &tls_certificate::other_host());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), tls_certificate::other_host().cert_file,
                     5s, 1);
  auto a = run(sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") == 0u, a.error);
  BOOST_TEST(r.requests().empty());
}

// Before the shared client (http/tls.hpp), only Telegent's transport refused TLS 1.0/1.1: a
// receiver that offered no more than TLS 1.1 got the webhook, signature and all.
BOOST_AUTO_TEST_CASE(a_receiver_limited_to_tls_1_1_is_refused_before_anything_is_sent) {
  tls_1_1_receiver r(ioc);
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), ca(), 5s, 1);
  auto a = run(sender.post("{}", {{"webhook-id", "evt_1"}}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") == 0u, a.error);
  BOOST_TEST(r.requests == 0);
}

BOOST_AUTO_TEST_CASE(a_receiver_that_never_answers_costs_one_timeout) {
  loopback_server r(ioc);
  r.on_request = [](const loopback_request&) { return loopback_reply::doing(loopback_reply::action::hang); };
  http_sender sender(ioc.get_executor(), url_for("http://127.0.0.1", r.port()), "", 300ms, 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto a = run(sender.post("{}", {}));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error == "read: timed out");
  BOOST_TEST(r.requests().size() == 1u);
  BOOST_TEST((took >= 300ms && took < 5s));
}

BOOST_AUTO_TEST_CASE(refused_connection_is_a_value) {
  unsigned short port;
  {
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  http_sender sender(ioc.get_executor(), url_for("http://127.0.0.1", port), "", 1s, 1);
  auto a = run(sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("connect: ") == 0u, a.error);
}

BOOST_AUTO_TEST_SUITE_END()

// Egress through an HTTP CONNECT proxy (HTTPS_PROXY or a sink's proxy key).
BOOST_FIXTURE_TEST_SUITE(notify_https_proxy, portd::test::io_fixture)

BOOST_AUTO_TEST_CASE(an_https_receiver_is_reached_through_one_tunnel_verified_end_to_end) {
  portd::test::connect_proxy proxy;
  loopback_server r(ioc, &tls_certificate::localhost());
  r.on_request = no_content;
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), ca(), 5s, 2,
                     portd::http::parse_proxy(proxy.url()).proxy);
  BOOST_TEST(run(sender.post(R"({"a":1})", {{"webhook-id", "evt_1"}})).status == 204);
  BOOST_TEST(run(sender.post("{}", {})).status == 204);
  BOOST_REQUIRE(!r.requests().empty());
  BOOST_TEST(r.requests().back().target == "/hooks/portd?token=t");  // the path only ever inside the tunnel
  BOOST_TEST(proxy.tunnels() == 1u);  // keep-alive: the second POST used the same tunnel
  BOOST_REQUIRE(proxy.targets().size() == 1u);
  BOOST_TEST(proxy.targets()[0] == "localhost:" + std::to_string(r.port()));  // the origin, by name
  sender.close();
}

BOOST_AUTO_TEST_CASE(a_receiver_with_the_wrong_name_stays_refused_through_the_proxy) {
  portd::test::connect_proxy proxy;
  loopback_server r(ioc, &tls_certificate::other_host());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), tls_certificate::other_host().cert_file,
                     5s, 1, portd::http::parse_proxy(proxy.url()).proxy);
  auto a = run(sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") == 0u, a.error);
  BOOST_TEST(r.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_proxy_that_wants_credentials_is_named_in_the_error) {
  portd::test::connect_proxy proxy;
  proxy.require_authorization("Basic dTpw");  // u:p
  loopback_server r(ioc, &tls_certificate::localhost());
  r.on_request = no_content;
  http_sender without(ioc.get_executor(), url_for("https://localhost", r.port()), ca(), 5s, 1,
                      portd::http::parse_proxy(proxy.url()).proxy);
  auto a = run(without.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("asks for credentials (407)") != std::string::npos, a.error);
  http_sender with(ioc.get_executor(), url_for("https://localhost", r.port()), ca(), 5s, 1,
                   portd::http::parse_proxy(proxy.url(), "u:p").proxy);
  BOOST_TEST(run(with.post("{}", {})).status == 204);
  BOOST_TEST(proxy.tunnels() == 1u);
  with.close();
}

BOOST_AUTO_TEST_CASE(the_test_proxy_refuses_anything_but_connect) {
  portd::test::connect_proxy proxy;
  http_sender plain(ioc.get_executor(), *portd::http::parse_http_url(proxy.url() + "/").url, "", 5s, 1);
  BOOST_TEST(run(plain.post("{}", {})).status == 405);
  BOOST_TEST(proxy.refused() == 1u);
  BOOST_TEST(proxy.tunnels() == 0u);
  plain.close();
}

BOOST_AUTO_TEST_SUITE_END()
