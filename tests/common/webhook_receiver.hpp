// A webhook receiver for tests: HTTP on 127.0.0.1 (port chosen by the kernel), on a thread of
// its own so that blocking test code (the e2e stack) can run beside it. Records every request
// with its Standard Webhooks headers and whether the signature verifies, answers with a status
// the test chooses, can hang (never answer) and can go down and come back on the same port.
#pragma once
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace portd::test {

struct received_webhook {
  std::string id, timestamp, signature;  // webhook-id, webhook-timestamp, webhook-signature
  std::map<std::string, std::string> headers;  // every header, names in lower case
  std::string body;
  bool signature_ok = false;  // a v1 entry matches HMAC-SHA256(key, id.timestamp.body)
  int answered = 0;           // the status the receiver sent back
  boost::json::object envelope;  // the body parsed ({} if it was not JSON)
  // {"event", "order"}: the envelope's data (Standard Webhooks body) or the envelope (portd-v1).
  boost::json::object payload;
};

// base64(HMAC-SHA256(key, id "." timestamp "." body)) computed independently of portd's code.
std::string webhook_signature(const std::string& key, const std::string& id, const std::string& ts,
                              const std::string& body);

class webhook_receiver {
 public:
  // `secret` as configured in portd ("whsec_<base64>" is decoded to the key, anything else is the
  // key itself).
  explicit webhook_receiver(std::string secret);
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT/hooks
  void set_status(int status);  // what to answer from now on (200 by default)
  void set_hang(bool hang);     // read requests but never answer them
  void go_down();               // stop listening and drop every connection: connection refused
  void come_up();               // listen again on the same port

  std::vector<received_webhook> deliveries() const;
  std::size_t count() const;
  // Waits until `done(deliveries so far)` holds; false after `timeout`.
  bool wait_for(const std::function<bool(const std::vector<received_webhook>&)>& done,
                std::chrono::milliseconds timeout);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::test
