// What to check next with the budget the cadences leave over. The per-state cadences are
// guarantees (decide() schedules them); the planner spends the spare share of the budget on the
// active orders most likely to have news — the hazard that Telegent moved the order since it
// was last checked, from learned dwell times and the port date — never one order more often
// than min_interval. Pure: every call takes `now`; the engine drives it with one timer.
#pragma once
#include <portd/porting/order.hpp>
#include <portd/porting/policy.hpp>
#include <portd/poll/dwell.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace portd::poll {

using porting::time_point;

// Why an order's next guaranteed check comes when it does.
enum class check_reason : std::uint8_t {
  cadence,        // the state's [poll] cadence
  port_date,      // pulled to the start of the port date, or near_port_date from then on
  after_submit,   // soon after a submission or a correction (first_after_submit)
  expected_news,  // a spare check: the order is among the likeliest to have moved
};
std::string_view to_string(check_reason);
std::ostream& operator<<(std::ostream&, check_reason);

// Why the check `o` has due at `due` (its next_check_at) comes then.
check_reason why_due(const porting::order& o, time_point due, const porting::poll_policy& p);

// When `o` was last checked, as far as the order row tells (at a restart): its next check was
// set one cadence after the last, and never before it entered its state.
time_point last_check_estimate(const porting::order& o, const porting::poll_policy& p);

class planner {
 public:
  // `requests_per_minute` is the whole budget (0: unlimited, so no share and no spare checks).
  // The prior counts business days in p.time_zone (config refuses a zone the system lacks).
  planner(porting::poll_policy p, double requests_per_minute, time_point now);

  // `o` (active, polled) is in the plan, last checked at `last_check`; anything else leaves it.
  // `moved_at`: Telegent changed the order's status within its state then (a stay counts from
  // the latest change; without one, from o.state_since or the change known before).
  void track(const porting::order& o, time_point last_check, std::optional<time_point> moved_at = std::nullopt);
  // When the order's current stay began (its state's or its remote status's latest change).
  std::optional<time_point> stay_since(std::int64_t id) const;
  void forget(std::int64_t id);
  // A check of `id` left at `at` (guaranteed or spare).
  void checked(std::int64_t id, time_point at);
  // A check found that Telegent had moved order `id`, known at `now`: the estimated detection
  // latency (the move is equally likely anywhere since the check before), or nullopt when
  // the order is not in the plan.
  std::optional<milliseconds> detected(std::int64_t id, time_point now) const;
  // A committed stay (an order left a state on Telegent's word).
  void learn(const dwell_sample& s) { stats_.add(s); }

  // P(order `id` has moved since its last check); 0 if it is not in the plan. A port date still
  // ahead of a scheduled order holds it at 0; from the date's start it rises over the day.
  double expected_news(std::int64_t id, time_point now) const;

  struct pick {
    std::optional<std::int64_t> id;  // check this order now (the share's token is taken)
    std::optional<time_point> wake;  // else ask again then; neither: nothing to wait for
  };
  // The spare check to make at `now`: the likeliest order not checked within min_interval
  // that `may` allows (e.g. no call out), when the spare share has a token.
  pick next(time_point now, const std::function<bool(std::int64_t)>& may = {});
  // When next() may next return an order, without taking anything: `now` when it should be
  // asked, nullopt when nothing will come of asking until an order is tracked or checked.
  std::optional<time_point> next_at(time_point now);

  bool enabled() const { return rate_per_ms_ > 0; }
  // The least time between two spare checks of one order: [poll] min_interval, or a quarter
  // of a round-robin's turn over the spare budget when that is shorter (few orders active).
  milliseconds min_interval() const;
  std::size_t size() const { return orders_.size(); }
  const dwell_stats& stats() const { return stats_; }
  const porting::poll_policy& policy() const { return policy_; }

 private:
  struct tracked {
    std::int64_t id = 0;
    order_state state{};
    dwell_stats::carrier_id carrier = 0;
    time_point entered{};
    time_point last_check{};
    time_point previous_check{};  // the check before last_check
    std::optional<time_point> port_date;
  };
  tracked* find(std::int64_t id);
  const tracked* find(std::int64_t id) const;
  void mark(tracked& t, time_point at);
  double news(const tracked& t, time_point now) const;   // P(moved since its last check)
  double score(const tracked& t, time_point now) const;  // the detection latency a check takes back
  void refill(time_point now);

  // One next() scores at most this many orders (from a rotating cursor), so that a large book
  // costs a bounded slice of the loop per spare check; it goes on while none is worth a check.
  static constexpr std::size_t scan_limit = 4096;

  porting::poll_policy policy_;
  dwell_stats stats_;
  std::vector<tracked> orders_;                     // unordered; removal swaps in the last
  std::unordered_map<std::int64_t, std::size_t> at_;  // id → index in orders_
  std::size_t cursor_ = 0;
  double rate_per_ms_ = 0;  // spare tokens per millisecond
  // The share's bucket holds a few checks, so that moments when the budget was busy (nobody
  // is asked then) are made up for soon after; the budget itself never goes over.
  static constexpr double spare_burst = 3;
  double tokens_ = 1;
  time_point last_refill_;
  // What the last fruitless next() found: nothing to pick before this (nullopt: nothing at
  // all). Valid until an order is tracked, checked or forgotten.
  bool idle_known_ = false;
  std::optional<time_point> idle_until_;
};

}  // namespace portd::poll
