// Beast/OpenSSL POST with a small keep-alive pool (see http_sender.hpp).
#include <portd/notify/http_sender.hpp>
#include <portd/util/proxy_tunnel.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <set>
#include <stdexcept>

namespace portd::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

std::string describe(std::string_view phase, const error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::timed_out) return std::string(phase) + ": timed out";
  return std::string(phase) + ": " + ec.message();
}

bool stale(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

struct http_sender::impl {
  impl(asio::any_io_executor e, url_parts u, const std::string& ca_file,
       std::chrono::milliseconds t, int max_conn, std::optional<util::proxy_endpoint> p)
      : ex(std::move(e)), url(std::move(u)), tls_ctx(ssl::context::tls_client), timeout(t),
        max_idle(static_cast<std::size_t>(std::max(1, max_conn))), proxy(std::move(p)) {
    if (!url.tls) proxy.reset();  // only https goes through the proxy
    tls_ctx.set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!ca_file.empty()) {
      tls_ctx.load_verify_file(ca_file, ec);
      if (ec) throw std::invalid_argument("cannot load the CA file " + ca_file);
    } else {
      tls_ctx.set_default_verify_paths(ec);
      if (ec) throw std::invalid_argument("cannot load the system CA store");
    }
    error_code aec;
    address = asio::ip::make_address(url.host, aec);
    host_is_address = !aec;
  }

  asio::any_io_executor ex;
  url_parts url;
  ssl::context tls_ctx;
  std::chrono::milliseconds timeout;
  std::size_t max_idle;
  std::optional<util::proxy_endpoint> proxy;
  asio::ip::address address;
  bool host_is_address = false;
  std::vector<std::unique_ptr<connection>> idle;
  std::set<connection*> busy;
  bool closed = false;

  // Connects a fresh connection before `deadline`; "" or why not.
  asio::awaitable<std::string> connect(connection& c, asio::steady_timer::time_point deadline) {
    tcp::resolver::results_type endpoints;
    error_code pec;
    const auto proxy_address = proxy ? asio::ip::make_address(proxy->host, pec) : asio::ip::address();
    if (proxy && !pec) {
      endpoints = tcp::resolver::results_type::create(
          tcp::endpoint(proxy_address, static_cast<unsigned short>(std::stoi(proxy->port))), proxy->host, proxy->port);
    } else if (proxy) {
      using namespace asio::experimental::awaitable_operators;
      tcp::resolver resolver(ex);
      asio::steady_timer timer(ex);
      timer.expires_at(deadline);
      auto r = co_await (resolver.async_resolve(proxy->host, proxy->port, use_tuple) || timer.async_wait(use_tuple));
      if (r.index() == 1) co_return "resolve the proxy: timed out";
      auto [ec, results] = std::get<0>(std::move(r));
      if (ec) co_return describe("resolve the proxy " + proxy->display, ec);
      endpoints = std::move(results);
    } else if (host_is_address) {
      endpoints = tcp::resolver::results_type::create(
          tcp::endpoint(address, static_cast<unsigned short>(std::stoi(url.port))), url.host, url.port);
    } else {
      using namespace asio::experimental::awaitable_operators;
      tcp::resolver resolver(ex);
      asio::steady_timer timer(ex);
      timer.expires_at(deadline);
      auto r = co_await (resolver.async_resolve(url.host, url.port, use_tuple) ||
                         timer.async_wait(use_tuple));
      if (r.index() == 1) co_return "resolve: timed out";
      auto [ec, results] = std::get<0>(std::move(r));
      if (ec) co_return describe("resolve", ec);
      endpoints = std::move(results);
    }
    c.tcp().expires_at(deadline);
    busy.insert(&c);  // so that close() can abort the connect
    auto [cec, ep] = co_await c.tcp().async_connect(endpoints, use_tuple);
    if (cec) co_return describe(proxy ? "connect to the proxy " + proxy->display : std::string("connect"), cec);
    if (proxy) {
      auto t = co_await util::open_tunnel(c.tcp(), *proxy, url.host, url.port);
      if (!t.problem.empty()) co_return t.ec == beast::error::timeout ? "proxy " + proxy->display + ": timed out" : t.problem;
    }
    if (c.tls) {
      if (!host_is_address) SSL_set_tlsext_host_name(c.tls->native_handle(), url.host.c_str());
      c.tls->set_verify_callback(ssl::host_name_verification(url.host));
      auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
      if (hec) co_return describe("TLS handshake", hec);
    }
    co_return "";
  }

  std::unique_ptr<connection> make_connection() {
    auto c = std::make_unique<connection>();
    if (url.tls)
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_ctx);
    else
      c->plain = std::make_unique<beast::tcp_stream>(ex);
    return c;
  }

  void drop(std::unique_ptr<connection> c) {
    busy.erase(c.get());
    error_code ec;
    c->tcp().socket().close(ec);
  }

  asio::awaitable<post_result> post(std::string body, header_list headers) {
    http::request<http::string_body> req{http::verb::post, url.target, 11};
    req.set(http::field::host, url.host_header);
    req.set(http::field::user_agent, "portd/" PORTD_VERSION);
    req.set(http::field::content_type, "application/json");
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = std::move(body);
    req.keep_alive(true);
    req.prepare_payload();

    const auto deadline = asio::steady_timer::clock_type::now() + timeout;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (closed) co_return post_result{0, "notifier stopped"};
      std::unique_ptr<connection> c;
      bool reused = false;
      if (!idle.empty()) {
        c = std::move(idle.back());
        idle.pop_back();
        busy.insert(c.get());
        reused = true;
      } else {
        c = make_connection();
        auto why = co_await connect(*c, deadline);
        if (!why.empty()) {
          drop(std::move(c));
          co_return post_result{0, closed ? "notifier stopped" : why};
        }
      }
      c->tcp().expires_at(deadline);
      auto [wec, wn] = c->tls ? co_await http::async_write(*c->tls, req, use_tuple)
                              : co_await http::async_write(*c->plain, req, use_tuple);
      if (wec) {
        drop(std::move(c));
        if (reused && !closed && stale(wec)) continue;  // the receiver closed an idle connection
        co_return post_result{0, closed ? "notifier stopped" : describe("write", wec)};
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024);  // the answer is only looked at for its status
      auto [rec, rn] = c->tls ? co_await http::async_read(*c->tls, c->buffer, parser, use_tuple)
                              : co_await http::async_read(*c->plain, c->buffer, parser, use_tuple);
      if (rec) {
        const bool nothing = !parser.got_some();
        drop(std::move(c));
        if (reused && nothing && !closed && stale(rec)) continue;
        co_return post_result{0, closed ? "notifier stopped" : describe("read", rec)};
      }
      const auto& res = parser.get();
      post_result out{static_cast<int>(res.result_int()), ""};
      busy.erase(c.get());
      if (res.keep_alive() && !closed && idle.size() < max_idle) {
        c->tcp().expires_never();
        idle.push_back(std::move(c));
      } else {
        drop(std::move(c));
      }
      co_return out;
    }
    co_return post_result{0, "connection closed by the receiver"};
  }

  void shutdown() {
    closed = true;
    for (auto* c : busy) {
      error_code ec;
      c->tcp().socket().close(ec);
    }
    for (auto& c : idle) {
      error_code ec;
      c->tcp().socket().close(ec);
    }
    idle.clear();
  }
};

http_sender::http_sender(asio::any_io_executor ex, url_parts url, std::string ca_file,
                         std::chrono::milliseconds timeout, int max_connections,
                         std::optional<util::proxy_endpoint> proxy)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(url), ca_file, timeout, max_connections,
                                   std::move(proxy))) {}

http_sender::~http_sender() {
  if (impl_) impl_->shutdown();
}

asio::awaitable<post_result> http_sender::post(std::string body, header_list headers) {
  auto self = impl_;  // a post in flight keeps its connections alive
  co_return co_await self->post(std::move(body), std::move(headers));
}

void http_sender::close() { impl_->shutdown(); }

}  // namespace portd::notify
