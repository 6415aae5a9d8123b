// The Standard Webhooks secret rule (see webhook_secret.hpp).
#include <portd/runtime/webhook_secret.hpp>
#include <portd/http/base64.hpp>

namespace portd::runtime {

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
  auto key = text.empty() ? std::nullopt : http::base64_decode(text);
  if (!key) {
    out.problem = "is not standard padded base64 after \"whsec_\": a secret " + rule;
    return out;
  }
  if (key->size() < webhook_key_min_bytes || key->size() > webhook_key_max_bytes) {
    out.problem = "decodes to " + std::to_string(key->size()) + " bytes: a secret " + rule;
    return out;
  }
  out.key = std::move(key);
  return out;
}

}  // namespace portd::runtime
