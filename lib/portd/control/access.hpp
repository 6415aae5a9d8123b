// Who may do what on the control socket: peer credentials (SO_PEERCRED) -> role.
#pragma once
#include <portd/control/backend.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace portd::control {

// [control] operators/readers of CONFIG.md.
struct access_rules {
  std::vector<std::uint32_t> operator_uids, operator_gids;
  std::vector<std::uint32_t> reader_uids, reader_gids;
};

struct peer_credentials {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int32_t pid = 0;
};

// Root and `daemon_uid` are operators; then the operator uids/gids, then the reader ones;
// anyone else has role none. `gids` are all the peer's groups (primary and supplementary).
role role_for(const access_rules&, std::uint32_t uid, std::span<const std::uint32_t> gids,
              std::uint32_t daemon_uid);

// The primary gid plus the supplementary groups of `uid` from the user database (NSS);
// just {gid} when the user is unknown.
std::vector<std::uint32_t> groups_of(std::uint32_t uid, std::uint32_t gid);

}  // namespace portd::control
