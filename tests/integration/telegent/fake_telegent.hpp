// A fake Telegent for the client's loopback tests: the common loopback_server (on the test's
// own io_context) with Telegent's routes — the token endpoint and everything else — each
// scripted per request: answer, hang, reset or close.
#pragma once
#include "common/loopback_server.hpp"
#include "common/tls_certificate.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>
#include <vector>

namespace portd::test {

struct fake_request {
  std::string method;
  std::string target;
  std::string body;
  std::string authorization;
  int connection = 0;  // 1-based index of the connection it came on
};

using fake_reply = loopback_reply;

// An answer (200 by default) that promises keep-alive, after which the server drops the
// connection, like an idle timeout racing the next request.
fake_reply answer_then_close(std::string body, int status = 200);

class fake_telegent {
 public:
  // TLS when `cert` is given, plain HTTP otherwise.
  explicit fake_telegent(boost::asio::io_context& ioc, const tls_certificate* cert = nullptr);

  std::string base_url() const { return server_.url(); }  // http(s)://127.0.0.1:<port>
  unsigned short port() const { return server_.port(); }

  // Per-request script. Defaults: the token endpoint issues "tok-1", "tok-2", … valid for an
  // hour; every other request gets 200 {"OrderId":"JNUOID-1","Status":"Pending",
  // "OrderStatus":"Pending","Eligible":true}.
  std::function<fake_reply(const fake_request&)> on_token;
  std::function<fake_reply(const fake_request&)> on_api;

  std::vector<fake_request> requests;  // every request read, in order
  std::vector<fake_request> token_requests() const;
  std::vector<fake_request> api_requests() const;
  int connections() const { return server_.connections(); }                // accepted
  int closed_after_reply() const { return server_.closed_after_reply(); }  // closed right after an answer

  fake_reply default_token_reply();
  void stop() { server_.stop(); }  // closes the listener and every connection, ends hangs

 private:
  int tokens_issued_ = 0;
  loopback_server server_;
};

}  // namespace portd::test
