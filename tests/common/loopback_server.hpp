// The one loopback HTTP(S) server for in-process tests: 127.0.0.1, a port the kernel chooses,
// running on the test's own io_context (as clio's TestHttpServer does), so no thread races the
// test and io_fixture sees whether it was stopped. Use it for any fake HTTP peer — Telegent, a
// webhook receiver, a proxy's upstream. Each request is answered by `on_request`, which can
// answer, send raw bytes, hang, reset, close, or send the head and close; it sees which
// connection a request came on, so a test can script each connection differently. (For a peer
// beside blocking e2e code, on a thread of its own, use webhook_receiver.)
#pragma once
#include "tls_certificate.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace portd::test {

struct loopback_request {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names in lower case
  int connection = 0;                          // 1-based index of the connection it came on

  // The value of header `name` (any case), "" when absent.
  std::string header(std::string name) const;
};

struct loopback_reply {
  enum class action {
    reply,            // an HTTP response: status, headers, body
    raw,              // `raw` verbatim, then close (a malformed or truncated response)
    head_then_close,  // the response's head, promising the body, then close
    hang,             // never answer; the connection stays open until stop()
    reset,            // close with a TCP reset (SO_LINGER 0)
    close,            // close without answering
  };
  action act = action::reply;
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;  // false: "Connection: close", then close
  std::optional<std::chrono::milliseconds> delay;  // answer only after this long
  std::string raw;

  static loopback_reply with(int status, std::string body = {});
  static loopback_reply bytes(std::string raw);
  static loopback_reply doing(action act);
};

class loopback_server {
 public:
  // TLS with `cert` when given, plain HTTP otherwise. Listens at once, on `port` when given
  // (to come back where a stopped server was), else on a port the kernel chooses.
  explicit loopback_server(boost::asio::io_context& ioc, const tls_certificate* cert = nullptr,
                           unsigned short port = 0);
  ~loopback_server();  // stop()
  loopback_server(const loopback_server&) = delete;
  loopback_server& operator=(const loopback_server&) = delete;

  std::string url() const;  // http(s)://127.0.0.1:PORT
  unsigned short port() const;

  // Answers each request; by default 200 with an empty JSON object.
  std::function<loopback_reply(const loopback_request&)> on_request;

  const std::vector<loopback_request>& requests() const;  // every request read, in order
  int connections() const;                                 // connections accepted
  int closed_after_reply() const;  // connections the server closed right after an answer

  // Closes the listener and every connection and ends every hang; afterwards nothing of the
  // server is left pending on the io_context.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::test
