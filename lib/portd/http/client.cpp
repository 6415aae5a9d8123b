// The keep-alive pool and one exchange over Beast/OpenSSL (see client.hpp).
#include <portd/http/client.hpp>
#include <portd/http/proxy_tunnel.hpp>
#include <portd/http/tls.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <ostream>
#include <set>
#include <vector>

namespace portd::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;  // (portd::http is this namespace)
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using time_point = asio::steady_timer::time_point;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string_view to_string(phase p) {
  // In the order of the enumerators (the assert catches one added at the end, not a reorder).
  static constexpr std::string_view names[] = {"resolve", "connect", "tunnel", "tls", "write", "read", "local"};
  static_assert(std::size(names) == static_cast<std::size_t>(phase::local) + 1);
  const auto i = static_cast<std::size_t>(p);
  return i < std::size(names) ? names[i] : "?";
}
std::ostream& operator<<(std::ostream& os, phase p) { return os << to_string(p); }

namespace {

struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<tls_stream> tls;
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
  if (n >= 0) return true;
  return errno != EAGAIN && errno != EWOULDBLOCK;
}

bool is_timeout(const error_code& ec) { return ec == beast::error::timeout; }

// The server closed an idle keep-alive connection before it saw our request.
bool is_stale(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

}  // namespace

struct client::impl {
  impl(asio::any_io_executor ex_, client_config cfg_)
      : ex(std::move(ex_)), cfg(std::move(cfg_)), tls_ctx(make_client_context(cfg.ca_file)), pool_cv(ex) {
    pool_cv.expires_at(time_point::max());
    if (cfg.max_connections < 1) cfg.max_connections = 1;
    if (!cfg.origin.tls) cfg.proxy.reset();  // only https goes through the proxy
  }

  asio::any_io_executor ex;
  client_config cfg;
  ssl::context tls_ctx;

  std::vector<std::unique_ptr<connection>> idle;
  std::set<connection*> busy;
  std::size_t open = 0;
  std::uint64_t opened = 0;
  asio::steady_timer pool_cv;  // never expires: cancel_one() wakes a waiter for a free slot
  bool closed = false;

  // When the phase starting now must end: its own timeout, within the exchange's deadline.
  time_point phase_end(time_point exchange_end) const {
    const auto now = asio::steady_timer::clock_type::now();
    return now + cfg.phase_timeout < exchange_end ? now + cfg.phase_timeout : exchange_end;
  }

  std::unique_ptr<connection> make_connection() {
    auto c = std::make_unique<connection>();
    if (cfg.origin.tls) {
      c->tls = std::make_unique<tls_stream>(ex, tls_ctx);
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
      c->tcp().expires_never();
      idle.push_back(std::move(c));
    } else {
      error_code ec;
      c->tcp().socket().close(ec);
      --open;
    }
    pool_cv.cancel_one();
  }

  // Resolves host:port before `end`. getaddrinfo cannot be interrupted, so the lookup is left
  // to finish on its own when the timer wins.
  asio::awaitable<std::pair<error_code, tcp::resolver::results_type>> resolve(const std::string& host,
                                                                             const std::string& port,
                                                                             time_point end) {
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
    l->timer.expires_at(end);
    l->resolver.async_resolve(host, port, [l](error_code ec, tcp::resolver::results_type r) {
      l->done = true;
      l->ec = ec;
      l->results = std::move(r);
      l->timer.cancel();
    });
    co_await l->timer.async_wait(use_tuple);
    if (!l->done) {
      l->resolver.cancel();
      co_return std::pair{error_code{asio::error::timed_out}, tcp::resolver::results_type{}};
    }
    co_return std::pair{l->ec, l->results};
  }

  // Opens `c` (TCP, the proxy's tunnel, TLS): nullopt, or why not.
  asio::awaitable<std::optional<failure>> connect(connection& c, time_point exchange_end) {
    failure f;
    const proxy_endpoint* proxy = cfg.proxy ? &*cfg.proxy : nullptr;
    f.via_proxy = proxy != nullptr;
    // (No co_await inside ?: — GCC 12 miscompiles it.)
    const std::string& host = proxy ? proxy->host : cfg.origin.host;
    const std::string& port = proxy ? proxy->port : cfg.origin.port;
    auto [rec, endpoints] = co_await resolve(host, port, phase_end(exchange_end));
    if (rec) {
      f.phase = phase::resolve;
      f.ec = rec;
      f.timed_out = rec == asio::error::timed_out;  // (set by resolve() when its timer won)
      co_return f;
    }
    c.tcp().expires_at(phase_end(exchange_end));
    auto [cec, ep] = co_await c.tcp().async_connect(endpoints, use_tuple);
    if (cec) {
      f.phase = phase::connect;
      f.ec = cec;
      f.timed_out = is_timeout(cec);
      co_return f;
    }
    ++opened;
    if (proxy) {
      c.tcp().expires_at(phase_end(exchange_end));
      auto t = co_await open_tunnel(c.tcp(), *proxy, cfg.origin.host, cfg.origin.port);
      if (!t.problem.empty()) {
        f.phase = phase::tunnel;
        f.ec = t.ec ? t.ec : error_code(asio::error::connection_refused);
        f.timed_out = is_timeout(t.ec);
        f.detail = t.problem;
        co_return f;
      }
    }
    if (c.tls) {
      expect_peer(*c.tls, cfg.origin.host);
      c.tcp().expires_at(phase_end(exchange_end));
      auto [hec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
      if (hec) {
        f.phase = phase::tls;
        f.ec = hec;
        f.timed_out = is_timeout(hec);
        co_return f;
      }
    }
    c.connected = true;
    co_return std::nullopt;
  }

  // Both are awaited in a function of their own: no co_await inside ?: (GCC 12).
  static asio::awaitable<std::tuple<error_code, std::size_t>> write(connection& c, request& req) {
    if (c.tls) co_return co_await bhttp::async_write(*c.tls, req, use_tuple);
    co_return co_await bhttp::async_write(*c.plain, req, use_tuple);
  }
  static asio::awaitable<std::tuple<error_code, std::size_t>> read(connection& c,
                                                                   bhttp::response_parser<bhttp::string_body>& p) {
    if (c.tls) co_return co_await bhttp::async_read(*c.tls, c.buffer, p, use_tuple);
    co_return co_await bhttp::async_read(*c.plain, c.buffer, p, use_tuple);
  }

  asio::awaitable<result> exchange(request req, exchange_options opts) {
    req.set(bhttp::field::host, cfg.origin.host_header);
    req.set(bhttp::field::user_agent, "portd/" PORTD_VERSION);
    req.keep_alive(true);
    req.prepare_payload();
    const time_point exchange_end =
        cfg.exchange_timeout ? asio::steady_timer::clock_type::now() + *cfg.exchange_timeout : time_point::max();

    result out;
    bool sent_before = false;  // an earlier attempt on a stale connection may have been read
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = false;
      auto c = co_await lease(reused);
      if (!c) {
        out.failed = {phase::local, asio::error::operation_aborted, sent_before};
        co_return out;
      }
      if (!c->connected) {
        if (auto f = co_await connect(*c, exchange_end)) {
          give_back(std::move(c), false);
          if (closed) f->phase = phase::local;
          f->sent = sent_before;
          out.failed = std::move(*f);
          co_return out;
        }
      }
      // The connection is ready. Asked before the gate, so that a request held back is never
      // recorded as leaving, and after it, the last moment before bytes leave.
      bool held = opts.may_send && !opts.may_send();
      if (!held && opts.before_write) {
        out.withheld = !co_await opts.before_write();
        held = out.withheld || (opts.may_send && !opts.may_send());
      }
      if (held) {
        give_back(std::move(c), true);
        out.failed = {phase::local, out.withheld ? asio::error::operation_aborted : asio::error::try_again,
                      sent_before};
        co_return out;
      }
      c->tcp().expires_at(phase_end(exchange_end));
      auto [wec, wn] = co_await write(*c, req);
      if (wec) {
        give_back(std::move(c), false);
        if (reused && !closed && is_stale(wec)) continue;
        out.failed = {closed ? phase::local : phase::write, wec, sent_before, is_timeout(wec)};
        co_return out;
      }
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(cfg.max_response_bytes);
      c->tcp().expires_at(phase_end(exchange_end));
      auto [rec, rn] = co_await read(*c, parser);
      if (rec) {
        const bool nothing = !parser.got_some();
        give_back(std::move(c), false);
        if (opts.resend_if_stale && reused && attempt == 0 && nothing && !closed && is_stale(rec)) {
          sent_before = true;
          continue;
        }
        failure f;
        f.phase = closed ? phase::local : phase::read;
        f.ec = rec;
        f.sent = true;
        f.timed_out = is_timeout(rec);
        f.too_large = rec == bhttp::error::body_limit;
        out.failed = std::move(f);
        co_return out;
      }
      out.answer = parser.release();
      give_back(std::move(c), out.answer->keep_alive());
      co_return out;
    }
    out.failed = {phase::write, asio::error::connection_reset, sent_before};
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

client::client(asio::any_io_executor ex, client_config cfg)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(cfg))) {}

client::~client() {
  if (impl_) impl_->shutdown();
}

asio::awaitable<result> client::exchange(request req, exchange_options opts) {
  auto self = impl_;  // an exchange in flight keeps its connections alive
  co_return co_await self->exchange(std::move(req), std::move(opts));
}

void client::close() { impl_->shutdown(); }
std::size_t client::open_connections() const { return impl_->open; }
std::size_t client::idle_connections() const { return impl_->idle.size(); }
std::uint64_t client::connections_opened() const { return impl_->opened; }

}  // namespace portd::http
