// Accounts and their bearer tokens: each token is scoped to one endpoint path and expires after
// a configured real-time lifetime.
#pragma once

#include <telegent_sim/errors.hpp>
#include <telegent_sim/time.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

struct account {
  std::string key;     // AccountKey, e.g. "DID-sim"
  std::string secret;  // AccountSecret
};

struct token_grant {
  std::string token;
  real_time expires_at;
};

// The scope a token is issued for: the path of the ApiEndpoint URL, without scheme, host, port,
// query or fragment, lower-cased (scopes compare case-insensitively).
std::string scope_of(std::string_view api_endpoint);

class token_authority {
 public:
  token_authority(std::vector<account> accounts, std::chrono::seconds lifetime);

  bool knows_account(std::string_view key) const;

  // A new token for the account, scoped to api_endpoint's path; bad_credentials when the key is
  // unknown or the secret wrong.
  result<token_grant> issue(std::string_view key, std::string_view secret, std::string_view api_endpoint,
                            real_time now, std::mt19937_64& rng);

  // The AccountKey the token was issued to, valid or not (rate limiting counts every request).
  std::optional<std::string> owner(std::string_view token) const;

  // The AccountKey when the token may be used on request_path at `now`; token_missing,
  // token_unknown, token_expired or token_wrong_scope otherwise.
  result<std::string> authorize(std::string_view token, std::string_view request_path, real_time now) const;

  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

 private:
  struct issued {
    std::string account;
    std::string scope;
    real_time expires_at;
  };
  std::vector<account> accounts_;
  std::chrono::seconds lifetime_;
  std::map<std::string, issued, std::less<>> tokens_;
};

}  // namespace telegent_sim
