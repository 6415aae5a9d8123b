// The Standard Webhooks secret rule (see webhook_secret.hpp).
#include <portd/util/webhook_secret.hpp>

#include <openssl/evp.h>

namespace portd::util {

namespace {

bool base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

webhook_key decode_webhook_secret(std::string_view secret) {
  constexpr std::string_view prefix = "whsec_";
  const std::string rule = "must be \"whsec_\" followed by the base64 of " + std::to_string(webhook_key_min_bytes) +
                           " to " + std::to_string(webhook_key_max_bytes) +
                           " random bytes (make one with: echo \"whsec_$(openssl rand -base64 32)\")";
  webhook_key out;
  if (!secret.starts_with(prefix)) {
    out.problem = "is not a Standard Webhooks secret: it " + rule;
    return out;
  }
  const std::string_view text = secret.substr(prefix.size());
  std::size_t padding = 0;
  bool shape = !text.empty() && text.size() % 4 == 0;
  for (std::size_t i = 0; shape && i < text.size(); ++i) {
    if (text[i] == '=') {
      ++padding;
      shape = i + 2 >= text.size();  // '=' only in the last two places …
    } else {
      shape = padding == 0 && base64_char(text[i]);  // … and nothing after it
    }
  }
  if (!shape) {
    out.problem = "is not standard padded base64 after \"whsec_\": a secret " + rule;
    return out;
  }
  std::string key(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) {
    out.problem = "is not standard padded base64 after \"whsec_\": a secret " + rule;
    return out;
  }
  key.resize(static_cast<std::size_t>(n) - padding);  // EVP_DecodeBlock counts padding as zero bytes
  if (key.size() < webhook_key_min_bytes || key.size() > webhook_key_max_bytes) {
    out.problem = "decodes to " + std::to_string(key.size()) + " bytes: a secret " + rule;
    return out;
  }
  out.key = std::move(key);
  return out;
}

}  // namespace portd::util
