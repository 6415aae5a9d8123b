// Beast/OpenSSL transport with a keep-alive pool (see transport.hpp).
#include <portd/telegent/transport.hpp>
#include <portd/util/proxy_tunnel.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>

#include <set>
#include <stdexcept>
#include <vector>

namespace portd::telegent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<origin> parse_origin(std::string_view url) {
  origin o;
  if (url.starts_with("https://")) {
    o.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    o.tls = false;
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (url.ends_with('/')) url.remove_suffix(1);
  if (url.empty() || url.find_first_of("/?#@ ") != std::string_view::npos) return std::nullopt;
  std::string_view host = url, port;
  if (url.front() == '[') {
    const auto close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = url.substr(1, close - 1);
    auto rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    if (std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) return std::nullopt;
  }
  o.host = std::string(host);
  o.port = port.empty() ? (o.tls ? "443" : "80") : std::string(port);
  o.text = std::string(o.tls ? "https://" : "http://") + std::string(url);
  o.host_header = std::string(url);
  return o;
}

namespace {

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool connected = false;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// An idle keep-alive connection is unusable once anything is readable on it: the peer's FIN,
// a TLS close_notify, or bytes nobody asked for. Checking before reuse keeps a request from
// being written into a connection the server already closed (which would leave a submit
// ambiguous for no reason).
bool peer_gone(connection& c) {
  auto& sock = c.tcp().socket();
  if (!sock.is_open()) return true;
  char byte;
  const auto n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0 || n == 0) return true;
  return errno != EAGAIN && errno != EWOULDBLOCK;
}

bool is_timeout(const error_code& ec) { return ec == beast::error::timeout; }

// The server closed an idle keep-alive connection before it saw our request.
bool is_stale(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

struct transport::impl {
  impl(asio::any_io_executor ex_, transport_config cfg_)
      : ex(std::move(ex_)), cfg(std::move(cfg_)), tls_ctx(ssl::context::tls_client), pool_cv(ex) {
    pool_cv.expires_at(asio::steady_timer::time_point::max());
    if (cfg.max_connections < 1) cfg.max_connections = 1;
    tls_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    tls_ctx.set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!cfg.ca_file.empty()) {
      tls_ctx.load_verify_file(cfg.ca_file, ec);
      if (ec) throw std::invalid_argument("cannot load the CA file " + cfg.ca_file);
    } else {
      tls_ctx.set_default_verify_paths(ec);
      if (ec) throw std::invalid_argument("cannot load the system CA store");
    }
    error_code aec;
    host_address = asio::ip::make_address(cfg.where.host, aec);
    host_is_address = !aec;
  }

  asio::any_io_executor ex;
  transport_config cfg;
  ssl::context tls_ctx;
  asio::ip::address host_address;
  bool host_is_address = false;

  std::vector<std::unique_ptr<connection>> idle;
  std::set<connection*> busy;
  std::size_t open = 0;
  std::uint64_t opened = 0;
  asio::steady_timer pool_cv;  // never expires: cancel_one() wakes a waiter for a free slot
  bool closed = false;

  std::unique_ptr<connection> make_connection() {
    auto c = std::make_unique<connection>();
    if (cfg.where.tls) {
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_ctx);
    } else {
      c->plain = std::make_unique<beast::tcp_stream>(ex);
    }
    return c;
  }

  // A connection to use (reused when one is idle) or nullptr once closed.
  asio::awaitable<std::unique_ptr<connection>> lease(bool& reused) {
    for (;;) {
      if (closed) co_return nullptr;
      while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        if (peer_gone(*c)) {
          error_code ec;
          c->tcp().socket().close(ec);
          --open;
          continue;
        }
        busy.insert(c.get());
        reused = true;
        co_return c;
      }
      if (open < static_cast<std::size_t>(cfg.max_connections)) {
        ++open;
        auto c = make_connection();
        busy.insert(c.get());
        reused = false;
        co_return c;
      }
      co_await pool_cv.async_wait(use_tuple);
    }
  }

  void give_back(std::unique_ptr<connection> c, bool keep) {
    busy.erase(c.get());
    if (keep && !closed && c->connected) {
      idle.push_back(std::move(c));
    } else {
      error_code ec;
      c->tcp().socket().close(ec);
      --open;
    }
    pool_cv.cancel_one();
  }

  // Resolves the host within the timeout. getaddrinfo cannot be interrupted, so the lookup is
  // left to finish on its own when the timer wins.
  asio::awaitable<std::pair<error_code, tcp::resolver::results_type>> resolve(const std::string& host,
                                                                             const std::string& port,
                                                                             bool& timed_out) {
    error_code aec;
    const auto address = asio::ip::make_address(host, aec);
    if (!aec) {
      co_return std::pair{error_code{}, tcp::resolver::results_type::create(
                                            tcp::endpoint(address, static_cast<unsigned short>(std::stoi(port))),
                                            host, port)};
    }
    struct lookup {
      explicit lookup(asio::any_io_executor e) : resolver(e), timer(e) {}
      tcp::resolver resolver;
      asio::steady_timer timer;
      bool done = false;
      error_code ec;
      tcp::resolver::results_type results;
    };
    auto l = std::make_shared<lookup>(ex);
    l->timer.expires_after(cfg.timeout);
    l->resolver.async_resolve(host, port,
                              [l](error_code ec, tcp::resolver::results_type r) {
                                l->done = true;
                                l->ec = ec;
                                l->results = std::move(r);
                                l->timer.cancel();
                              });
    co_await l->timer.async_wait(use_tuple);
    if (!l->done) {
      l->resolver.cancel();
      timed_out = true;
      co_return std::pair{error_code{asio::error::timed_out}, tcp::resolver::results_type{}};
    }
    co_return std::pair{l->ec, l->results};
  }

  asio::awaitable<std::optional<transport_failure>> connect(connection& c) {
    transport_failure f;
    bool timed_out = false;
    // Through the proxy only for TLS: the tunnel carries TLS end to end with the origin.
    const util::proxy_endpoint* proxy = c.tls && cfg.proxy ? &*cfg.proxy : nullptr;
    // (No co_await inside ?: — GCC 12 miscompiles it.)
    const std::string& host = proxy ? proxy->host : cfg.where.host;
    const std::string& port = proxy ? proxy->port : cfg.where.port;
    auto [rec, endpoints] = co_await resolve(host, port, timed_out);
    if (rec) {
      f.phase = failure_phase::resolve;
      f.ec = rec;
      f.timed_out = timed_out;
      co_return f;
    }
    c.tcp().expires_after(cfg.timeout);
    auto [cec, ep] = co_await c.tcp().async_connect(endpoints, use_tuple);
    if (cec) {
      f.phase = failure_phase::connect;
      f.ec = cec;
      f.timed_out = is_timeout(cec);
      co_return f;
    }
    ++opened;
    if (proxy) {
      c.tcp().expires_after(cfg.timeout);
      auto t = co_await util::open_tunnel(c.tcp(), *proxy, cfg.where.host, cfg.where.port);
      if (!t.problem.empty()) {
        f.phase = failure_phase::connect;
        f.ec = t.ec ? t.ec : error_code(asio::error::connection_refused);
        f.timed_out = is_timeout(t.ec);
        f.detail = t.problem;
        co_return f;
      }
    }
    if (c.tls) {
      // SNI carries host names only (RFC 6066); verification covers names and IP addresses.
      if (!host_is_address) SSL_set_tlsext_host_name(c.tls->native_handle(), cfg.where.host.c_str());
      c.tls->set_verify_callback(ssl::host_name_verification(cfg.where.host));
      c.tcp().expires_after(cfg.timeout);
      auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
      if (hec) {
        f.phase = failure_phase::tls;
        f.ec = hec;
        f.timed_out = is_timeout(hec);
        co_return f;
      }
    }
    c.connected = true;
    co_return std::nullopt;
  }

  template <class Stream>
  static asio::awaitable<std::tuple<error_code, std::size_t>> write(
      Stream& s, http::request<http::string_body>& req) {
    co_return co_await http::async_write(s, req, use_tuple);
  }

  template <class Stream>
  static asio::awaitable<std::tuple<error_code, std::size_t>> read(
      Stream& s, beast::flat_buffer& b, http::response_parser<http::string_body>& p) {
    co_return co_await http::async_read(s, b, p, use_tuple);
  }

  asio::awaitable<exchange_result> exchange(http_method method, std::string_view target,
                                            std::string_view body, std::string_view bearer,
                                            bool resend_if_stale, std::function<bool()> may_send,
                                            transport::write_gate before_write) {
    http::request<http::string_body> req{method == http_method::get ? http::verb::get
                                                                     : http::verb::post,
                                         std::string(target), 11};
    req.set(http::field::host, cfg.where.host_header);
    req.set(http::field::user_agent, "portd/" PORTD_VERSION);
    req.set(http::field::accept, "application/json");
    if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + std::string(bearer));
    if (method == http_method::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = std::string(body);
    }
    req.keep_alive(true);
    req.prepare_payload();

    exchange_result out;
    bool sent_before = false;  // an earlier attempt on a stale connection may have been read
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = false;
      auto c = co_await lease(reused);
      if (!c) {
        out.failure = {failure_phase::local, asio::error::operation_aborted, sent_before};
        co_return out;
      }
      if (!c->connected) {
        if (auto f = co_await connect(*c)) {
          give_back(std::move(c), false);
          if (closed) f->phase = failure_phase::local;
          f->sent = sent_before;
          out.failure = *f;
          co_return out;
        }
      }
      // The connection is ready. A 429 that came back on another request while this one waited
      // for it must still stop it (the caller waits and comes back): asked before the gate, so
      // that a request held back is never recorded as leaving (a restart would take it for one
      // that may have arrived), and after it, the last moment before bytes leave.
      bool held = may_send && !may_send();
      if (!held && before_write) {
        out.withheld = !co_await before_write();
        held = out.withheld || (may_send && !may_send());
      }
      if (held) {
        give_back(std::move(c), true);
        out.failure = {failure_phase::local, out.withheld ? asio::error::operation_aborted : asio::error::try_again,
                       sent_before};
        co_return out;
      }
      c->tcp().expires_after(cfg.timeout);
      auto [wec, wn] = c->tls ? co_await write(*c->tls, req) : co_await write(*c->plain, req);
      if (wec) {
        give_back(std::move(c), false);
        if (reused && !closed && is_stale(wec)) continue;
        out.failure = {closed ? failure_phase::local : failure_phase::write, wec, sent_before,
                       is_timeout(wec)};
        co_return out;
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(cfg.max_response_bytes);
      c->tcp().expires_after(cfg.timeout);
      auto [rec, rn] = c->tls ? co_await read(*c->tls, c->buffer, parser)
                              : co_await read(*c->plain, c->buffer, parser);
      if (rec) {
        const bool nothing = !parser.got_some();
        give_back(std::move(c), false);
        if (resend_if_stale && reused && attempt == 0 && nothing && !closed && is_stale(rec)) {
          sent_before = true;
          continue;
        }
        transport_failure f;
        f.phase = closed ? failure_phase::local : failure_phase::read;
        f.ec = rec;
        f.sent = true;
        f.timed_out = is_timeout(rec);
        f.too_large = rec == http::error::body_limit;
        out.failure = f;
        co_return out;
      }
      auto res = parser.release();
      c->tcp().expires_never();
      http_answer a;
      a.status = static_cast<int>(res.result_int());
      a.retry_after = std::string(res[http::field::retry_after]);
      a.body = std::move(res.body());
      give_back(std::move(c), res.keep_alive());
      out.answer = std::move(a);
      co_return out;
    }
    out.failure = {failure_phase::write, asio::error::connection_reset, sent_before};
    co_return out;
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
    open -= idle.size();
    idle.clear();
    pool_cv.cancel();
  }
};

transport::transport(asio::any_io_executor ex, transport_config cfg)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(cfg))) {}

transport::~transport() {
  if (impl_) impl_->shutdown();
}

asio::awaitable<exchange_result> transport::exchange(http_method method, std::string_view target,
                                                    std::string_view body, std::string_view bearer,
                                                    bool resend_if_stale, std::function<bool()> may_send,
                                                    write_gate before_write) {
  return impl_->exchange(method, target, body, bearer, resend_if_stale, std::move(may_send),
                         std::move(before_write));
}

void transport::close() { impl_->shutdown(); }
std::size_t transport::open_connections() const { return impl_->open; }
std::size_t transport::idle_connections() const { return impl_->idle.size(); }
std::uint64_t transport::connections_opened() const { return impl_->opened; }

}  // namespace portd::telegent
