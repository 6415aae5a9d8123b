// The test webhook receiver (see webhook_receiver.hpp).
#include "webhook_receiver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <future>
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

namespace {

std::string b64(const unsigned char* p, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  out.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n))));
  return out;
}

std::string unb64(const std::string& s) {
  std::string out(3 * s.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  for (auto it = s.rbegin(); it != s.rend() && *it == '='; ++it) --len;
  out.resize(len);
  return out;
}

}  // namespace

std::string webhook_signature(const std::string& key, const std::string& id, const std::string& ts,
                              const std::string& body) {
  const std::string msg = id + "." + ts + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  return b64(mac, len);
}

struct webhook_receiver::impl : std::enable_shared_from_this<impl> {
  asio::io_context ioc{1};
  // Keeps run() going between connections; dropped at the end so that the loop runs out.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  unsigned short port = 0;
  std::string key;
  std::set<std::shared_ptr<tcp::socket>> sockets;
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<received_webhook> got;
  int status = 200;
  bool hang = false;

  void listen() {
    acceptor.emplace(ioc);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor->open(ep.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(ep);
    acceptor->listen();
    port = acceptor->local_endpoint().port();
    asio::co_spawn(ioc, accept_loop(shared_from_this()), asio::detached);
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    auto* acc = &*self->acceptor;
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(self->ioc);
      auto [ec] = co_await acc->async_accept(*sock, use_tuple);
      if (ec) co_return;
      self->sockets.insert(sock);
      asio::co_spawn(self->ioc, serve(self, sock), asio::detached);
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<impl> self, std::shared_ptr<tcp::socket> sock) {
    beast::flat_buffer buf;
    for (;;) {
      http::request<http::string_body> req;
      auto [ec, n] = co_await http::async_read(*sock, buf, req, use_tuple);
      if (ec) break;
      received_webhook w;
      for (auto& f : req) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        w.headers[name] = std::string(f.value());
      }
      w.id = w.headers["webhook-id"];
      w.timestamp = w.headers["webhook-timestamp"];
      w.signature = w.headers["webhook-signature"];
      w.body = req.body();
      const std::string expected = "v1," + webhook_signature(self->key, w.id, w.timestamp, w.body);
      for (std::size_t a = 0; a <= w.signature.size();) {
        auto b = w.signature.find(' ', a);
        if (b == std::string::npos) b = w.signature.size();
        if (w.signature.substr(a, b - a) == expected) w.signature_ok = true;
        a = b + 1;
      }
      boost::system::error_code pec;
      auto v = boost::json::parse(w.body, pec);
      if (!pec && v.is_object()) {
        w.envelope = v.as_object();
        // The Standard Webhooks body carries {event, order} in data; portd-v1 is that itself.
        const auto* data = w.envelope.if_contains("data");
        w.payload = data && data->is_object() && w.envelope.contains("type") ? data->as_object() : w.envelope;
      }
      int status;
      bool hang;
      {
        std::lock_guard l(self->mu);
        status = self->status;
        hang = self->hang;
      }
      if (hang) {
        // Never answer: wait for the peer to give up (its timeout closes the connection).
        char c;
        co_await sock->async_read_some(asio::buffer(&c, 1), use_tuple);
        break;
      }
      w.answered = status;
      {
        std::lock_guard l(self->mu);
        self->got.push_back(std::move(w));
      }
      self->cv.notify_all();
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.set(http::field::content_type, "text/plain");
      res.body() = "ok";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(*sock, res, use_tuple);
      if (wec || !req.keep_alive()) break;
    }
    boost::system::error_code ignored;
    sock->close(ignored);
    self->sockets.erase(sock);
  }

  template <class F>
  void run_on_loop(F f) {
    std::promise<void> done;
    asio::post(ioc, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }
};

webhook_receiver::webhook_receiver(std::string secret) : impl_(std::make_shared<impl>()) {
  impl_->key = secret.rfind("whsec_", 0) == 0 ? unb64(secret.substr(6)) : secret;
  impl_->listen();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->thread = std::thread([i = impl_.get()] { i->ioc.run(); });
}

webhook_receiver::~webhook_receiver() {
  // Every coroutine holds the impl: close what they wait on so that each one ends, and let the
  // loop run out. Stopping the loop instead would leave their frames, and the impl they hold,
  // behind for good (a leak LeakSanitizer reports at the test's exit).
  asio::post(impl_->ioc, [i = impl_.get()] {
    boost::system::error_code ec;
    if (i->acceptor) i->acceptor->close(ec);
    for (auto& s : i->sockets) s->close(ec);
    i->work.reset();
  });
  impl_->thread.join();
}

std::string webhook_receiver::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/hooks"; }

void webhook_receiver::set_status(int status) {
  std::lock_guard l(impl_->mu);
  impl_->status = status;
}

void webhook_receiver::set_hang(bool hang) {
  std::lock_guard l(impl_->mu);
  impl_->hang = hang;
}

void webhook_receiver::go_down() {
  impl_->run_on_loop([i = impl_.get()] {
    boost::system::error_code ec;
    i->acceptor->close(ec);
    for (auto& s : i->sockets) s->close(ec);
    i->sockets.clear();
  });
}

void webhook_receiver::come_up() {
  impl_->run_on_loop([i = impl_.get()] { i->listen(); });
}

std::vector<received_webhook> webhook_receiver::deliveries() const {
  std::lock_guard l(impl_->mu);
  return impl_->got;
}

std::size_t webhook_receiver::count() const {
  std::lock_guard l(impl_->mu);
  return impl_->got.size();
}

bool webhook_receiver::wait_for(const std::function<bool(const std::vector<received_webhook>&)>& done,
                                std::chrono::milliseconds timeout) {
  std::unique_lock l(impl_->mu);
  return impl_->cv.wait_for(l, timeout, [&] { return done(impl_->got); });
}

}  // namespace portd::test
