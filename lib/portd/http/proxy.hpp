// Egress through an HTTP proxy: which proxy (if any) a destination goes through, and the
// CONNECT exchange that opens a tunnel to it. Only https destinations are proxied (as
// HTTPS_PROXY means for curl and most tools); TLS then runs through the tunnel to the origin,
// with the origin's name for SNI and verification, so the proxy sees only ciphertext. The
// tunnel itself is in proxy_tunnel.hpp (Asio), so that this header stays light.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace portd::http {

struct proxy_endpoint {
  std::string host;           // as parsed (IPv6 without brackets)
  std::string port;           // "3128" etc.; "80" when not given
  std::string display;        // "http://host:port", for logs and messages
  std::string authorization;  // "Basic …" from the proxy credentials, or ""; never logged
  bool operator==(const proxy_endpoint&) const = default;
};

// The proxy at `url`: http://host[:port] with an optional trailing "/", no user-info (proxy
// credentials come from a credential file, never a URL that logs and `ps` would show). `problem`
// says why not (never repeating user-info). `credentials` is "user:password" or "".
struct parsed_proxy {
  std::optional<proxy_endpoint> proxy;
  std::string problem;
};
parsed_proxy parse_proxy(std::string_view url, std::string_view credentials = {});

// True when `host` is matched by a NO_PROXY list: comma- or space-separated entries, "*" for
// every host, a name matching itself and its subdomains ("example.com" and ".example.com" both
// match api.example.com), an IP address matching itself; a ":port" on an entry is ignored.
// Case-insensitive.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host);

}  // namespace portd::http
