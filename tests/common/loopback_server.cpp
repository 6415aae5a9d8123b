// The loopback server of loopback_server.hpp. Its state lives in a shared impl that every
// session holds, so a session resumed after the server object is gone (its accept or read
// aborted by stop()) touches nothing freed.
#include "loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>

namespace portd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

tcp::socket& lowest(tcp::socket& s) { return s; }
tcp::socket& lowest(ssl::stream<tcp::socket>& s) { return s.next_layer(); }

asio::awaitable<bool> handshake(tcp::socket&) { co_return true; }
asio::awaitable<bool> handshake(ssl::stream<tcp::socket>& s) {
  auto [ec] = co_await s.async_handshake(ssl::stream_base::server, use_tuple);
  co_return !ec;
}

}  // namespace

std::string loopback_request::header(std::string name) const {
  const auto it = headers.find(lower(std::move(name)));
  return it == headers.end() ? std::string() : it->second;
}

loopback_reply loopback_reply::with(int status, std::string body) {
  loopback_reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

loopback_reply loopback_reply::bytes(std::string raw) {
  loopback_reply r;
  r.act = action::raw;
  r.raw = std::move(raw);
  return r;
}

loopback_reply loopback_reply::doing(action act) {
  loopback_reply r;
  r.act = act;
  return r;
}

struct loopback_server::impl : std::enable_shared_from_this<impl> {
  asio::io_context& ioc;
  std::unique_ptr<ssl::context> tls;
  tcp::acceptor acceptor;
  asio::steady_timer hang;
  unsigned short port = 0;
  std::function<loopback_reply(const loopback_request&)>* on_request = nullptr;  // the server's
  std::vector<loopback_request> requests;
  int connections = 0;
  int closed_after_reply = 0;
  std::vector<std::function<void()>> closers;
  bool stopped = false;

  impl(asio::io_context& io, unsigned short at)
      : ioc(io), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), at)), hang(io) {
    hang.expires_at(asio::steady_timer::time_point::max());
    port = acceptor.local_endpoint().port();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    on_request = nullptr;
    boost::system::error_code ec;
    acceptor.close(ec);
    hang.cancel();
    for (auto& close : closers) close();
    closers.clear();
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
      if (ec || self->stopped) co_return;
      const int id = ++self->connections;
      if (self->tls) {
        auto s = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), *self->tls);
        self->closers.push_back([w = std::weak_ptr(s)] {
          boost::system::error_code ignored;
          if (auto p = w.lock()) p->next_layer().close(ignored);
        });
        asio::co_spawn(self->ioc, session(self, s, id), asio::detached);
      } else {
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        self->closers.push_back([w = std::weak_ptr(s)] {
          boost::system::error_code ignored;
          if (auto p = w.lock()) p->close(ignored);
        });
        asio::co_spawn(self->ioc, session(self, s, id), asio::detached);
      }
    }
  }

  template <class Stream>
  static asio::awaitable<void> session(std::shared_ptr<impl> self, std::shared_ptr<Stream> stream, int id) {
    if (!co_await handshake(*stream)) co_return;
    beast::flat_buffer buffer;
    boost::system::error_code ignored;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*stream, buffer, req, use_tuple);
      if (ec || self->stopped) co_return;
      loopback_request lr{std::string(req.method_string()), std::string(req.target()), req.body(), {}, id};
      for (const auto& field : req) lr.headers[lower(std::string(field.name_string()))] = std::string(field.value());
      self->requests.push_back(lr);
      const loopback_reply rep = self->on_request && *self->on_request ? (*self->on_request)(lr) : loopback_reply{};
      if (rep.delay) {
        auto t = std::make_shared<asio::steady_timer>(self->ioc);
        t->expires_after(*rep.delay);
        self->closers.push_back([w = std::weak_ptr(t)] {
          if (auto p = w.lock()) p->cancel();
        });
        co_await t->async_wait(use_tuple);
        if (self->stopped) co_return;
      }
      switch (rep.act) {
        case loopback_reply::action::hang:
          co_await self->hang.async_wait(use_tuple);
          co_return;
        case loopback_reply::action::reset:
          lowest(*stream).set_option(asio::socket_base::linger(true, 0), ignored);
          lowest(*stream).close(ignored);
          co_return;
        case loopback_reply::action::close:
          lowest(*stream).close(ignored);
          co_return;
        case loopback_reply::action::raw:
          co_await asio::async_write(*stream, asio::buffer(rep.raw), use_tuple);
          lowest(*stream).close(ignored);
          ++self->closed_after_reply;
          co_return;
        case loopback_reply::action::reply:
        case loopback_reply::action::head_then_close:
          break;
      }
      http::response<http::string_body> res{static_cast<http::status>(rep.status), 11};
      if (!rep.content_type.empty()) res.set(http::field::content_type, rep.content_type);
      for (const auto& [k, v] : rep.headers) res.set(k, v);
      res.body() = rep.body;
      res.keep_alive(rep.keep_alive && req.keep_alive());
      res.prepare_payload();
      if (rep.act == loopback_reply::action::head_then_close) {
        http::response_serializer<http::string_body> sr{res};
        co_await http::async_write_header(*stream, sr, use_tuple);
        lowest(*stream).close(ignored);
        co_return;
      }
      auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
      if (wec || !res.keep_alive()) {
        lowest(*stream).close(ignored);
        ++self->closed_after_reply;
        co_return;
      }
    }
  }
};

loopback_server::loopback_server(asio::io_context& ioc, const tls_certificate* cert, unsigned short port)
    : impl_(std::make_shared<impl>(ioc, port)) {
  if (cert) {
    impl_->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(cert->cert_file);
    impl_->tls->use_private_key_file(cert->key_file, ssl::context::pem);
  }
  on_request = [](const loopback_request&) { return loopback_reply::with(200, "{}"); };
  impl_->on_request = &on_request;
  asio::co_spawn(ioc, impl::accept_loop(impl_), asio::detached);
}

loopback_server::~loopback_server() { stop(); }

std::string loopback_server::url() const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(impl_->port);
}

unsigned short loopback_server::port() const { return impl_->port; }
const std::vector<loopback_request>& loopback_server::requests() const { return impl_->requests; }
int loopback_server::connections() const { return impl_->connections; }
int loopback_server::closed_after_reply() const { return impl_->closed_after_reply; }
void loopback_server::stop() { impl_->stop(); }

}  // namespace portd::test
