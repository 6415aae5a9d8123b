// The CONNECT exchange that opens a tunnel through an HTTP proxy (see proxy.hpp).
#pragma once
#include <portd/http/proxy.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <string>
#include <string_view>

namespace portd::http {

struct tunnel_result {
  std::string problem;           // "" when the tunnel is open, else why not ("proxy http://p:3128
                                 // refused the tunnel: HTTP 403", "… asks for credentials (407)")
  boost::system::error_code ec;  // the I/O error, if that was why (timeouts included)
};

// Opens a tunnel to host:port through the proxy `s` is connected to (HTTP/1.1 CONNECT), within
// the stream's expiry. Never throws for network failures.
boost::asio::awaitable<tunnel_result> open_tunnel(boost::beast::tcp_stream& s, const proxy_endpoint& p,
                                                  std::string_view host, std::string_view port);

}  // namespace portd::http
