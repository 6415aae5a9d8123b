// Timing policy: poll cadence per state (tighter near a known port date) and the retry schedule.
#pragma once
#include <portd/porting/order.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace portd::porting {

using namespace std::chrono_literals;

// Every cadence is a guarantee: an order is checked at least this often in its state. Checks
// beyond them come out of the spare budget (lib/portd/poll), where news is likeliest.
struct poll_policy {
  milliseconds first_after_submit = 2min;  // "soon after submit": never later than `submitted`
  milliseconds submitted = 15min;
  milliseconds carrier_approval = 30min;
  milliseconds scheduled = 1h;
  milliseconds rejected = 6h;
  milliseconds near_port_date = 10min;  // cadence from the port date's start until it passes
  // The share of requests_per_minute that checks beyond the cadences may use (0 = cadences
  // only), and how often at most such a check may look at one order.
  double spare_share = 0.8;
  milliseconds min_interval = 10s;
  // [poll] time_zone: the IANA zone whose business days the poller's prior counts
  // (poll::business_calendar) and where a port date starts.
  std::string time_zone = "UTC";
  // The instant a local date begins in time_zone (set with it from the time-zone database:
  // poll::business_calendar::day_start); empty: UTC midnight.
  std::function<time_point(std::chrono::sys_days local_day)> day_start;
};

// The policy with its cadences kept as guarantees: the first check after a submission or a
// correction (the order is then `submitted`) is never later than the `submitted` cadence.
poll_policy as_guarantees(poll_policy p);

struct retry_policy {
  milliseconds base = 1s;
  milliseconds cap = 30s;
  int max_attempts_command = 8;  // eligibility, submit, port-out, update, cancel
  // polls are never given up on: they back off and then fall back to the state's cadence

  // Delay before attempt `attempt + 1` after `attempt` failures (1-based): base·2^(attempt-1)
  // capped, with ±20% jitter derived from `salt` (so decide() stays deterministic).
  milliseconds next_delay(int attempt, std::uint64_t salt) const;
};

// How long an order may sit without news before someone is told (needs_attention, once).
// Calendar time: business days are not modelled. 0 turns a limit off.
struct stale_policy {
  milliseconds submitted = std::chrono::hours(24 * 3);
  milliseconds carrier_approval = std::chrono::hours(24 * 7);
  milliseconds scheduled = std::chrono::hours(24 * 14);
  milliseconds past_port_date = std::chrono::hours(24);  // a port date this far behind us, not completed
};

struct policy {
  poll_policy poll;
  retry_policy retry;
  stale_policy stale;
  // How long after a port-in submission that may have reached Telegent portd still resends it
  // (config [orders] resend_window). The resend is safe only under Telegent's duplicate guard,
  // which covers open orders: the fastest documented port takes one business day, so four
  // hours is well inside the time the first order, if it exists, is still open. Older
  // ambiguous submissions go to submit_unknown for an operator.
  milliseconds resend_window = std::chrono::hours(4);
};

// The reason an active, polled order is stale at `now`, or "" when it is not. Stable for a
// given order and state (it names the state's start, not the elapsed time), so that the
// alarm is raised once, not on every poll.
std::string stale_reason(const order& o, time_point now, const policy& p);

// The start of the order's port date, reported or requested, if it has one that parses: local
// midnight in [poll] time_zone (p.day_start).
std::optional<time_point> port_date_start(const order& o, const poll_policy& p);

// When the order should next be polled, given its state (and port date), from `now`.
time_point next_poll_at(const order& o, time_point now, const poll_policy& p);

}  // namespace portd::porting
