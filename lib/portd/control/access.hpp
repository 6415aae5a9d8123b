// Who may do what on the control socket: peer credentials (SO_PEERCRED, SO_PEERGROUPS) -> role.
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

// The groups of the process at the other end of the connected AF_UNIX socket `fd`: `gid` (its
// primary group, from SO_PEERCRED) and the supplementary groups it had when it connected
// (SO_PEERGROUPS), not what /etc/group says of its user: a process that dropped a group has
// dropped its rights. Just {gid} when the kernel cannot tell. No NSS lookup, no blocking.
std::vector<std::uint32_t> peer_groups(int fd, std::uint32_t gid);

}  // namespace portd::control
