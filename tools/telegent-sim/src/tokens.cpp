// token_authority: credentials check, token issue, scope and expiry check.
#include <telegent_sim/tokens.hpp>

#include <algorithm>
#include <cctype>

namespace telegent_sim {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}
}  // namespace

std::string scope_of(std::string_view url) {
  if (auto cut = url.find_first_of("?#"); cut != std::string_view::npos) url = url.substr(0, cut);
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url = url.substr(scheme + 3);
    const auto slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view{"/"} : url.substr(slash);
  }
  return lower(url);
}

token_authority::token_authority(std::vector<account> accounts, std::chrono::seconds lifetime)
    : accounts_(std::move(accounts)), lifetime_(lifetime) {}

bool token_authority::knows_account(std::string_view key) const {
  return std::any_of(accounts_.begin(), accounts_.end(), [&](const account& a) { return a.key == key; });
}

result<token_grant> token_authority::issue(std::string_view key, std::string_view secret,
                                           std::string_view api_endpoint, real_time now, std::mt19937_64& rng) {
  const auto it = std::find_if(accounts_.begin(), accounts_.end(), [&](const account& a) { return a.key == key; });
  if (it == accounts_.end() || it->secret != secret) return sim_errc::bad_credentials;
  // Looks like a JWT to a casual reader; it is an opaque random string.
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "eyJzaW0iOiJ0ZWxlZ2VudCJ9.";
  for (int i = 0; i < 43; ++i) token += alphabet[rng() % 64];
  const real_time expires = now + lifetime_;
  tokens_[token] = issued{it->key, scope_of(api_endpoint), expires};
  return token_grant{std::move(token), expires};
}

std::optional<std::string> token_authority::owner(std::string_view token) const {
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  return it->second.account;
}

result<std::string> token_authority::authorize(std::string_view token, std::string_view request_path,
                                               real_time now) const {
  if (token.empty()) return sim_errc::token_missing;
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return sim_errc::token_unknown;
  if (now >= it->second.expires_at) return sim_errc::token_expired;
  if (it->second.scope != lower(request_path)) return sim_errc::token_wrong_scope;
  return it->second.account;
}

}  // namespace telegent_sim
