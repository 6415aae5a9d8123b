// The core vocabulary: enum names (as the protocol and the store spell them) round-trip, the
// state classifications match PROTOCOL.md, and RFC 3339 times format and parse strictly.
#include <portd/porting/event.hpp>
#include <portd/porting/types.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <ctime>

#include <sstream>

using namespace portd::porting;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(porting_types)

BOOST_AUTO_TEST_CASE(state_names_round_trip) {
  const char* names[] = {"received",  "checking_eligibility", "ineligible", "submitting",
                         "submit_unknown", "issuing_pin", "submitted", "carrier_approval",
                         "scheduled", "rejected", "cancelling", "cancelled", "completed", "failed",
                         "port_out_rejected", "closed"};
  BOOST_TEST(std::size(names) == static_cast<std::size_t>(order_state_count));
  for (int i = 0; i < order_state_count; ++i) {
    const auto s = static_cast<order_state>(i);
    BOOST_TEST(to_string(s) == names[i]);
    BOOST_TEST((parse_order_state(names[i]) == s));
    std::ostringstream os;
    os << s;
    BOOST_TEST(os.str() == names[i]);
  }
  for (const char* bad : {"", "Received", "cancelled ", "canceled", "unknown"})
    BOOST_TEST(!parse_order_state(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(kind_call_outcome_event_names_round_trip) {
  BOOST_TEST(to_string(order_kind::port_in) == "port_in");
  BOOST_TEST(to_string(order_kind::port_out) == "port_out");
  for (auto k : {order_kind::port_in, order_kind::port_out}) BOOST_TEST((parse_order_kind(to_string(k)) == k));
  BOOST_TEST(!parse_order_kind("portin").has_value());

  const char* calls[] = {"eligibility", "submit_port_in", "submit_port_out", "update", "cancel", "status"};
  for (int i = 0; i < 6; ++i) {
    const auto c = static_cast<call_kind>(i);
    BOOST_TEST(to_string(c) == calls[i]);
    BOOST_TEST((parse_call_kind(calls[i]) == c));
  }
  BOOST_TEST(!parse_call_kind("poll").has_value());

  BOOST_TEST(to_string(call_outcome::ok) == "ok");
  BOOST_TEST(to_string(call_outcome::transient) == "transient");
  BOOST_TEST(to_string(call_outcome::refused) == "refused");

  const char* events[] = {"order.created",         "order.state_changed", "order.remote_status_changed",
                          "order.updated",         "order.error",         "order.needs_attention",
                          "order.port_date_changed", "order.note_added"};
  for (int i = 0; i < 8; ++i) {
    const auto e = static_cast<event_type>(i);
    BOOST_TEST(to_string(e) == events[i]);
    BOOST_TEST((parse_event_type(events[i]) == e));
  }
  BOOST_TEST(!parse_event_type("state_changed").has_value());
}

// The intent, certainty and attention names are what the database stores (schema 6).
BOOST_AUTO_TEST_CASE(intent_certainty_attention_names_round_trip) {
  for (auto v : {pending_intent::none, pending_intent::update, pending_intent::cancel, pending_intent::settle})
    BOOST_TEST((parse_pending_intent(to_string(v)) == v), v);
  for (auto v : {submit_certainty::known, submit_certainty::ambiguous})
    BOOST_TEST((parse_submit_certainty(to_string(v)) == v), v);
  for (auto v : {attention_kind::none, attention_kind::operator_state, attention_kind::unknown_status,
                 attention_kind::poll_refused, attention_kind::stale, attention_kind::cancel_refused,
                 attention_kind::cancel_failing})
    BOOST_TEST((parse_attention_kind(to_string(v)) == v), v);
  BOOST_TEST(to_string(attention_kind::cancel_refused) == "cancel_refused");
  BOOST_TEST(to_string(call_priority::guarded) == "guarded");
  BOOST_TEST(!parse_attention_kind("Telegent refused the cancel").has_value());
}

BOOST_AUTO_TEST_CASE(values_outside_the_enums_do_not_read_past_the_names) {
  BOOST_TEST(to_string(static_cast<order_state>(order_state_count)) == "?");
  BOOST_TEST(to_string(static_cast<order_state>(255)) == "?");
  BOOST_TEST(to_string(static_cast<order_kind>(2)) == "?");
  BOOST_TEST(to_string(static_cast<call_kind>(6)) == "?");
  BOOST_TEST(to_string(static_cast<call_outcome>(3)) == "?");
  BOOST_TEST(to_string(static_cast<event_type>(8)) == "?");
}

BOOST_AUTO_TEST_CASE(state_classes_match_the_protocol) {
  for (int i = 0; i < order_state_count; ++i) {
    const auto s = static_cast<order_state>(i);
    BOOST_TEST_CONTEXT(s) {
      // PROTOCOL.md: terminal are ineligible, cancelled, completed, port_out_rejected, closed.
      BOOST_TEST(is_terminal(s) == (s == order_state::ineligible || s == order_state::cancelled ||
                                    s == order_state::completed || s == order_state::port_out_rejected ||
                                    s == order_state::closed));
      // needs_attention in submit_unknown, rejected, failed.
      BOOST_TEST(needs_operator(s) == (s == order_state::submit_unknown || s == order_state::rejected ||
                                       s == order_state::failed));
      BOOST_TEST(is_polled(s) == (s == order_state::submitted || s == order_state::carrier_approval ||
                                  s == order_state::scheduled || s == order_state::rejected));
      BOOST_TEST(!(is_terminal(s) && is_polled(s)));
    }
  }
  for (int i = 0; i < 6; ++i) {
    const auto c = static_cast<call_kind>(i);
    BOOST_TEST(is_command_call(c) == (c != call_kind::status));
  }
}

BOOST_AUTO_TEST_CASE(format_time_is_rfc3339_utc_with_milliseconds) {
  using std::chrono::sys_days, std::chrono::November, std::chrono::February;
  using namespace std::chrono_literals;
  BOOST_TEST(format_time(time_point{}) == "1970-01-01T00:00:00.000Z");
  const time_point t{sys_days{2026y / November / 26}.time_since_epoch() + 17h + 5min + 9s + 7ms};
  BOOST_TEST(format_time(t) == "2026-11-26T17:05:09.007Z");
  BOOST_TEST(format_time(time_point{-1ms}) == "1969-12-31T23:59:59.999Z");
  const time_point leap{sys_days{2028y / February / 29}.time_since_epoch() + 23h + 59min + 59s + 999ms};
  BOOST_TEST(format_time(leap) == "2028-02-29T23:59:59.999Z");
}

BOOST_AUTO_TEST_CASE(format_time_agrees_with_gmtime_across_centuries) {
  // The reference: what libc says, at odd steps from 1900 to 2400 (leap centuries included).
  auto reference = [](std::int64_t ms) {
    std::int64_t secs = ms / 1000, frac = ms % 1000;
    if (frac < 0) frac += 1000, --secs;
    const std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(frac));
    return std::string(buf);
  };
  int checked = 0;
  for (std::int64_t ms = -2'208'988'800'000ll; ms < 13'569'465'600'000ll; ms += 3'700'017'123ll, ++checked)
    BOOST_TEST_REQUIRE(format_time(time_point{milliseconds{ms}}) == reference(ms));
  BOOST_TEST(checked > 4000);
}

BOOST_AUTO_TEST_CASE(parse_time_round_trips) {
  for (std::int64_t ms : {0ll, 1ll, 999ll, 1'764'176'709'007ll, 4'102'444'799'999ll, -1ll, -86'400'000ll}) {
    const time_point t{milliseconds{ms}};
    BOOST_TEST_CONTEXT(format_time(t)) {
      const auto back = parse_time(format_time(t));
      BOOST_TEST_REQUIRE(back.has_value());
      BOOST_TEST(back->time_since_epoch().count() == ms);
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_time_accepts_fewer_or_more_fraction_digits) {
  const auto base = *parse_time("2026-11-26T17:00:00.000Z");
  BOOST_TEST((parse_time("2026-11-26T17:00:00Z") == base));
  BOOST_TEST((parse_time("2026-11-26T17:00:00.5Z") == base + 500ms));
  BOOST_TEST((parse_time("2026-11-26T17:00:00.25Z") == base + 250ms));
  BOOST_TEST((parse_time("2026-11-26T17:00:00.1239999Z") == base + 123ms));
}

BOOST_AUTO_TEST_CASE(parse_time_rejects_everything_else) {
  for (const char* bad : {"", "2026-11-26", "2026-11-26T17:00:00", "2026-11-26T17:00:00.000",
                          "2026-11-26T17:00:00.000+00:00", "2026-11-26 17:00:00.000Z",
                          "2026-11-26T17:00:00.Z", "2026-11-26T17:00:00.000Zx", "2026-13-26T17:00:00Z",
                          "2026-02-30T17:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T17:60:00Z",
                          "2026-1-26T17:00:00Z", "2026-11-6T17:00:00Z", "2026-11-26T7:00:00Z",
                          " 2026-11-26T17:00:00Z", "+2026-11-26T17:00:00Z", "2026-11-26T-1:00:00Z",
                          "2026-11-26T17:-5:00Z", "20261126T170000Z", "11/26/2026"}) {
    BOOST_TEST(!parse_time(bad).has_value(), "accepted \"" << bad << "\"");
  }
}

BOOST_AUTO_TEST_SUITE_END()
