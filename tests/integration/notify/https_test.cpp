// The webhook HTTP client over loopback TLS: the peer's certificate and host name are verified
// (a self-signed receiver works only with its CA given), headers arrive as sent, keep-alive is
// reused, and a receiver that never answers costs one timeout. Server and client share one
// io_context, as in the daemon.
#include <common/connect_proxy.hpp>
#include <portd/notify/http_sender.hpp>
#include <portd/http/proxy.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace portd::notify;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct certificate {
  std::string cert, key;
};

certificate make_certificate(const std::string& cn, const std::string& san) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("portd-notify-tls-" + std::to_string(::getpid()) + "-" + cn);
  std::filesystem::create_directories(dir);
  certificate c{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout '" + c.key + "' -out '" +
                          c.cert + "' -subj /CN=" + cn + " -addext subjectAltName=" + san + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
  return c;
}

const certificate& localhost_cert() {
  static const certificate c = make_certificate("localhost", "DNS:localhost,IP:127.0.0.1");
  return c;
}
const certificate& other_cert() {
  static const certificate c = make_certificate("other.example", "DNS:other.example");
  return c;
}

// A receiver on 127.0.0.1: TLS with `cert` (plain when null); answers `status`, or never when
// `hang`. Records the last request's headers.
struct receiver {
  asio::io_context& ioc;
  tcp::acceptor acceptor;
  ssl::context ctx{ssl::context::tls_server};
  bool tls;
  int status = 204;
  bool hang = false;
  int requests = 0, connections = 0;
  http::request<http::string_body> last;

  receiver(asio::io_context& io, const certificate* cert)
      : ioc(io), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), tls(cert != nullptr) {
    if (cert) {
      ctx.use_certificate_chain_file(cert->cert);
      ctx.use_private_key_file(cert->key, ssl::context::pem);
    }
    asio::co_spawn(ioc, accept(), asio::detached);
  }
  unsigned short port() const { return acceptor.local_endpoint().port(); }

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      ++connections;
      if (tls) {
        auto s = std::make_shared<ssl::stream<tcp::socket>>(std::move(sock), ctx);
        auto [hec] = co_await s->async_handshake(ssl::stream_base::server, use_tuple);
        if (!hec) asio::co_spawn(ioc, serve(s), asio::detached);
      } else {
        asio::co_spawn(ioc, serve(std::make_shared<tcp::socket>(std::move(sock))), asio::detached);
      }
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<Stream> s) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*s, buf, req, use_tuple);
      if (ec) co_return;
      ++requests;
      last = req;
      if (hang) {
        char c;
        co_await s->async_read_some(asio::buffer(&c, 1), use_tuple);
        co_return;
      }
      http::response<http::empty_body> res{static_cast<http::status>(status), 11};
      res.keep_alive(true);
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(*s, res, use_tuple);
      if (wec) co_return;
    }
  }
};

// Runs `f` (a coroutine) on `ioc` to completion and returns its result.
template <class T>
T run(asio::io_context& ioc, asio::awaitable<T> f) {
  std::optional<T> out;
  asio::co_spawn(ioc, std::move(f), [&](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    out = std::move(v);
    ioc.stop();
  });
  ioc.restart();
  ioc.run();
  return std::move(*out);
}

url_parts url_for(const std::string& scheme_host, unsigned short port) {
  return *parse_url(scheme_host + ":" + std::to_string(port) + "/hooks/portd?token=t");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_https)

BOOST_AUTO_TEST_CASE(verified_tls_delivery_with_keep_alive) {
  asio::io_context ioc;
  receiver r(ioc, &localhost_cert());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), localhost_cert().cert, 5s, 2);
  auto a = run(ioc, sender.post(R"({"a":1})", {{"webhook-id", "evt_1"}, {"webhook-signature", "v1,x"}}));
  BOOST_TEST(a.status == 204);
  BOOST_TEST(a.error.empty());
  BOOST_TEST(r.last.target() == "/hooks/portd?token=t");
  BOOST_TEST(r.last["webhook-id"] == "evt_1");
  BOOST_TEST(r.last[http::field::content_type] == "application/json");
  BOOST_TEST(r.last.body() == R"({"a":1})");
  auto b = run(ioc, sender.post("{}", {}));
  BOOST_TEST(b.status == 204);
  BOOST_TEST(r.connections == 1);  // the second POST reused the connection
  r.status = 500;
  BOOST_TEST(run(ioc, sender.post("{}", {})).status == 500);
}

BOOST_AUTO_TEST_CASE(an_ip_address_is_verified_too) {
  asio::io_context ioc;
  receiver r(ioc, &localhost_cert());
  http_sender sender(ioc.get_executor(), url_for("https://127.0.0.1", r.port()), localhost_cert().cert, 5s, 1);
  BOOST_TEST(run(ioc, sender.post("{}", {})).status == 204);
}

BOOST_AUTO_TEST_CASE(unknown_ca_is_refused) {
  asio::io_context ioc;
  receiver r(ioc, &localhost_cert());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), "", 5s, 1);  // system store
  auto a = run(ioc, sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") != std::string::npos, a.error);
  BOOST_TEST(r.requests == 0);
}

BOOST_AUTO_TEST_CASE(wrong_host_name_is_refused) {
  asio::io_context ioc;
  receiver r(ioc, &other_cert());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), other_cert().cert, 5s, 1);
  auto a = run(ioc, sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") != std::string::npos, a.error);
  BOOST_TEST(r.requests == 0);
}

// Before the shared client (http/tls.hpp), only Telegent's transport refused TLS 1.0/1.1: a
// receiver that offered no more than TLS 1.1 (here with RSA key exchange, which needs no
// legacy signature) got the webhook, signature and all.
BOOST_AUTO_TEST_CASE(a_receiver_limited_to_tls_1_1_is_refused_before_anything_is_sent) {
  asio::io_context ioc;
  receiver r(ioc, &localhost_cert());
  SSL_CTX_set_max_proto_version(r.ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(r.ctx.native_handle(), "AES128-SHA:@SECLEVEL=0");
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), localhost_cert().cert, 5s, 1);
  auto a = run(ioc, sender.post("{}", {{"webhook-id", "evt_1"}}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") == 0u, a.error);
  BOOST_TEST(r.requests == 0);
}

BOOST_AUTO_TEST_CASE(a_receiver_that_never_answers_costs_one_timeout) {
  asio::io_context ioc;
  receiver r(ioc, nullptr);
  r.hang = true;
  http_sender sender(ioc.get_executor(), url_for("http://127.0.0.1", r.port()), "", 300ms, 1);
  const auto t0 = std::chrono::steady_clock::now();
  auto a = run(ioc, sender.post("{}", {}));
  const auto took = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error == "read: timed out");
  BOOST_TEST(r.requests == 1);
  BOOST_TEST((took >= 300ms && took < 5s));
}

BOOST_AUTO_TEST_CASE(refused_connection_is_a_value) {
  asio::io_context ioc;
  unsigned short port;
  {
    tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  http_sender sender(ioc.get_executor(), url_for("http://127.0.0.1", port), "", 1s, 1);
  auto a = run(ioc, sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("connect") == 0u, a.error);
}

BOOST_AUTO_TEST_SUITE_END()

// Egress through an HTTP CONNECT proxy (HTTPS_PROXY or a sink's proxy key).
BOOST_AUTO_TEST_SUITE(notify_https_proxy)

BOOST_AUTO_TEST_CASE(an_https_receiver_is_reached_through_one_tunnel_verified_end_to_end) {
  asio::io_context ioc;
  portd::test::connect_proxy proxy;
  receiver r(ioc, &localhost_cert());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), localhost_cert().cert, 5s, 2,
                     portd::http::parse_proxy(proxy.url()).proxy);
  BOOST_TEST(run(ioc, sender.post(R"({"a":1})", {{"webhook-id", "evt_1"}})).status == 204);
  BOOST_TEST(run(ioc, sender.post("{}", {})).status == 204);
  BOOST_TEST(r.last.target() == "/hooks/portd?token=t");  // the path only ever inside the tunnel
  BOOST_TEST(proxy.tunnels() == 1u);  // keep-alive: the second POST used the same tunnel
  BOOST_REQUIRE(proxy.targets().size() == 1u);
  BOOST_TEST(proxy.targets()[0] == "localhost:" + std::to_string(r.port()));  // the origin, by name
}

BOOST_AUTO_TEST_CASE(a_receiver_with_the_wrong_name_stays_refused_through_the_proxy) {
  asio::io_context ioc;
  portd::test::connect_proxy proxy;
  receiver r(ioc, &other_cert());
  http_sender sender(ioc.get_executor(), url_for("https://localhost", r.port()), other_cert().cert, 5s, 1,
                     portd::http::parse_proxy(proxy.url()).proxy);
  auto a = run(ioc, sender.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("TLS handshake") != std::string::npos, a.error);
  BOOST_TEST(r.requests == 0);
}

BOOST_AUTO_TEST_CASE(a_proxy_that_wants_credentials_is_named_in_the_error) {
  asio::io_context ioc;
  portd::test::connect_proxy proxy;
  proxy.require_authorization("Basic dTpw");  // u:p
  receiver r(ioc, &localhost_cert());
  http_sender without(ioc.get_executor(), url_for("https://localhost", r.port()), localhost_cert().cert, 5s, 1,
                      portd::http::parse_proxy(proxy.url()).proxy);
  auto a = run(ioc, without.post("{}", {}));
  BOOST_TEST(a.status == 0);
  BOOST_TEST(a.error.find("asks for credentials (407)") != std::string::npos, a.error);
  http_sender with(ioc.get_executor(), url_for("https://localhost", r.port()), localhost_cert().cert, 5s, 1,
                   portd::http::parse_proxy(proxy.url(), "u:p").proxy);
  BOOST_TEST(run(ioc, with.post("{}", {})).status == 204);
  BOOST_TEST(proxy.tunnels() == 1u);
}

BOOST_AUTO_TEST_CASE(the_test_proxy_refuses_anything_but_connect) {
  asio::io_context ioc;
  portd::test::connect_proxy proxy;
  http_sender plain(ioc.get_executor(), *parse_url(proxy.url() + "/"), "", 5s, 1);
  BOOST_TEST(run(ioc, plain.post("{}", {})).status == 405);
  BOOST_TEST(proxy.refused() == 1u);
  BOOST_TEST(proxy.tunnels() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
