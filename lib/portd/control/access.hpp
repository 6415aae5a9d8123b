// Who may do what on the control socket: peer credentials (SO_PEERCRED, SO_PEERGROUPS) -> role.
#pragma once
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace portd::control {

// [control] operators/readers of CONFIG.md, names already resolved to numbers.
struct access_rules {
  std::vector<std::uint32_t> operator_uids, operator_gids;
  std::vector<std::uint32_t> reader_uids, reader_gids;
  // The groups that grant each role, by name where there is one ("portd-operators", else
  // "gid 1234"): what a forbidden reply tells the user to join.
  std::vector<std::string> operator_groups, reader_groups;
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

// The groups whose members have role `needed` (for reader: the reader groups, then the
// operator ones), as access_rules names them.
std::vector<std::string> groups_granting(const access_rules&, role needed);

// The groups of the process at the other end of the connected AF_UNIX socket `fd`: `gid` (its
// primary group, from SO_PEERCRED) and the supplementary groups it had when it connected
// (SO_PEERGROUPS), not what /etc/group says of its user: a process that dropped a group has
// dropped its rights. Just {gid} when the kernel cannot tell. No NSS lookup, no blocking.
std::vector<std::uint32_t> peer_groups(int fd, std::uint32_t gid);

// User and group names to numbers and back: the system's databases, or a table in tests.
// Each returns nullopt for a name or number the database does not hold.
struct name_lookup {
  std::function<std::optional<std::uint32_t>(const std::string&)> uid_of, gid_of;
  std::function<std::optional<std::string>(std::uint32_t)> group_name;
};
// getpwnam_r/getgrnam_r/getgrgid_r: NSS, which may block (LDAP, sssd), so called at start and
// on SIGHUP only, never per connection. Throws std::system_error when the database cannot be
// read (not for a name it does not hold).
name_lookup system_names();

}  // namespace portd::control
