// The one TLS set-up for portd's outgoing connections (Telegent, webhooks): TLS 1.2 or later,
// the peer's certificate verified against a CA file or the system store, its host name (or IP
// address) verified, SNI sent. There is no way to turn verification off and no plaintext
// fallback.
#pragma once
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>

namespace portd::http {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A client context: TLS ≥ 1.2, verify_peer, trusting `ca_file` ("" = the system store).
// Throws std::invalid_argument when the CA file or the system store cannot be loaded.
boost::asio::ssl::context make_client_context(const std::string& ca_file);

// Before the handshake on `s`: SNI for `host` when it is a name (RFC 6066 carries no
// addresses) and verification that the certificate names `host` (name or address).
void expect_peer(tls_stream& s, const std::string& host);

}  // namespace portd::http
