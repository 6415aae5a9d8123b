// Masking and secret scrubbing.
#include <portd/porting/redact.hpp>

namespace portd::porting {

std::string mask_account_number(std::string_view n) {
  if (n.empty()) return {};
  if (n.size() <= 4) return "****";
  return "****" + std::string(n.substr(n.size() - 4));
}

std::string redact(std::string_view text, std::initializer_list<std::string_view> secrets) {
  std::string out(text);
  for (std::string_view secret : secrets) {
    if (secret.empty()) continue;
    std::string::size_type pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), redacted_marker);
      pos += redacted_marker.size();
    }
  }
  return out;
}

}  // namespace portd::porting
