// An optional Prometheus endpoint: GET /metrics answers daemon.metrics's text. Read-only, no
// authentication, so it binds a loopback address unless the operator allows a remote one.
#pragma once
#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace portd::runtime {

class metrics_http {
 public:
  // `listen` is "127.0.0.1:9464" (port 0: any free port). Throws std::invalid_argument for a
  // malformed address, or a non-loopback one without `allow_remote`, and std::system_error when
  // it cannot bind.
  metrics_http(boost::asio::any_io_executor ex, const std::string& listen, bool allow_remote,
               std::function<std::string()> text);
  ~metrics_http();
  void start();
  void stop();  // idempotent
  unsigned short port() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::runtime
