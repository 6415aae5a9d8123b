// The fake Telegent of fake_telegent.hpp.
#include "fake_telegent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace portd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

test_certificate make_certificate(const std::string& name, const std::string& san) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("portd-telegent-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::create_directories(dir);
  test_certificate c{(dir / "cert.pem").string(), (dir / "key.pem").string()};
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout '" +
                          c.key_file + "' -out '" + c.cert_file + "' -subj /CN=" + name +
                          " -addext subjectAltName=" + san + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed: " + cmd);
  return c;
}

// tokenExpiry as Telegent writes it: "05/02/2026 06:36:13 PM", UTC without a zone.
std::string us_expiry(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%m/%d/%Y %I:%M:%S %p", &tm);
  return buf;
}

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(ssl::stream<tcp::socket>& s) { return s.next_layer(); }

asio::awaitable<bool> handshake(tcp::socket&) { co_return true; }
asio::awaitable<bool> handshake(ssl::stream<tcp::socket>& s) {
  auto [ec] = co_await s.async_handshake(ssl::stream_base::server, use_tuple);
  co_return !ec;
}

}  // namespace

const test_certificate& localhost_certificate() {
  static const test_certificate c = make_certificate("localhost", "DNS:localhost,IP:127.0.0.1");
  return c;
}

const test_certificate& other_host_certificate() {
  static const test_certificate c = make_certificate("elsewhere.test", "DNS:elsewhere.test");
  return c;
}

fake_telegent::fake_telegent(asio::io_context& ioc, const test_certificate* cert)
    : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), hang_(ioc) {
  hang_.expires_at(asio::steady_timer::time_point::max());
  port_ = acceptor_.local_endpoint().port();
  if (cert) {
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls_->use_certificate_chain_file(cert->cert_file);
    tls_->use_private_key_file(cert->key_file, ssl::context::pem);
  }
  on_token = [this](const fake_request&) { return default_token_reply(); };
  on_api = [](const fake_request&) {
    fake_reply r;
    r.body = R"({"OrderId":"JNUOID-1","Status":"Pending","OrderStatus":"Pending","Eligible":true})";
    return r;
  };
  asio::co_spawn(ioc_, accept_loop(), asio::detached);
}

fake_telegent::~fake_telegent() { stop(); }

std::string fake_telegent::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

fake_reply fake_telegent::default_token_reply() {
  fake_reply r;
  r.body = R"({"token":"tok-)" + std::to_string(++tokens_issued_) +
           R"(","successful":true,"tokenExpiry":")" +
           us_expiry(std::chrono::system_clock::now() + std::chrono::hours(1)) + R"("})";
  return r;
}

std::vector<fake_request> fake_telegent::token_requests() const {
  std::vector<fake_request> out;
  for (const auto& r : requests) {
    if (r.target.find("/oauth2/tokens") != std::string::npos) out.push_back(r);
  }
  return out;
}

std::vector<fake_request> fake_telegent::api_requests() const {
  std::vector<fake_request> out;
  for (const auto& r : requests) {
    if (r.target.find("/oauth2/tokens") == std::string::npos) out.push_back(r);
  }
  return out;
}

void fake_telegent::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  hang_.cancel();
  for (auto& close : closers_) close();
  closers_.clear();
}

asio::awaitable<void> fake_telegent::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec || stopped_) co_return;
    const int id = ++connections;
    if (tls_) {
      auto s = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), *tls_);
      closers_.push_back([w = std::weak_ptr(s)] {
        if (auto p = w.lock()) p->next_layer().close();
      });
      asio::co_spawn(ioc_, session(s, id), asio::detached);
    } else {
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      closers_.push_back([w = std::weak_ptr(s)] {
        if (auto p = w.lock()) p->close();
      });
      asio::co_spawn(ioc_, session(s, id), asio::detached);
    }
  }
}

template <class Stream>
asio::awaitable<void> fake_telegent::session(std::shared_ptr<Stream> stream, int id) {
  if (!co_await handshake(*stream)) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [ec, n] = co_await http::async_read(*stream, buffer, req, use_tuple);
    if (ec || stopped_) co_return;
    fake_request fr{std::string(req.method_string()), std::string(req.target()), req.body(),
                    std::string(req[http::field::authorization]), id};
    requests.push_back(fr);
    const bool is_token = fr.target.find("/oauth2/tokens") != std::string::npos;
    fake_reply rep = is_token ? on_token(fr) : on_api(fr);
    boost::system::error_code ignored;
    switch (rep.act) {
      case fake_reply::action::hang:
        co_await hang_.async_wait(use_tuple);
        co_return;
      case fake_reply::action::reset:
        // SO_LINGER 0: close() sends a RST instead of a FIN.
        lowest(*stream).set_option(asio::socket_base::linger(true, 0), ignored);
        lowest(*stream).close(ignored);
        co_return;
      case fake_reply::action::close:
        lowest(*stream).close(ignored);
        co_return;
      case fake_reply::action::reply:
        break;
    }
    if (rep.delay) {
      asio::steady_timer t(ioc_);
      t.expires_after(*rep.delay);
      co_await t.async_wait(use_tuple);
    }
    http::response<http::string_body> res{static_cast<http::status>(rep.status), 11};
    res.set(http::field::content_type, "application/json");
    for (const auto& [k, v] : rep.headers) res.set(k, v);
    res.body() = rep.body;
    res.keep_alive(rep.keep_alive && req.keep_alive());
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
    if (wec || !res.keep_alive() || rep.close_after) {
      lowest(*stream).close(ignored);
      ++closed_after_reply;
      co_return;
    }
  }
}

}  // namespace portd::test
