// TLS context and peer checks through Asio.SSL/OpenSSL (see tls.hpp).
#include <portd/http/tls.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <openssl/ssl.h>

#include <stdexcept>

namespace portd::http {

namespace ssl = boost::asio::ssl;

ssl::context make_client_context(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (!ca_file.empty()) {
    ctx.load_verify_file(ca_file, ec);
    if (ec) throw std::invalid_argument("cannot load the CA file " + ca_file);
  } else {
    ctx.set_default_verify_paths(ec);
    if (ec) throw std::invalid_argument("cannot load the system CA store");
  }
  return ctx;
}

void expect_peer(tls_stream& s, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) SSL_set_tlsext_host_name(s.native_handle(), host.c_str());
  s.set_verify_callback(ssl::host_name_verification(host));
}

}  // namespace portd::http
