// An HTTP CONNECT proxy for tests: listens on 127.0.0.1 (port chosen by the kernel), on a thread
// of its own, and tunnels bytes to loopback destinations only. Counts the tunnels it opened and
// the targets asked for; refuses anything but CONNECT (405) and, when told to, a CONNECT without
// the expected Proxy-Authorization (407). It never sees inside the tunnel.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace portd::test {

class connect_proxy {
 public:
  connect_proxy();
  ~connect_proxy();
  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT
  // From now on a CONNECT must carry exactly this Proxy-Authorization ("Basic …").
  void require_authorization(std::string value);

  std::size_t tunnels() const;              // CONNECTs answered 200
  std::vector<std::string> targets() const;  // host:port of every CONNECT, in order
  std::size_t refused() const;              // requests answered 405 or 407

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::test
