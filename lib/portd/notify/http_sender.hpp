// POSTs to one webhook URL over the shared HTTP client (http/client.hpp): HTTPS as it sets it
// up (plain http only for a loopback receiver), its keep-alive pool and egress proxy, and one
// deadline per POST covering resolve, connect, TLS, write and read. Failures come back as
// values, in words for the delivery log.
#pragma once
#include <portd/http/client.hpp>
#include <portd/http/proxy.hpp>
#include <portd/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace portd::notify {

struct post_result {
  int status = 0;     // the HTTP status; 0 when no answer came
  std::string error;  // why there was no answer ("" when status != 0)
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_sender {
 public:
  // `url` as http::parse_http_url reads it (the configuration check reads it so too).
  // Throws std::invalid_argument when the CA file (or the system store) cannot be loaded.
  // `proxy`: an https URL is reached through its CONNECT tunnel (TLS still with the receiver).
  http_sender(boost::asio::any_io_executor ex, http::http_url url, std::string ca_file,
              std::chrono::milliseconds timeout, int max_connections,
              std::optional<http::proxy_endpoint> proxy = std::nullopt);

  // One POST of `body` (application/json) with `headers`. Never throws for network failures.
  boost::asio::awaitable<post_result> post(std::string body, header_list headers);
  // Aborts posts in flight (they return an error) and closes every connection.
  void close() { net_.close(); }

 private:
  http::http_url url_;
  std::optional<http::proxy_endpoint> proxy_;
  http::client net_;
};

}  // namespace portd::notify
