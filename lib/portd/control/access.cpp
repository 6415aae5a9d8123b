// Role resolution from peer credentials.
#include <portd/control/access.hpp>

#include <algorithm>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

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

std::vector<std::uint32_t> groups_of(std::uint32_t uid, std::uint32_t gid) {
  std::vector<std::uint32_t> out{gid};
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return out;
  int n = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(n));
  if (getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<std::size_t>(n));
    if (getgrouplist(pw.pw_name, gid, groups.data(), &n) < 0) return out;
  }
  for (int i = 0; i < n; ++i)
    if (groups[static_cast<std::size_t>(i)] != gid) out.push_back(groups[static_cast<std::size_t>(i)]);
  return out;
}

}  // namespace portd::control
