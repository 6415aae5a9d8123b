// How long orders stay in each state before Telegent moves them: learned dwell times (per
// state, and per losing carrier where there is enough history) with documented priors where
// there is none. Pure: samples come in from the store at start and from committed changes.
#pragma once
#include <portd/porting/types.hpp>
#include <portd/poll/calendar.hpp>

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portd::poll {

using porting::milliseconds;
using porting::order_state;

// One observed stay: an order entered `state` and Telegent moved it on `dwell` later.
struct dwell_sample {
  order_state state{};
  std::string carrier;  // the losing carrier as the operator named it ("" for port-outs)
  milliseconds dwell{0};
  bool operator==(const dwell_sample&) const = default;
};

// What Telegent documents, as a survival curve: P(still in `state` after `business` of
// business time, business_calendar::elapsed). A port takes 1–5 business days (requests after
// 4 PM local start the next business day); a fresh submission or correction is often looked
// at within minutes of business time. Memoryless tails, so that an order that has outlived
// every sample still gets a sensible hazard.
double documented_survival(order_state state, milliseconds business);
// What is assumed before any stay is seen, for a stay `t` long of which `business` was
// business time: half the documented curve (on `business`), half a guess with no time scale on
// `t` (an order that has been in its state for t is as likely to move in the next t as not),
// so that a Telegent faster than documented, or working nights, is not left to the cadences.
double prior_survival(order_state state, milliseconds t, milliseconds business);

class dwell_stats {
 public:
  // `calendar`: the business days the prior counts in ([poll] time_zone).
  explicit dwell_stats(business_calendar calendar = {}) : calendar_(calendar) {}
  const business_calendar& calendar() const { return calendar_; }

  // The most recent stays kept per (state, carrier) and per state: learning follows a carrier
  // that gets slower instead of averaging over its whole history.
  static constexpr std::size_t keep = 256;
  // Stays a carrier needs before its own curve is used instead of its state's.
  static constexpr std::size_t per_carrier_min = 12;
  // How many samples' worth the prior counts for in the blend.
  static constexpr double prior_weight = 3;
  // How many of a carrier's own stays the state's curve counts for until it has per_carrier_min.
  static constexpr double carrier_prior_weight = 4;

  // Carriers are compared loosely (case and spaces ignored) and known by a small number, so
  // that scoring an order allocates nothing.
  using carrier_id = std::uint32_t;
  carrier_id intern(std::string_view carrier);

  // Adds a stay; samples must come oldest first.
  void add(const dwell_sample& s);
  // P(an order of `carrier` is still in `state` after `t`): the carrier's own curve once it
  // has per_carrier_min stays; before, its stays blended with the state's curve (which is
  // blended with the prior while it has fewer stays than that). Past the longest stay seen the curve goes on falling with the
  // stays' mean (an overdue order is expected to move soon, not never). In (0, 1].
  // `business`: the part of t that was business time, which the prior counts (hazard() takes
  // it from calendar()); without it, all of t was.
  double survival(order_state state, carrier_id carrier, milliseconds t, milliseconds business) const;
  double survival(order_state state, std::string_view carrier, milliseconds t, milliseconds business) const;
  double survival(order_state state, carrier_id carrier, milliseconds t) const { return survival(state, carrier, t, t); }
  double survival(order_state state, std::string_view carrier, milliseconds t) const { return survival(state, carrier, t, t); }
  // Stays known for (state, carrier); carrier "" for the state's total.
  std::size_t count(order_state state, std::string_view carrier = {}) const;
  std::size_t total() const { return total_; }

 private:
  struct series {
    std::deque<milliseconds> recent;  // arrival order, at most `keep`
    std::vector<milliseconds> sorted;
    double sum_ms = 0;
    void add(milliseconds d);
    // P(a stay lasts longer than t): the share of stays longer than t, falling linearly from
    // one stay seen to the next (so never flat between them), plus one that lasts at least as
    // long as the longest and then ends at the stays' mean rate.
    double above(milliseconds t) const;
  };
  const series* learned(order_state state, carrier_id carrier) const;
  // Whether survival() of (state, carrier) reads the prior: until the state or the carrier
  // has per_carrier_min stays. Only then is the business time worth working out (a time-zone
  // look-up per end of the stay).
  bool leans_on_prior(order_state state, carrier_id carrier) const;
  friend double hazard(const dwell_stats&, order_state, carrier_id, porting::time_point, porting::time_point,
                       porting::time_point);
  static std::string key(std::string_view carrier);
  std::optional<carrier_id> find(std::string_view carrier) const;
  static std::uint64_t slot(order_state s, carrier_id c) { return (std::uint64_t{static_cast<std::uint8_t>(s)} << 32) | c; }
  std::map<order_state, series> by_state_;
  std::unordered_map<std::uint64_t, series> by_carrier_;  // slot(state, carrier)
  std::unordered_map<std::string, carrier_id> carriers_;
  std::size_t total_ = 0;
  business_calendar calendar_;
};

// The hazard: P(the order moved in (since, now] | it had not moved by `since`), for an order
// that entered `state` at `entered`. `since` before `entered` counts from `entered`. The prior
// counts business time in stats.calendar(); the learned curves, calendar time.
double hazard(const dwell_stats& stats, order_state state, dwell_stats::carrier_id carrier, porting::time_point entered,
              porting::time_point since, porting::time_point now);

}  // namespace portd::poll
