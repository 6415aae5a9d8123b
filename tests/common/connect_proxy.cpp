// The test CONNECT proxy (see connect_proxy.hpp).
#include "connect_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace portd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct connect_proxy::impl : std::enable_shared_from_this<impl> {
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  unsigned short port = 0;
  std::set<std::shared_ptr<tcp::socket>> sockets;  // every open socket, closed at the end
  std::thread thread;

  mutable std::mutex mu;
  std::string authorization;
  std::size_t tunnels = 0, refused = 0;
  std::vector<std::string> targets;

  std::shared_ptr<tcp::socket> make_socket() {
    auto s = std::make_shared<tcp::socket>(ioc);
    sockets.insert(s);
    return s;
  }
  void drop(const std::shared_ptr<tcp::socket>& s) {
    boost::system::error_code ec;
    s->close(ec);
    sockets.erase(s);
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    for (;;) {
      auto sock = self->make_socket();
      auto [ec] = co_await self->acceptor->async_accept(*sock, use_tuple);
      if (ec) {
        self->drop(sock);
        co_return;
      }
      asio::co_spawn(self->ioc, serve(self, sock), asio::detached);
    }
  }

  static asio::awaitable<void> answer(std::shared_ptr<tcp::socket> s, http::status status) {
    http::response<http::empty_body> res{status, 11};
    if (status == http::status::proxy_authentication_required) res.set(http::field::proxy_authenticate, "Basic");
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(*s, res, use_tuple);
  }

  static asio::awaitable<void> pump(std::shared_ptr<impl> self, std::shared_ptr<tcp::socket> from,
                                    std::shared_ptr<tcp::socket> to) {
    char buf[16384];
    for (;;) {
      auto [rec, n] = co_await from->async_read_some(asio::buffer(buf), use_tuple);
      if (rec) break;
      auto [wec, wn] = co_await asio::async_write(*to, asio::buffer(buf, n), use_tuple);
      if (wec) break;
    }
    self->drop(from);  // either side ending ends the tunnel
    self->drop(to);
  }

  static asio::awaitable<void> serve(std::shared_ptr<impl> self, std::shared_ptr<tcp::socket> client) {
    beast::flat_buffer buf;
    http::request_parser<http::empty_body> parser;
    auto [ec, n] = co_await http::async_read_header(*client, buf, parser, use_tuple);
    if (ec) {
      self->drop(client);
      co_return;
    }
    const auto& req = parser.get();
    const std::string target(req.target());
    std::string wanted;
    {
      std::lock_guard l(self->mu);
      wanted = self->authorization;
    }
    const bool allowed = wanted.empty() || req[http::field::proxy_authorization] == wanted;
    if (req.method() != http::verb::connect || !allowed) {
      {
        std::lock_guard l(self->mu);
        ++self->refused;
      }
      co_await answer(client, req.method() != http::verb::connect ? http::status::method_not_allowed
                                                                  : http::status::proxy_authentication_required);
      self->drop(client);
      co_return;
    }
    {
      std::lock_guard l(self->mu);
      self->targets.push_back(target);
    }
    // Loopback destinations only: this proxy is for tests.
    const auto colon = target.rfind(':');
    std::string host = target.substr(0, colon);
    if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    boost::system::error_code aec;
    const auto address = asio::ip::make_address(host, aec);
    auto upstream = self->make_socket();
    bool ok = !aec && address.is_loopback() && colon != std::string::npos;
    if (ok) {
      auto [cec] = co_await upstream->async_connect(
          tcp::endpoint(address, static_cast<unsigned short>(std::stoi(target.substr(colon + 1)))), use_tuple);
      ok = !cec;
    }
    if (!ok) {
      co_await answer(client, http::status::bad_gateway);
      self->drop(client);
      self->drop(upstream);
      co_return;
    }
    const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
    auto [wec, wn] = co_await asio::async_write(*client, asio::buffer(established), use_tuple);
    if (wec) {
      self->drop(client);
      self->drop(upstream);
      co_return;
    }
    {
      std::lock_guard l(self->mu);
      ++self->tunnels;
    }
    if (buf.size() != 0) {  // the client did not wait for our answer: pass its bytes on
      auto [fec, fn] = co_await asio::async_write(*upstream, buf.data(), use_tuple);
      if (fec) {
        self->drop(client);
        self->drop(upstream);
        co_return;
      }
    }
    asio::co_spawn(self->ioc, pump(self, upstream, client), asio::detached);
    co_await pump(self, client, upstream);
  }
};

connect_proxy::connect_proxy() : impl_(std::make_shared<impl>()) {
  impl_->acceptor.emplace(impl_->ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  impl_->port = impl_->acceptor->local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl::accept_loop(impl_), asio::detached);
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->thread = std::thread([i = impl_.get()] { i->ioc.run(); });
}

connect_proxy::~connect_proxy() {
  // Close what every coroutine waits on so that each ends and the loop runs out (see
  // webhook_receiver: stopping the loop would leak their frames).
  asio::post(impl_->ioc, [i = impl_.get()] {
    boost::system::error_code ec;
    i->acceptor->close(ec);
    for (auto& s : i->sockets) s->close(ec);
    i->work.reset();
  });
  impl_->thread.join();
}

std::string connect_proxy::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void connect_proxy::require_authorization(std::string value) {
  std::lock_guard l(impl_->mu);
  impl_->authorization = std::move(value);
}

std::size_t connect_proxy::tunnels() const {
  std::lock_guard l(impl_->mu);
  return impl_->tunnels;
}

std::vector<std::string> connect_proxy::targets() const {
  std::lock_guard l(impl_->mu);
  return impl_->targets;
}

std::size_t connect_proxy::refused() const {
  std::lock_guard l(impl_->mu);
  return impl_->refused;
}

}  // namespace portd::test
