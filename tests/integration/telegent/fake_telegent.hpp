// A scriptable fake Telegent for the client's loopback tests: a Beast HTTP(S) server on
// 127.0.0.1:0 that runs on the test's own io_context. Each test decides, per request, whether
// to answer, hang, reset or close.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace portd::test {

struct fake_request {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;
  int connection = 0;  // 1-based index of the connection it came on
};

struct fake_reply {
  enum class action { reply, hang, reset, close };
  action act = action::reply;
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;
  bool close_after = false;  // close the connection after answering, whatever the header says
  std::optional<std::chrono::milliseconds> delay;  // answer only after this long
};

// Cert and key files for CN=localhost with SAN DNS:localhost, IP:127.0.0.1 (made once per run
// with the openssl command line).
struct test_certificate {
  std::string cert_file, key_file;
};
const test_certificate& localhost_certificate();
// A certificate for a name that is not the loopback host (verification must fail on the name).
const test_certificate& other_host_certificate();

class fake_telegent {
 public:
  // TLS when `cert` is given, plain HTTP otherwise.
  explicit fake_telegent(boost::asio::io_context& ioc,
                         const test_certificate* cert = nullptr);
  ~fake_telegent();

  std::string base_url() const;  // http(s)://127.0.0.1:<port>
  unsigned short port() const { return port_; }

  // Per-request script. Defaults: the token endpoint issues "tok-1", "tok-2", … valid for an
  // hour; every other request gets 200 {"OrderId":"JNUOID-1","Status":"Pending",
  // "OrderStatus":"Pending","Eligible":true}.
  std::function<fake_reply(const fake_request&)> on_token;
  std::function<fake_reply(const fake_request&)> on_api;

  std::vector<fake_request> requests;  // every request read, in order
  std::vector<fake_request> token_requests() const;
  std::vector<fake_request> api_requests() const;
  int connections = 0;  // accepted
  int closed_after_reply = 0;  // connections closed by the server right after an answer

  fake_reply default_token_reply();
  void stop();  // closes the listener and every connection, ends hangs

 private:
  template <class Stream>
  boost::asio::awaitable<void> session(std::shared_ptr<Stream> stream, int id);
  boost::asio::awaitable<void> accept_loop();

  boost::asio::io_context& ioc_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer hang_;
  unsigned short port_ = 0;
  int tokens_issued_ = 0;
  std::vector<std::function<void()>> closers_;
  bool stopped_ = false;
};

}  // namespace portd::test
