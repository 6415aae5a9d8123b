// An optional Prometheus endpoint on loopback: GET /metrics answers daemon.metrics's text.
// Read-only, no authentication, so it only ever binds a loopback address.
#pragma once
#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace portd::control {

class metrics_http {
 public:
  // `listen` is "127.0.0.1:9464" (port 0: any free port). Throws std::invalid_argument for a
  // malformed or non-loopback address and std::system_error when it cannot bind.
  metrics_http(boost::asio::any_io_executor ex, const std::string& listen, std::function<std::string()> text);
  ~metrics_http();
  void start();
  void stop();  // idempotent
  unsigned short port() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::control
