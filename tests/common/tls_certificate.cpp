// The test certificates of tls_certificate.hpp.
#include "tls_certificate.hpp"

#include "temp_dir.hpp"

#include <cstdlib>
#include <stdexcept>

namespace portd::test {
namespace {

tls_certificate make(const temp_dir& dir, const std::string& name, const std::string& san) {
  tls_certificate c{dir.file(name + "-cert.pem"), dir.file(name + "-key.pem")};
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout '" + c.key_file +
                          "' -out '" + c.cert_file + "' -subj /CN=" + name + " -addext subjectAltName=" + san +
                          " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed: " + cmd);
  return c;
}

const temp_dir& certificate_dir() {
  static const temp_dir dir;
  return dir;
}

}  // namespace

const tls_certificate& tls_certificate::localhost() {
  static const tls_certificate c = make(certificate_dir(), "localhost", "DNS:localhost,IP:127.0.0.1");
  return c;
}

const tls_certificate& tls_certificate::other_host() {
  static const tls_certificate c = make(certificate_dir(), "elsewhere.test", "DNS:elsewhere.test");
  return c;
}

}  // namespace portd::test
