// Role resolution from peer credentials.
#include <portd/control/access.hpp>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
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

std::vector<std::string> groups_granting(const access_rules& a, role needed) {
  std::vector<std::string> out;
  if (needed == role::reader) out = a.reader_groups;
  if (needed != role::none)
    for (const auto& g : a.operator_groups)
      if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  return out;
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

namespace {
// The buffer the *_r functions want, as sysconf says (grows on ERANGE: big groups).
std::size_t initial_buffer(int name) {
  const long n = ::sysconf(name);
  return n > 0 ? static_cast<std::size_t>(n) : 16384;
}

// Runs `get(buf, size, &result)` with a buffer large enough; the result's id, nullopt when
// the database has no such entry. Throws std::system_error when it cannot be read.
template <class Entry, class Get, class Pick>
auto lookup(int size_name, const std::string& what, Get get, Pick pick) -> std::optional<decltype(pick(std::declval<Entry&>()))> {
  std::vector<char> buf(initial_buffer(size_name));
  for (;;) {
    Entry entry{};
    Entry* found = nullptr;
    const int rc = get(&entry, buf.data(), buf.size(), &found);
    if (rc == ERANGE && buf.size() < (1u << 24)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    // "Not found" is rc 0 with no entry; some NSS modules say ENOENT or ESRCH instead.
    if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) {
      if (!found) return std::nullopt;
      return pick(*found);
    }
    throw std::system_error(rc, std::generic_category(), "looking up " + what);
  }
}
}  // namespace

name_lookup system_names() {
  name_lookup n;
  n.uid_of = [](const std::string& name) {
    return lookup<passwd>(_SC_GETPW_R_SIZE_MAX, "user " + name,
        [&](passwd* e, char* b, std::size_t l, passwd** r) { return ::getpwnam_r(name.c_str(), e, b, l, r); },
        [](passwd& e) { return static_cast<std::uint32_t>(e.pw_uid); });
  };
  n.gid_of = [](const std::string& name) {
    return lookup<group>(_SC_GETGR_R_SIZE_MAX, "group " + name,
        [&](group* e, char* b, std::size_t l, group** r) { return ::getgrnam_r(name.c_str(), e, b, l, r); },
        [](group& e) { return static_cast<std::uint32_t>(e.gr_gid); });
  };
  n.group_name = [](std::uint32_t gid) {
    return lookup<group>(_SC_GETGR_R_SIZE_MAX, "gid " + std::to_string(gid),
        [&](group* e, char* b, std::size_t l, group** r) { return ::getgrgid_r(static_cast<gid_t>(gid), e, b, l, r); },
        [](group& e) { return std::string(e.gr_name); });
  };
  return n;
}

}  // namespace portd::control
