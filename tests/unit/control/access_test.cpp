// [control] operators/readers by name: resolution with a table instead of NSS, the roles it
// gives, and the groups a forbidden reply names.
#include <portd/control/options.hpp>
#include <portd/control/vocabulary.hpp>

#include <boost/test/unit_test.hpp>

#include <map>

using namespace portd;
using namespace portd::control;

namespace {

// The host's user and group databases as a table: no NSS in a unit test.
struct fake_names {
  std::map<std::string, std::uint32_t> users{{"alice", 1001}, {"root", 0}};
  std::map<std::string, std::uint32_t> groups{{"portd-operators", 998}, {"portd-clients", 997}, {"adm", 4}};
  int lookups = 0;

  name_lookup lookup() {
    name_lookup n;
    n.uid_of = [this](const std::string& name) -> std::optional<std::uint32_t> {
      ++lookups;
      auto it = users.find(name);
      return it == users.end() ? std::nullopt : std::optional(it->second);
    };
    n.gid_of = [this](const std::string& name) -> std::optional<std::uint32_t> {
      ++lookups;
      auto it = groups.find(name);
      return it == groups.end() ? std::nullopt : std::optional(it->second);
    };
    n.group_name = [this](std::uint32_t gid) -> std::optional<std::string> {
      ++lookups;
      for (const auto& [name, g] : groups)
        if (g == gid) return name;
      return std::nullopt;
    };
    return n;
  }
};

runtime::config::control_section control_with(runtime::id_set operators, runtime::id_set readers) {
  runtime::config::control_section c;
  c.operators = std::move(operators);
  c.readers = std::move(readers);
  return c;
}

role role_of(const access_rules& a, std::uint32_t uid, std::vector<std::uint32_t> gids) {
  return role_for(a, uid, gids, 999);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(control_access)

BOOST_AUTO_TEST_CASE(names_resolve_to_the_hosts_numbers_alongside_the_numbers_given) {
  fake_names names;
  runtime::id_set ops;
  ops.groups = {"portd-operators"};
  ops.users = {"alice"};
  ops.uids = {1500};
  runtime::id_set readers;
  readers.groups = {"portd-clients"};
  readers.gids = {4242};
  const auto a = resolve_access(control_with(ops, readers), names.lookup()).rules;
  BOOST_TEST(a.operator_gids == std::vector<std::uint32_t>{998});
  BOOST_TEST((a.operator_uids == std::vector<std::uint32_t>{1500, 1001}));
  BOOST_TEST((a.reader_gids == std::vector<std::uint32_t>{4242, 997}));
  // The names kept for messages: as configured, a number by its name or as "gid N".
  BOOST_TEST(a.operator_groups == std::vector<std::string>{"portd-operators"});
  BOOST_TEST((a.reader_groups == std::vector<std::string>{"portd-clients", "gid 4242"}));

  BOOST_TEST(role_of(a, 2000, {998}) == role::operator_);
  BOOST_TEST(role_of(a, 1001, {100}) == role::operator_);
  BOOST_TEST(role_of(a, 2000, {100, 997}) == role::reader);
  BOOST_TEST(role_of(a, 2000, {100}) == role::none);

  // Another host, another gid for the same group: the same file gives the right number.
  names.groups["portd-operators"] = 120;
  const auto b = resolve_access(control_with(ops, readers), names.lookup()).rules;
  BOOST_TEST(b.operator_gids == std::vector<std::uint32_t>{120});
  BOOST_TEST(role_of(b, 2000, {998}) == role::none);
}

// A name the system does not hold (yet) grants nothing, and is reported naming the key; the
// rest of the role still stands.
BOOST_AUTO_TEST_CASE(an_unknown_name_grants_nothing_and_is_reported_naming_the_key) {
  fake_names names;
  runtime::id_set ops, readers;
  ops.groups = {"portd-ops", "adm"};
  readers.users = {"bob"};
  const auto r = resolve_access(control_with(ops, readers), names.lookup());
  BOOST_TEST(r.rules.operator_gids == std::vector<std::uint32_t>{4});
  BOOST_TEST(r.rules.operator_groups == std::vector<std::string>{"adm"});  // not "portd-ops"
  BOOST_TEST(r.rules.reader_uids.empty());
  BOOST_REQUIRE(r.missing.size() == 2u);
  BOOST_TEST(r.missing[0].starts_with("control.operators.groups: no group \"portd-ops\" on this system (yet)"), r.missing[0]);
  BOOST_TEST(r.missing[1].starts_with("control.readers.users: no user \"bob\" on this system (yet)"), r.missing[1]);
  BOOST_TEST(role_of(r.rules, 2000, {100}) == role::none);
}

// Resolution happens when asked (start, SIGHUP); deciding a role never looks a name up.
BOOST_AUTO_TEST_CASE(a_role_is_decided_without_any_lookup) {
  fake_names names;
  runtime::id_set ops;
  ops.groups = {"portd-operators"};
  const auto a = resolve_access(control_with(ops, {}), names.lookup()).rules;
  const int after_resolution = names.lookups;
  for (int i = 0; i < 100; ++i) BOOST_TEST(role_of(a, 3000 + i, {998}) == role::operator_);
  BOOST_TEST(names.lookups == after_resolution);
}

BOOST_AUTO_TEST_CASE(forbidden_names_the_groups_that_grant_the_role) {
  fake_names names;
  runtime::id_set ops, readers;
  ops.groups = {"portd-operators"};
  readers.groups = {"portd-clients"};
  const auto a = resolve_access(control_with(ops, readers), names.lookup()).rules;
  BOOST_TEST((groups_granting(a, role::operator_) == std::vector<std::string>{"portd-operators"}));
  BOOST_TEST((groups_granting(a, role::reader) == std::vector<std::string>{"portd-clients", "portd-operators"}));

  auto e = forbidden("order.cancel", role::reader, groups_granting(a, role::operator_));
  BOOST_TEST(e.message ==
             "order.cancel needs the operator role (this peer has role reader): membership in portd-operators "
             "grants it (then log in again), or add its uid or one of its groups to [control] operators in portd.toml");
  BOOST_TEST(e.data.at("groups").as_array().size() == 1u);
  e = forbidden("order.list", role::none, groups_granting(a, role::reader));
  BOOST_TEST(e.message.find("membership in portd-clients or portd-operators grants it") != std::string::npos, e.message);
  // No group grants it: the message says where to grant it, as before.
  e = forbidden("order.list", role::none, {});
  BOOST_TEST(e.message ==
             "order.list needs the reader role (this peer has role none): add its uid or one of its groups to "
             "[control] readers (or operators) in portd.toml");
  BOOST_TEST(!e.data.contains("groups"));
}

BOOST_AUTO_TEST_SUITE_END()
