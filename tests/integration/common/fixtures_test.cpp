// The shared test fixtures themselves: io_fixture finishes coroutines and notices work left
// running, loopback_server does what each scripted reply says (plain and TLS), log_capture
// collects what portd logs.
#include "common/io_fixture.hpp"
#include "common/log_capture.hpp"
#include "common/loopback_server.hpp"
#include "common/temp_dir.hpp"

#include <portd/runtime/log.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <stdexcept>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace portd::test;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
using action = loopback_reply::action;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct answer {
  boost::system::error_code ec;  // set when no whole response arrived
  unsigned status = 0;
  std::string body;
};

// One request on a fresh connection (TLS, trusting `ca`, when given), bounded by `timeout`.
asio::awaitable<answer> fetch(unsigned short port, std::string target, const tls_certificate* ca = nullptr,
                              std::chrono::milliseconds timeout = 5s) {
  auto ex = co_await asio::this_coro::executor;
  answer out;
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  const tcp::endpoint at{asio::ip::make_address("127.0.0.1"), port};
  if (ca) {
    asio::ssl::context ctx{asio::ssl::context::tls_client};
    ctx.load_verify_file(ca->cert_file);
    beast::ssl_stream<beast::tcp_stream> s{ex, ctx};
    s.set_verify_mode(asio::ssl::verify_peer);
    s.set_verify_callback(asio::ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(s).expires_after(timeout);
    if (auto [ec] = co_await beast::get_lowest_layer(s).async_connect(at, use_tuple); ec) co_return out.ec = ec, out;
    if (auto [ec] = co_await s.async_handshake(asio::ssl::stream_base::client, use_tuple); ec) co_return out.ec = ec, out;
    co_await http::async_write(s, req, use_tuple);
    auto [ec, n] = co_await http::async_read(s, buf, res, use_tuple);
    out.ec = ec;
  } else {
    beast::tcp_stream s{ex};
    s.expires_after(timeout);
    if (auto [ec] = co_await s.async_connect(at, use_tuple); ec) co_return out.ec = ec, out;
    co_await http::async_write(s, req, use_tuple);
    auto [ec, n] = co_await http::async_read(s, buf, res, use_tuple);
    out.ec = ec;
  }
  out.status = res.result_int();
  out.body = res.body();
  co_return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(test_fixtures, io_fixture)

BOOST_AUTO_TEST_CASE(run_returns_the_value_and_rethrows_the_exception) {
  BOOST_TEST(run([]() -> asio::awaitable<int> { co_return 42; }) == 42);
  BOOST_CHECK_THROW(run([]() -> asio::awaitable<void> {
                      throw std::runtime_error("boom");
                      co_return;
                    }),
                    std::runtime_error);
}

BOOST_AUTO_TEST_CASE(work_left_running_is_noticed) {
  asio::steady_timer forgotten(ioc, 1h);
  forgotten.async_wait([](boost::system::error_code) {});
  BOOST_TEST(!idle());
  forgotten.cancel();
  BOOST_TEST(idle());

  loopback_server server(ioc);
  BOOST_TEST(!idle());  // still listening
  server.stop();
  BOOST_TEST(idle());
}

BOOST_AUTO_TEST_CASE(each_scripted_reply_does_what_it_says) {
  loopback_server server(ioc);
  server.on_request = [](const loopback_request& r) {
    if (r.target == "/ok") return loopback_reply::with(201, R"({"a":1})");
    if (r.target == "/raw") return loopback_reply::bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    if (r.target == "/head") {
      auto rep = loopback_reply::with(200, "the body never comes");
      rep.act = action::head_then_close;
      return rep;
    }
    if (r.target == "/reset") return loopback_reply::doing(action::reset);
    if (r.target == "/close") return loopback_reply::doing(action::close);
    return loopback_reply::doing(action::hang);
  };
  run([&]() -> asio::awaitable<void> {
    const auto ok = co_await fetch(server.port(), "/ok");
    BOOST_TEST(!ok.ec);
    BOOST_TEST(ok.status == 201u);
    BOOST_TEST(ok.body == R"({"a":1})");
    BOOST_TEST((co_await fetch(server.port(), "/raw")).ec == make_error_code(http::error::partial_message));
    BOOST_TEST((co_await fetch(server.port(), "/head")).ec == make_error_code(http::error::partial_message));
    BOOST_TEST((co_await fetch(server.port(), "/reset")).ec == make_error_code(asio::error::connection_reset));
    BOOST_TEST((co_await fetch(server.port(), "/close")).ec == make_error_code(http::error::end_of_stream));
    BOOST_TEST((co_await fetch(server.port(), "/hang", nullptr, 100ms)).ec == make_error_code(beast::error::timeout));
    server.stop();
  });
  BOOST_TEST(server.connections() == 6);
  BOOST_REQUIRE_EQUAL(server.requests().size(), 6u);
  BOOST_TEST(server.requests()[0].header("Host") == "localhost");
  BOOST_TEST(server.requests()[5].connection == 6);
}

BOOST_AUTO_TEST_CASE(tls_with_the_localhost_certificate) {
  loopback_server server(ioc, &tls_certificate::localhost());
  BOOST_TEST(server.url().starts_with("https://127.0.0.1:"));
  run([&]() -> asio::awaitable<void> {
    const auto ok = co_await fetch(server.port(), "/", &tls_certificate::localhost());
    BOOST_TEST(!ok.ec);
    BOOST_TEST(ok.status == 200u);
    server.stop();
  });
}

BOOST_AUTO_TEST_CASE(log_capture_collects_lines_and_gives_the_logger_back) {
  const auto before = spdlog::default_logger();
  {
    log_capture log;
    spdlog::warn("telegent answered {}", 503);
    portd::runtime::log_order(spdlog::level::info, {7, "submitted", ""}, "sent to Telegent");
    BOOST_TEST(log.contains("warning telegent answered 503"));
    BOOST_TEST(log.count("order 7 [submitted] sent to Telegent") == 1u);
    BOOST_TEST(!log.contains("s3cret"));
    BOOST_TEST(log.lines().size() == 2u);
  }
  BOOST_TEST(spdlog::default_logger() == before);
}

BOOST_AUTO_TEST_CASE(temp_dir_goes_with_everything_in_it) {
  std::filesystem::path kept;
  {
    temp_dir dir;
    kept = dir.path();
    std::filesystem::create_directories(dir / "a" / "b");
    BOOST_TEST(std::filesystem::is_directory(kept / "a" / "b"));
  }
  BOOST_TEST(!std::filesystem::exists(kept));
}

BOOST_AUTO_TEST_SUITE_END()
