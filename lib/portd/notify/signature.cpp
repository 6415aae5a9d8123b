// HMAC-SHA256 through OpenSSL (see signature.hpp).
#include <portd/http/base64.hpp>
#include <portd/notify/signature.hpp>
#include <portd/runtime/webhook_secret.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace portd::notify {

std::optional<std::string> signing_key(std::string_view secret) {
  return runtime::decode_webhook_secret(secret).key;
}

std::string sign(std::string_view key, std::string_view msg_id, std::string_view timestamp,
                 std::string_view body) {
  std::string content;
  content.reserve(msg_id.size() + timestamp.size() + body.size() + 2);
  content.append(msg_id).append(1, '.').append(timestamp).append(1, '.').append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &len);
  return "v1," + http::base64_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string signature_header(std::span<const std::string> keys, std::string_view msg_id,
                             std::string_view timestamp, std::string_view body) {
  std::string out;
  for (const auto& k : keys) {
    if (!out.empty()) out += ' ';
    out += sign(k, msg_id, timestamp, body);
  }
  return out;
}

bool verify(std::string_view key, std::string_view msg_id, std::string_view timestamp,
            std::string_view body, std::string_view header) {
  const std::string expected = sign(key, msg_id, timestamp, body);
  bool match = false;
  while (!header.empty()) {
    const auto sp = header.find(' ');
    const auto entry = header.substr(0, sp);
    if (entry.size() == expected.size() &&
        CRYPTO_memcmp(entry.data(), expected.data(), expected.size()) == 0)
      match = true;
    if (sp == std::string_view::npos) break;
    header.remove_prefix(sp + 1);
  }
  return match;
}

}  // namespace portd::notify
