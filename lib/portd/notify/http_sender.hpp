// POSTs to one webhook URL: HTTPS with peer and host-name verification (plain http only for a
// loopback receiver), a keep-alive connection pool, one deadline per attempt covering resolve,
// connect, TLS, write and read. Failures come back as values.
//
// Why not telegent::transport: that one is bound to Telegent's request shape (no custom
// headers, an origin without a path) and portd_notify does not link portd_telegent; this is
// the same Beast/OpenSSL recipe cut down to a single POST.
#pragma once
#include <portd/util/proxy.hpp>
#include <portd/util/url.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portd::notify {

// The URL reading that the configuration check uses too (util/url.hpp).
using url_parts = util::http_url;
// nullopt unless http(s)://host[:port][/path][?query], no user info, no fragment.
inline std::optional<url_parts> parse_url(std::string_view url) { return util::parse_http_url(url).url; }
// 127.0.0.0/8, ::1 or "localhost": where plain http is acceptable.
inline bool is_loopback(std::string_view host) { return util::is_loopback_host(host); }

struct post_result {
  int status = 0;     // the HTTP status; 0 when no answer came
  std::string error;  // why there was no answer ("" when status != 0)
};

using header_list = std::vector<std::pair<std::string, std::string>>;

class http_sender {
 public:
  // Throws std::invalid_argument when the CA file (or the system store) cannot be loaded.
  // `proxy`: an https URL is reached through its CONNECT tunnel (TLS still with the receiver).
  http_sender(boost::asio::any_io_executor ex, url_parts url, std::string ca_file,
              std::chrono::milliseconds timeout, int max_connections,
              std::optional<util::proxy_endpoint> proxy = std::nullopt);
  ~http_sender();
  http_sender(const http_sender&) = delete;
  http_sender& operator=(const http_sender&) = delete;

  // One POST of `body` (application/json) with `headers`. Never throws for network failures.
  boost::asio::awaitable<post_result> post(std::string body, header_list headers);
  // Aborts posts in flight (they return an error) and closes every connection.
  void close();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace portd::notify
