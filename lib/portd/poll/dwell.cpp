// Learned dwell times and the hazard built on them.
#include <portd/poll/dwell.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace portd::poll {

namespace {

using namespace std::chrono_literals;

double exp_survival(milliseconds t, milliseconds mean) {
  return std::exp(-static_cast<double>(t.count()) / static_cast<double>(mean.count()));
}

}  // namespace

double prior_survival(order_state state, milliseconds t, milliseconds business) {
  if (t.count() <= 0) return 1;
  // Half the weight on a guess with no scale: an order is as likely to move soon as the time
  // it has already spent in the state suggests (P(still there) = 1 min / (1 min + t)). Alone,
  // the documented days left a state with no stay seen yet to its cadence wherever Telegent
  // moves faster than documented (bench freshness, 30 orders: the first stays in scheduled
  // waited 5-7 min for a check against round-robin's 0.5).
  const double unscaled = 1.0 / (1.0 + static_cast<double>(t.count()) / 60'000.0);
  return 0.5 * documented_survival(state, business) + 0.5 * unscaled;
}

double documented_survival(order_state state, milliseconds business) {
  if (business.count() <= 0) return 1;
  // The means are those of the calendar-time prior before (2, 2, 3, 7 and 1 days) in business
  // days, seven calendar days holding five business days.
  constexpr milliseconds day = business_calendar::day;
  switch (state) {
    case order_state::submitted:
      // A third move within minutes (Telegent's own Pending → Submitted, a correction looked at
      // again); the rest on the carrier's 1–5 business days.
      return 0.35 * exp_survival(business, 10min) + 0.65 * exp_survival(business, day * 10 / 7);
    case order_state::carrier_approval: return exp_survival(business, day * 10 / 7);
    case order_state::scheduled: return exp_survival(business, day * 15 / 7);  // until the port date, if none is known
    case order_state::rejected: return exp_survival(business, day * 5);        // moves when an operator corrects it
    default: return exp_survival(business, day * 5 / 7);
  }
}

void dwell_stats::series::add(milliseconds d) {
  if (recent.size() == keep) {
    const milliseconds old = recent.front();
    recent.pop_front();
    sorted.erase(std::lower_bound(sorted.begin(), sorted.end(), old));
    sum_ms -= static_cast<double>(old.count());
  }
  recent.push_back(d);
  sorted.insert(std::upper_bound(sorted.begin(), sorted.end(), d), d);
  sum_ms += static_cast<double>(d.count());
}

double dwell_stats::series::above(milliseconds t) const {
  if (sorted.empty()) return 1;
  const double n = static_cast<double>(sorted.size());
  const auto upto = std::upper_bound(sorted.begin(), sorted.end(), t);  // the stays no longer than t
  const auto ended = static_cast<double>(upto - sorted.begin());
  if (upto == sorted.end()) {
    const double mean = std::max(sum_ms / n, 1.0);
    return std::exp(-static_cast<double>((t - sorted.back()).count()) / mean) / (n + 1);
  }
  // Between two stays seen the curve falls linearly, not in a step at each: a step left an
  // order whose age lay between two samples a hazard of exactly 0, and no spare check, for
  // minutes (bench freshness, 30 orders: p95 5.8 min against round-robin's 0.5).
  const milliseconds from = upto == sorted.begin() ? milliseconds{0} : *(upto - 1);
  const double part = static_cast<double>((t - from).count()) / static_cast<double>(std::max(*upto - from, milliseconds{1}).count());
  return 1 - (ended + part) / (n + 1);
}

const dwell_stats::series* dwell_stats::learned(order_state state, carrier_id carrier) const {
  if (auto it = by_carrier_.find(slot(state, carrier)); it != by_carrier_.end() && it->second.sorted.size() >= per_carrier_min)
    return &it->second;
  if (auto st = by_state_.find(state); st != by_state_.end()) return &st->second;
  return nullptr;
}

std::string dwell_stats::key(std::string_view carrier) {
  std::string k;
  for (char c : carrier)
    if (!std::isspace(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

dwell_stats::carrier_id dwell_stats::intern(std::string_view carrier) {
  auto [it, added] = carriers_.try_emplace(key(carrier), static_cast<carrier_id>(carriers_.size()));
  return it->second;
}

std::optional<dwell_stats::carrier_id> dwell_stats::find(std::string_view carrier) const {
  auto it = carriers_.find(key(carrier));
  if (it == carriers_.end()) return std::nullopt;
  return it->second;
}

void dwell_stats::add(const dwell_sample& s) {
  if (s.dwell.count() < 0) return;
  by_state_[s.state].add(s.dwell);
  by_carrier_[slot(s.state, intern(s.carrier))].add(s.dwell);
  ++total_;
}

std::size_t dwell_stats::count(order_state state, std::string_view carrier) const {
  if (carrier.empty()) {
    auto it = by_state_.find(state);
    return it == by_state_.end() ? 0 : it->second.sorted.size();
  }
  auto id = find(carrier);
  if (!id) return 0;
  auto it = by_carrier_.find(slot(state, *id));
  return it == by_carrier_.end() ? 0 : it->second.sorted.size();
}

double dwell_stats::survival(order_state state, std::string_view carrier, milliseconds t, milliseconds business) const {
  // A carrier never seen has no stays of its own: any unused id gives the state's curve.
  return survival(state, find(carrier).value_or(static_cast<carrier_id>(carriers_.size())), t, business);
}

double dwell_stats::survival(order_state state, carrier_id carrier, milliseconds t, milliseconds business) const {
  // The state's curve, leaning on the prior while it has few stays.
  double curve = prior_survival(state, t, business);
  if (auto st = by_state_.find(state); st != by_state_.end() && !st->second.sorted.empty()) {
    const double n = static_cast<double>(st->second.sorted.size());
    curve = n >= per_carrier_min ? st->second.above(t) : (n * st->second.above(t) + prior_weight * curve) / (n + prior_weight);
  }
  // The carrier's own stays, from the first, each worth as much as a fourth of the state's
  // curve: carriers that differ (AT&T twice as fast as T-Mobile) are told apart well before
  // a dozen stays each, which 30 orders over three carriers never reached.
  auto own = by_carrier_.find(slot(state, carrier));
  if (own == by_carrier_.end() || own->second.sorted.empty()) return curve;
  const double n = static_cast<double>(own->second.sorted.size());
  if (n >= per_carrier_min) return own->second.above(t);
  return (n * own->second.above(t) + carrier_prior_weight * curve) / (n + carrier_prior_weight);
}

bool dwell_stats::leans_on_prior(order_state state, carrier_id carrier) const {
  const auto st = by_state_.find(state);
  if (st != by_state_.end() && st->second.sorted.size() >= per_carrier_min) return false;
  const auto own = by_carrier_.find(slot(state, carrier));
  return own == by_carrier_.end() || own->second.sorted.size() < per_carrier_min;
}

double hazard(const dwell_stats& stats, order_state state, dwell_stats::carrier_id carrier, porting::time_point entered,
              porting::time_point since, porting::time_point now) {
  if (now <= since) return 0;
  const milliseconds a = std::max(since - entered, milliseconds{0});
  const milliseconds b = std::max(now - entered, milliseconds{0});
  if (b <= a) return 0;
  // The prior counts business time; a learned curve ignores it, so it is worked out only for
  // the prior.
  const bool prior = stats.leans_on_prior(state, carrier);
  const milliseconds business_a = prior ? stats.calendar().elapsed(entered, entered + a) : a;
  const milliseconds business_b = prior ? stats.calendar().elapsed(entered, entered + b) : b;
  const double sa = stats.survival(state, carrier, a, business_a);
  const double sb = stats.survival(state, carrier, b, business_b);
  if (sa <= 1e-12) {
    // Far past every stay seen: the tail's rate (the stays' mean), or the prior's.
    if (const auto* l = stats.learned(state, carrier); l && !l->sorted.empty())
      return 1 - std::exp(-static_cast<double>((b - a).count()) /
                          std::max(l->sum_ms / static_cast<double>(l->sorted.size()), 1.0));
    return 1 - prior_survival(state, b - a, business_b - business_a);
  }
  return std::clamp((sa - sb) / sa, 0.0, 1.0);
}

}  // namespace portd::poll
