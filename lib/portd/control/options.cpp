// [control] operators/readers -> access_rules.
#include <portd/control/options.hpp>

#include <algorithm>

namespace portd::control {
namespace {

template <class T>
void add_unique(std::vector<T>& v, T x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(std::move(x));
}

// One role's uids and gids, and the names of its groups for messages.
void resolve(const runtime::id_set& ids, const std::string& key, const name_lookup& names,
             std::vector<std::uint32_t>& uids, std::vector<std::uint32_t>& gids,
             std::vector<std::string>& group_names, std::vector<std::string>& missing) {
  uids = ids.uids;
  gids = ids.gids;
  // The number of each name the system holds; a name it does not hold is reported, not kept.
  const auto number_of = [&](const auto& lookup, const std::string& name, const char* list, const char* kind) {
    const auto n = lookup(name);
    if (!n)
      missing.push_back(key + "." + list + ": no " + kind + " \"" + name + "\" on this system (yet); it grants nothing "
                        "until it exists and portd is reloaded (systemctl reload portd)");
    return n;
  };
  for (const auto& user : ids.users)
    if (const auto uid = number_of(names.uid_of, user, "users", "user")) add_unique(uids, *uid);
  for (const auto& name : ids.groups) {
    if (const auto gid = number_of(names.gid_of, name, "groups", "group")) {
      add_unique(gids, *gid);
      add_unique(group_names, name);
    }
  }
  for (const auto gid : ids.gids) {
    const auto name = names.group_name ? names.group_name(gid) : std::nullopt;
    add_unique(group_names, name ? *name : "gid " + std::to_string(gid));
  }
}

}  // namespace

resolved_access resolve_access(const runtime::config::control_section& control, const name_lookup& names) {
  resolved_access r;
  auto& a = r.rules;
  resolve(control.operators, "control.operators", names, a.operator_uids, a.operator_gids, a.operator_groups, r.missing);
  resolve(control.readers, "control.readers", names, a.reader_uids, a.reader_gids, a.reader_groups, r.missing);
  return r;
}

}  // namespace portd::control
