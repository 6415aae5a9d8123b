// Self-signed certificates for loopback TLS tests, made once per test run with the openssl
// command line and removed at exit. Use localhost() for a server the client must accept (its
// file is also the CA file to trust), other_host() for one whose name must be refused.
#pragma once
#include <string>

namespace portd::test {

struct tls_certificate {
  std::string cert_file, key_file;  // PEM files

  // CN=localhost, subjectAltName DNS:localhost, IP:127.0.0.1.
  static const tls_certificate& localhost();
  // CN=elsewhere.test, subjectAltName DNS:elsewhere.test: valid, but not for the loopback host.
  static const tls_certificate& other_host();
};

}  // namespace portd::test
