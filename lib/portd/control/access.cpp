// Role resolution from peer credentials.
#include <portd/control/access.hpp>

#include <algorithm>
#include <cerrno>

#include <sys/socket.h>

namespace portd::control {
namespace {
bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
bool any_of(const std::vector<std::uint32_t>& v, std::span<const std::uint32_t> xs) {
  return std::any_of(xs.begin(), xs.end(), [&](std::uint32_t x) { return contains(v, x); });
}
}  // namespace

role role_for(const access_rules& a, std::uint32_t uid, std::span<const std::uint32_t> gids,
              std::uint32_t daemon_uid) {
  if (uid == 0 || uid == daemon_uid) return role::operator_;
  if (contains(a.operator_uids, uid) || any_of(a.operator_gids, gids)) return role::operator_;
  if (contains(a.reader_uids, uid) || any_of(a.reader_gids, gids)) return role::reader;
  return role::none;
}

std::vector<std::uint32_t> peer_groups(int fd, std::uint32_t gid) {
  std::vector<std::uint32_t> out{gid};
  // Linux >= 4.13. The kernel says how much room it needs when the buffer is too small.
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      for (gid_t g : groups)
        if (g != gid) out.push_back(static_cast<std::uint32_t>(g));
      return out;
    }
    if (errno != ERANGE) break;
    groups.resize(len / sizeof(gid_t) + 1);
  }
  return out;
}

}  // namespace portd::control
