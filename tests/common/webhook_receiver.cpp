// The test webhook receiver (see webhook_receiver.hpp): a loopback_server on a thread of its own
// that checks each request as a webhook.
#include "webhook_receiver.hpp"

#include "loopback_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace portd::test {

namespace asio = boost::asio;

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

// Everything but the constructor and the destructor runs on the receiver's thread, except what
// `mu` guards.
struct webhook_receiver::impl {
  asio::io_context ioc{1};
  // Keeps run() going while the server is down; dropped at the end so that the loop runs out.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<loopback_server> server;
  unsigned short port = 0;
  std::string key;
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::vector<received_webhook> got;
  int status = 200;
  bool hang = false;

  void listen() {
    server.emplace(ioc, nullptr, port);
    port = server->port();
    server->on_request = [this](const loopback_request& r) { return answer(r); };
  }

  loopback_reply answer(const loopback_request& r) {
    received_webhook w;
    w.headers = r.headers;
    w.id = r.header("webhook-id");
    w.timestamp = r.header("webhook-timestamp");
    w.signature = r.header("webhook-signature");
    w.body = r.body;
    const std::string expected = "v1," + webhook_signature(key, w.id, w.timestamp, w.body);
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
    std::unique_lock l(mu);
    if (hang) return loopback_reply::doing(loopback_reply::action::hang);  // until the peer gives up
    const int answer_status = w.answered = status;
    got.push_back(std::move(w));
    l.unlock();
    cv.notify_all();
    auto reply = loopback_reply::with(answer_status, "ok");
    reply.content_type = "text/plain";
    return reply;
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
  // Stop the server (its sessions end) and let the loop run out. Stopping the loop instead
  // would leave their frames behind for good (a leak LeakSanitizer reports at the test's exit).
  asio::post(impl_->ioc, [i = impl_.get()] {
    if (i->server) i->server->stop();
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
  impl_->run_on_loop([i = impl_.get()] { i->server->stop(); });
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
