// Integration tests: the in-process telegent-sim server on 127.0.0.1:0, on the test's own
// io_context, driven by a small Beast client over real sockets (plain HTTP and TLS).
#include "common/io_fixture.hpp"
#include "common/tls_certificate.hpp"

#include <telegent_sim/server.hpp>
#include <telegent_sim/simulator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace telegent_sim;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct reply {
  boost::system::error_code ec;  // set when no response arrived (reset, timeout)
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string retry_after;
  std::string allow;
  json::object json() const { return json::parse(body).as_object(); }
};

// One keep-alive connection to the sim; every operation times out.
template <class Stream>
class client {
 public:
  explicit client(Stream& stream) : stream_(stream) {}

  asio::awaitable<reply> request(http::verb method, std::string target, std::string body = {}, std::string token = {},
                                 std::chrono::milliseconds timeout = 5s) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = std::move(body);
    }
    req.keep_alive(true);
    req.prepare_payload();
    reply out;
    beast::get_lowest_layer(stream_).expires_after(timeout);
    auto [wec, wn] = co_await http::async_write(stream_, req, use_tuple);
    if (wec) {
      out.ec = wec;
      co_return out;
    }
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream_, buffer_, res, use_tuple);
    if (rec) {
      out.ec = rec;
      co_return out;
    }
    out.status = res.result_int();
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    out.retry_after = std::string(res[http::field::retry_after]);
    out.allow = std::string(res[http::field::allow]);
    co_return out;
  }

  asio::awaitable<std::string> token(std::string path) {
    auto r = co_await request(http::verb::post, "/v1.0/oauth2/tokens",
                              R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"https://api.telegent.com)" +
                                  path + R"("})");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    co_return std::string(r.json().at("token").as_string());
  }

 private:
  Stream& stream_;
  beast::flat_buffer buffer_;
};

const std::string port_in_fields =
    R"("CurrentCarrierName":"Verizon","CurrentAccountNumber":"123","CurrentAccountPassword":"9999",)"
    R"("CurrentBillingAddress":{"Street1":"1 Main St","City":"Detroit","State":"MI","Zip":"48201"})";

std::string port_in_body(const std::string& number) {
  return R"({"PortInNumber":")" + number + R"(",)" + port_in_fields + "}";
}

sim_config test_config(double rpm = 0) {
  sim_config c;
  c.seed = 3;
  c.rate_limit.requests_per_minute = rpm;
  // The strict definition (no grace for requests already in flight): an immediate retry on
  // the same connection is a violation.
  c.rate_limit.violation_grace = 0ms;
  return c;
}

// The test's io_context (io_fixture: work left running fails the test).
struct sim_fixture : portd::test::io_fixture {
  // Runs `body` on ioc with the server up, then stops the server, whether body threw or not.
  template <class F>
  void run_test(server& srv, F body) {
    run([&]() -> asio::awaitable<void> {
      std::exception_ptr failure;
      try {
        co_await body();
      } catch (...) {
        failure = std::current_exception();
      }
      srv.stop();
      if (failure) std::rethrow_exception(failure);
    });
  }
};

asio::awaitable<tcp::socket> connect(std::uint16_t port) {
  tcp::socket s(co_await asio::this_coro::executor);
  co_await s.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::use_awaitable);
  co_return s;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(sim_server, sim_fixture)

BOOST_AUTO_TEST_CASE(port_in_over_one_keep_alive_connection) {
  simulator sim{test_config(), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  BOOST_TEST(srv.port() != 0);
  BOOST_TEST(srv.url() == "http://127.0.0.1:" + std::to_string(srv.port()));
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    const auto el_tok = co_await c.token("/v1.0/numbers/portin/eligibility");
    auto el = co_await c.request(http::verb::post, "/v1.0/numbers/portin/eligibility",
                                 R"({"PhoneNumber":"+15555551230","TargetClassification":"mvno"})", el_tok);
    BOOST_TEST(el.status == 200u);
    BOOST_TEST(el.content_type == "application/json; charset=utf-8");
    BOOST_TEST(el.json().at("Eligible").as_bool());
    const auto sub = co_await c.request(http::verb::post, "/v1.0/numbers/portin", port_in_body("+15555551230"),
                                        co_await c.token("/v1.0/numbers/portin"));
    BOOST_TEST(sub.status == 200u);
    const std::string id(sub.json().at("OrderId").as_string());
    const auto order_tok = co_await c.token("/v1.0/numbers/order");
    auto o = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=" + id, "", order_tok);
    BOOST_TEST(o.json().at("OrderStatus").as_string() == "Pending");
    // Three sim days pass at once.
    auto t = co_await c.request(http::verb::post, "/_sim/time", R"({"advance_seconds":259200})");
    BOOST_TEST(t.status == 200u);
    o = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=" + id, "", order_tok);
    BOOST_TEST(o.json().at("OrderStatus").as_string() == "Completed");
    auto stats = co_await c.request(http::verb::get, "/_sim/stats");
    const auto s = stats.json();
    BOOST_TEST(s.at("orders_created_per_number").at("+15555551230").as_int64() == 1);
    BOOST_TEST(s.at("flips").as_array().size() == 4u);
    BOOST_TEST(s.at("detection_latency_ms").at("count").as_int64() == 1);
  });
  // In-process readers see the same numbers.
  BOOST_TEST(sim.stats(real_now()).requests.at("order").at("200") == 2u);
}

BOOST_AUTO_TEST_CASE(error_shapes_on_the_wire) {
  simulator sim{test_config(), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    const auto tok = co_await c.token("/v1.0/numbers/portin");
    auto bad = co_await c.request(http::verb::post, "/v1.0/numbers/portin", R"({"PortInNumber":"+15555551230"})", tok);
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(bad.content_type == "application/problem+json; charset=utf-8");
    const auto b = bad.json();
    BOOST_TEST(b.at("status").as_int64() == 400);
    BOOST_TEST(b.at("errors").as_object().contains("$.CurrentCarrierName"));
    BOOST_TEST(b.at("errors").as_object().contains("$.CurrentBillingAddress"));
    BOOST_TEST(b.contains("traceId"));
    auto malformed = co_await c.request(http::verb::post, "/v1.0/numbers/portin", "{\"PortInNumber\":", tok);
    BOOST_TEST(malformed.status == 400u);
    auto unauth = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
    BOOST_TEST(unauth.status == 401u);
    BOOST_TEST(unauth.json().at("errors").as_object().contains("Auth"));
    auto none = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "",
                                   co_await c.token("/v1.0/numbers/order"));
    BOOST_TEST(none.status == 404u);
    BOOST_TEST(none.json().at("status").as_int64() == 404);
    auto wrong = co_await c.request(http::verb::put, "/v1.0/numbers/portin", "");
    BOOST_TEST(wrong.status == 405u);
    BOOST_TEST(wrong.allow == "POST");
  });
}

BOOST_AUTO_TEST_CASE(rate_limit_429_with_retry_after) {
  simulator sim{test_config(50), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    const auto tok = co_await c.token("/v1.0/numbers/order");
    reply r;
    for (int i = 0; i < 12 && r.status != 429; ++i)
      r = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(std::atoi(r.retry_after.c_str()) >= 1);
    r = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
    BOOST_TEST(r.status == 429u);
  });
  const auto st = sim.stats(real_now());
  BOOST_TEST(st.violations == 1u);
  BOOST_TEST(st.rate_limited == 2u);
}

BOOST_AUTO_TEST_CASE(hang_keeps_the_connection_open_without_answering) {
  simulator sim{test_config(), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    const auto tok = co_await c.token("/v1.0/numbers/order");
    fault_profile p;
    p.endpoints["order"][fault_kind::hang] = 1.0;
    sim.faults().set_profile(p);
    auto r = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok, 300ms);
    BOOST_TEST((r.ec == beast::error::timeout));  // our timeout: the server never answered
    BOOST_TEST(sim.stats(real_now()).requests.at("order").at("hang") == 1u);
  });
}

BOOST_AUTO_TEST_CASE(reset_after_creates_the_order_but_drops_the_connection) {
  simulator sim{test_config(), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  run_test(srv, [&]() -> asio::awaitable<void> {
    std::string tok;
    {
      beast::tcp_stream stream(co_await connect(srv.port()));
      client c(stream);
      tok = co_await c.token("/v1.0/numbers/portin");
      fault_profile p;
      p.endpoints["portin"][fault_kind::reset_after] = 1.0;
      p.limit = 1;
      sim.faults().set_profile(p);
      auto r = co_await c.request(http::verb::post, "/v1.0/numbers/portin", port_in_body("+15555551230"), tok);
      BOOST_TEST(r.ec.failed());
      BOOST_TEST(r.status == 0u);
    }
    {
      beast::tcp_stream stream(co_await connect(srv.port()));
      client c(stream);
      fault_profile p;
      p.endpoints["portin"][fault_kind::reset_before] = 1.0;
      p.limit = 1;
      sim.faults().set_profile(p);
      auto r = co_await c.request(http::verb::post, "/v1.0/numbers/portin", port_in_body("+15555551231"), tok);
      BOOST_TEST(r.ec.failed());
    }
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    auto retry = co_await c.request(http::verb::post, "/v1.0/numbers/portin", port_in_body("+15555551230"), tok);
    BOOST_TEST(retry.status == 409u);  // the first attempt did create the order
  });
  const auto st = sim.stats(real_now());
  BOOST_TEST(st.orders_created_per_number.size() == 1u);
  BOOST_TEST(st.orders_created_per_number.at("+15555551230") == 1u);
  BOOST_TEST(st.duplicate_submits == 1u);
}

BOOST_AUTO_TEST_CASE(delay_answers_late) {
  simulator sim{test_config(), real_now()};
  server srv{ioc.get_executor(), sim};
  srv.start();
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await connect(srv.port()));
    client c(stream);
    auto f = co_await c.request(http::verb::post, "/_sim/faults", R"({"endpoints":{"tokens":{"delay":1}},"delay_ms":200})");
    BOOST_TEST(f.status == 200u);
    const auto start = std::chrono::steady_clock::now();
    const auto tok = co_await c.token("/v1.0/numbers/order");
    BOOST_TEST(!tok.empty());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 200ms));
  });
}

BOOST_AUTO_TEST_CASE(https_with_a_self_signed_certificate) {
  const auto& cert = portd::test::tls_certificate::localhost();
  simulator sim{test_config(), real_now()};
  server_options opts;
  opts.tls_cert = cert.cert_file;
  opts.tls_key = cert.key_file;
  server srv{ioc.get_executor(), sim, opts};
  srv.start();
  BOOST_TEST(srv.url().starts_with("https://127.0.0.1:"));
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  ctx.load_verify_file(cert.cert_file);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  run_test(srv, [&]() -> asio::awaitable<void> {
    beast::ssl_stream<beast::tcp_stream> stream(co_await connect(srv.port()), ctx);
    SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
    stream.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(stream).expires_after(5s);
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    client c(stream);
    const auto tok = co_await c.token("/v1.0/numbers/order");
    BOOST_TEST(!tok.empty());
    auto r = co_await c.request(http::verb::get, "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
    BOOST_TEST(r.status == 404u);
  });
}

BOOST_AUTO_TEST_SUITE_END()
