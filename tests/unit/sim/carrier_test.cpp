// Unit tests: the carrier's fates in both dialects, PortInDate, the duplicate guard, update,
// cancel, force and port-outs, with injected time.
#include <telegent_sim/carrier.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>

using namespace telegent_sim;
using namespace std::chrono_literals;

namespace {
const real_time t0 = std::chrono::time_point_cast<std::chrono::microseconds>(
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 9h);
const auto far = t0 + std::chrono::days{30};

std::vector<std::string> flips_of(const order& o) {
  std::vector<std::string> out;
  for (const auto& f : o.flips) out.push_back(f.status);
  return out;
}

using statuses = std::vector<std::string>;

struct fixture {
  explicit fixture(dialect d = dialect::lifecycle) : clock(t0, 1.0), c(clock, d, carrier_delays{}) {}
  const order& submit(std::string number, std::optional<std::chrono::sys_days> date = std::nullopt,
                      real_time at = t0) {
    auto r = c.submit_port_in({"DID-a", number, std::nullopt, date}, "JNUOID-" + number + std::to_string(n++), at);
    BOOST_REQUIRE(r.has_value());
    return **r;
  }
  const order& look(const std::string& id, real_time at) { return **c.observe("DID-a", id, at); }
  sim_clock clock;
  carrier c;
  int n = 0;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(carrier_fates)

BOOST_AUTO_TEST_CASE(fate_by_last_digit) {
  for (char d : {'0', '1', '2', '3', '9'}) BOOST_TEST(port_in_fate_of(std::string("+1555555123") + d) == port_in_fate::completes);
  BOOST_TEST(port_in_fate_of("+15555551234") == port_in_fate::ineligible);
  BOOST_TEST(port_in_fate_of("+15555551235") == port_in_fate::rejected_once);
  BOOST_TEST(port_in_fate_of("+15555551236") == port_in_fate::rejected_always);
  BOOST_TEST(port_in_fate_of("+15555551237") == port_in_fate::carrier_cancels);
  BOOST_TEST(port_in_fate_of("+15555551238") == port_in_fate::stuck);
}

BOOST_AUTO_TEST_CASE(lifecycle_completes_on_the_script) {
  fixture f;
  const std::string id = f.submit("+15555551230").id;
  BOOST_TEST(f.look(id, t0).status == "Pending");
  BOOST_TEST(f.look(id, t0 + 9min).status == "Pending");
  BOOST_TEST(f.look(id, t0 + 10min).status == "Submitted");
  BOOST_TEST(f.look(id, t0 + 70min).status == "Pending Carrier Approval");
  BOOST_TEST(f.look(id, t0 + 70min + 24h).status == "Scheduled");
  const order& o = f.look(id, t0 + 70min + 48h);
  BOOST_TEST(o.status == "Completed");
  BOOST_TEST(!o.open);
  BOOST_TEST(flips_of(o) == (statuses{"Submitted", "Pending Carrier Approval", "Scheduled", "Completed"}),
             boost::test_tools::per_element());
  BOOST_TEST((o.flips.back().flip_at == t0 + 70min + 48h));
}

BOOST_AUTO_TEST_CASE(kb_completes) {
  fixture f(dialect::kb);
  const std::string id = f.submit("+15555551239").id;
  BOOST_TEST(f.look(id, t0 + 10min).status == "Pending");
  BOOST_TEST(f.look(id, t0 + 70min).status == "InProgress");
  const order& o = f.look(id, far);
  BOOST_TEST(o.status == "Complete");
  BOOST_TEST(flips_of(o) == (statuses{"InProgress", "Complete"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ineligible_number_is_refused_in_both_dialects) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    BOOST_TEST(!f.c.eligible("+15555551234"));
    BOOST_TEST(f.c.eligible("+15555551230"));
    auto r = f.c.submit_port_in({"DID-a", "+15555551234", std::nullopt, std::nullopt}, "JNUOID-x", t0);
    BOOST_TEST(r.error() == sim_errc::ineligible);
  }
}

BOOST_AUTO_TEST_CASE(rejected_once_then_an_update_completes) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    const std::string rejected = d == dialect::kb ? "ResolutionRequired" : "Rejected";
    const std::string id = f.submit("+15555551235").id;
    const order& o = f.look(id, t0 + 70min + 24h);
    BOOST_TEST(o.status == rejected);
    BOOST_TEST(o.message == "1P-Other: name or account mismatch");
    BOOST_TEST(o.open);  // a rejection can be fixed with an update
    const auto when = t0 + 3 * 24h;
    auto u = f.c.update("DID-a", id, std::nullopt, when);
    BOOST_REQUIRE(u.has_value());
    BOOST_TEST((*u)->status == "Pending");
    BOOST_TEST((*u)->message.empty());
    const order& done = f.look(id, far);
    BOOST_TEST(done.status == (d == dialect::kb ? "Complete" : "Completed"));
    BOOST_TEST(done.rejections == 1);
  }
}

BOOST_AUTO_TEST_CASE(rejected_always_accepts_updates_and_rejects_again) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    const std::string rejected = d == dialect::kb ? "ResolutionRequired" : "Rejected";
    const std::string id = f.submit("+15555551236").id;
    BOOST_TEST(f.look(id, t0 + 3 * 24h).status == rejected);
    for (int i = 1; i <= 2; ++i) {
      const auto when = t0 + i * 3 * 24h + 1h;
      BOOST_TEST(f.c.update("DID-a", id, std::nullopt, when).has_value());
      const order& o = f.look(id, when + 3 * 24h - 1h);
      BOOST_TEST(o.status == rejected);
      BOOST_TEST(o.message.starts_with("1P-Other"));
      BOOST_TEST(o.rejections == i + 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(carrier_cancels_after_approval) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    const std::string id = f.submit("+15555551237").id;
    BOOST_TEST(f.look(id, t0 + 70min).status == (d == dialect::kb ? "InProgress" : "Pending Carrier Approval"));
    const order& o = f.look(id, far);
    BOOST_TEST(o.status == "Cancelled");
    BOOST_TEST(!o.open);
    BOOST_TEST(o.message == std::string(carrier_cancel_message));
    BOOST_TEST(f.c.update("DID-a", id, std::nullopt, far).error() == sim_errc::order_not_open);
  }
}

BOOST_AUTO_TEST_CASE(stuck_in_carrier_approval_forever) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    const std::string id = f.submit("+15555551238").id;
    const order& o = f.look(id, t0 + std::chrono::days{3650});
    BOOST_TEST(o.status == (d == dialect::kb ? "InProgress" : "Pending Carrier Approval"));
    BOOST_TEST(o.open);
  }
}

BOOST_AUTO_TEST_CASE(port_out_scripts) {
  for (auto d : {dialect::lifecycle, dialect::kb}) {
    fixture f(d);
    auto ok = f.c.submit_port_out("DID-a", "+17746996223", "JNUOID-out1", t0);
    auto bad = f.c.submit_port_out("DID-a", "+17746996226", "JNUOID-out2", t0);
    BOOST_TEST((*ok)->status == "Port Out Pending");
    BOOST_TEST((*bad)->status == "Port Out Pending");
    BOOST_TEST(f.look("JNUOID-out1", t0 + 10min).status == "Port Out Processing");
    BOOST_TEST(f.look("JNUOID-out1", far).status == "Port Out Complete");
    BOOST_TEST(f.look("JNUOID-out2", far).status == "Port Out Rejected");
    BOOST_TEST(!f.look("JNUOID-out2", far).open);
    // Port-outs are not port-ins: no update; cancel works while open.
    BOOST_TEST(f.c.update("DID-a", "JNUOID-out1", std::nullopt, far).error() == sim_errc::order_not_found);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(carrier_dates_and_guards)

BOOST_AUTO_TEST_CASE(port_in_date_in_the_future_sets_completion) {
  fixture f;
  const auto date = std::chrono::sys_days{std::chrono::year{2026} / 1 / 20};
  const std::string id = f.submit("+15555551230", date).id;
  BOOST_TEST(f.look(id, t0 + 3 * 24h).status == "Scheduled");
  BOOST_TEST(f.look(id, real_time{date} - 1s).status == "Scheduled");
  const order& o = f.look(id, real_time{date});
  BOOST_TEST(o.status == "Completed");
  BOOST_TEST((o.flips.back().flip_at == real_time{date}));
}

BOOST_AUTO_TEST_CASE(port_in_date_already_passed_completes_right_after_scheduled) {
  fixture f;
  const std::string id = f.submit("+15555551231", std::chrono::sys_days{std::chrono::year{2025} / 12 / 1}).id;
  const auto scheduled_at = t0 + 70min + 24h;
  BOOST_TEST(f.look(id, scheduled_at).status == "Scheduled");
  BOOST_TEST(f.look(id, scheduled_at + 1s).status == "Completed");
}

BOOST_AUTO_TEST_CASE(update_can_set_the_port_in_date) {
  fixture f;
  const std::string id = f.submit("+15555551232").id;
  const auto date = std::chrono::sys_days{std::chrono::year{2026} / 2 / 1};
  BOOST_TEST(f.c.update("DID-a", id, date, t0 + 1h).has_value());
  BOOST_TEST(f.look(id, real_time{date} - 1s).status == "Scheduled");
  BOOST_TEST(f.look(id, real_time{date}).status == "Completed");
}

BOOST_AUTO_TEST_CASE(duplicate_guard_only_while_a_port_in_is_open) {
  fixture f;
  const std::string first = f.submit("+15555551230").id;
  auto dup = f.c.submit_port_in({"DID-a", "+15555551230", std::nullopt, std::nullopt}, "JNUOID-dup", t0 + 1h);
  BOOST_TEST(dup.error() == sim_errc::duplicate_port_in);
  // Once the first completed, the number can be ported again.
  auto again = f.c.submit_port_in({"DID-a", "+15555551230", std::nullopt, std::nullopt}, "JNUOID-again", far);
  BOOST_TEST(again.has_value());
  // A rejected port-in is still open: it blocks until updated to completion or cancelled.
  const std::string rej = f.submit("+15555551236").id;
  auto blocked = f.c.submit_port_in({"DID-a", "+15555551236", std::nullopt, std::nullopt}, "JNUOID-b", t0 + 3 * 24h);
  BOOST_TEST(blocked.error() == sim_errc::duplicate_port_in);
  BOOST_TEST(f.c.cancel("DID-a", rej, t0 + 3 * 24h).has_value());
  auto after_cancel = f.c.submit_port_in({"DID-a", "+15555551236", std::nullopt, std::nullopt}, "JNUOID-c", t0 + 3 * 24h);
  BOOST_TEST(after_cancel.has_value());
  (void)first;
}

BOOST_AUTO_TEST_CASE(cancel_is_final_and_idempotent) {
  fixture f;
  const std::string id = f.submit("+15555551230").id;
  auto c1 = f.c.cancel("DID-a", id, t0 + 1h);
  BOOST_REQUIRE(c1.has_value());
  BOOST_TEST((*c1)->status == "Cancelled");
  BOOST_TEST(f.c.cancel("DID-a", id, t0 + 2h).has_value());
  BOOST_TEST(f.look(id, far).status == "Cancelled");  // the script stopped
  BOOST_TEST(f.look(id, far).flips.size() == 1u);     // Submitted; the client's own cancel is no flip
  BOOST_TEST(f.c.update("DID-a", id, std::nullopt, far).error() == sim_errc::order_not_open);
  const std::string done = f.submit("+15555551231").id;
  BOOST_TEST(f.c.cancel("DID-a", done, far).error() == sim_errc::order_not_open);
  BOOST_TEST(f.c.cancel("DID-b", done, far).error() == sim_errc::order_not_found);  // another account's
  BOOST_TEST(f.c.observe("DID-a", "JNUOID-none", far).error() == sim_errc::order_not_found);
}

BOOST_AUTO_TEST_CASE(force_sets_any_status_and_stops_the_script) {
  fixture f;
  const std::string id = f.submit("+15555551230").id;
  auto forced = f.c.force(id, "Awaiting Paperwork", "on hold", t0 + 1min);
  BOOST_REQUIRE(forced.has_value());
  BOOST_TEST((*forced)->open);
  const order& o = f.look(id, far);
  BOOST_TEST(o.status == "Awaiting Paperwork");
  BOOST_TEST(o.message == "on hold");
  BOOST_TEST(f.c.force(id, "Completed", "", far).has_value());
  BOOST_TEST(!f.look(id, far).open);
  BOOST_TEST(f.c.force("JNUOID-none", "Completed", "", far).error() == sim_errc::order_not_found);
}

BOOST_AUTO_TEST_CASE(flip_times_follow_the_time_scale_and_first_sighting) {
  sim_clock clock(t0, 3600.0);  // an hour per second
  carrier c(clock, dialect::lifecycle, carrier_delays{});
  const std::string id = (*c.submit_port_in({"DID-a", "+15555551230", std::nullopt, std::nullopt}, "JNUOID-t", t0))->id;
  BOOST_TEST((*c.observe("DID-a", id, t0 + 500ms))->status == "Submitted");
  c.mark_observed(id, t0 + 500ms);
  c.mark_observed(id, t0 + 600ms);  // only the first sighting counts
  const order& o = **c.observe("DID-a", id, t0 + 60s);
  BOOST_TEST(o.status == "Completed");
  BOOST_REQUIRE(o.flips.size() == 4u);
  // 10 sim minutes pass in 1/6 s real at 3600x; the completion after 49 h 10 min sim in ~49.17 s.
  BOOST_TEST(std::abs((o.flips[0].flip_at - t0).count() - 166'667) <= 1);
  BOOST_TEST((*o.flips[0].observed_at == t0 + 500ms));
  BOOST_TEST(!o.flips[1].observed_at.has_value());
  BOOST_TEST(std::abs((o.flips[3].flip_at - t0).count() - 49'166'667) <= 1);
}

BOOST_AUTO_TEST_SUITE_END()
