// The roles of [control] (CONFIG.md) with user and group names resolved to numbers.
#pragma once
#include <portd/control/access.hpp>
#include <portd/runtime/config.hpp>

namespace portd::control {

struct resolved_access {
  access_rules rules;
  // A name the system does not hold (yet) grants nothing: one sentence each, naming the key
  // ("control.operators.groups: no group \"portd-operators\" on this system (yet); …").
  std::vector<std::string> missing;
};

// [control] operators/readers with every user and group name resolved by `names` (kept with
// the numbers given). A name the system does not know is left out and reported in `missing`,
// not refused: a group may be created after the configuration is written (the package's
// sysusers.d, configuration management ahead of the package), and leaving it out grants
// nothing. Throws what `names` throws when the database cannot be read. At start and on
// SIGHUP, never per connection.
resolved_access resolve_access(const runtime::config::control_section&, const name_lookup& names);

}  // namespace portd::control
