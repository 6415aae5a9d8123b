// The spare-budget planner: hazard scores, the spare share's token, min_interval.
#include <portd/poll/planner.hpp>

#include <algorithm>
#include <cmath>

namespace portd::poll {

std::string_view to_string(check_reason r) {
  switch (r) {
    case check_reason::cadence: return "cadence";
    case check_reason::port_date: return "port_date";
    case check_reason::after_submit: return "after_submit";
    case check_reason::expected_news: return "expected_news";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, check_reason r) { return os << to_string(r); }

check_reason why_due(const porting::order& o, time_point due, const porting::poll_policy& p) {
  if (o.state == order_state::submitted && p.first_after_submit < p.submitted &&
      due <= o.state_since + p.first_after_submit)
    return check_reason::after_submit;
  if (o.state == order_state::rejected || o.state == order_state::cancelling) return check_reason::cadence;
  const milliseconds cadence = o.state == order_state::submitted          ? p.submitted
                               : o.state == order_state::carrier_approval ? p.carrier_approval
                                                                          : p.scheduled;
  // next_poll_at() pulls a check to the date's start, and from then on polls at near_port_date.
  if (auto start = porting::port_date_start(o, p); start && (due == *start || (due > *start && p.near_port_date < cadence)))
    return check_reason::port_date;
  return check_reason::cadence;
}

time_point last_check_estimate(const porting::order& o, const porting::poll_policy& p) {
  if (!o.next_check_at) return o.state_since;
  const milliseconds cadence = o.state == order_state::submitted          ? p.submitted
                               : o.state == order_state::carrier_approval ? p.carrier_approval
                               : o.state == order_state::scheduled        ? p.scheduled
                                                                          : p.rejected;
  return std::max(o.state_since, *o.next_check_at - cadence);
}

planner::planner(porting::poll_policy p, double requests_per_minute, time_point now)
    : policy_(p), stats_(business_calendar::find(p.time_zone).value_or(business_calendar{})), last_refill_(now) {
  if (requests_per_minute > 0 && p.spare_share > 0) rate_per_ms_ = requests_per_minute * p.spare_share / 60000.0;
}

planner::tracked* planner::find(std::int64_t id) {
  auto it = at_.find(id);
  return it == at_.end() ? nullptr : &orders_[it->second];
}

const planner::tracked* planner::find(std::int64_t id) const {
  auto it = at_.find(id);
  return it == at_.end() ? nullptr : &orders_[it->second];
}

void planner::forget(std::int64_t id) {
  auto it = at_.find(id);
  if (it == at_.end()) return;
  const std::size_t i = it->second;
  at_.erase(it);
  if (i + 1 != orders_.size()) {
    orders_[i] = std::move(orders_.back());
    at_[orders_[i].id] = i;
  }
  orders_.pop_back();
  idle_known_ = false;
}

std::optional<time_point> planner::stay_since(std::int64_t id) const {
  const tracked* t = find(id);
  if (!t) return std::nullopt;
  return t->entered;
}

void planner::track(const porting::order& o, time_point last_check, std::optional<time_point> moved_at) {
  if (!o.active() || !porting::is_polled(o.state)) {
    forget(o.id);
    return;
  }
  tracked* t = find(o.id);
  if (!t) {
    at_.emplace(o.id, orders_.size());
    t = &orders_.emplace_back();
    t->id = o.id;
    t->previous_check = t->last_check = last_check;
  } else if (last_check > t->last_check) {
    t->previous_check = t->last_check = last_check;
  }
  if (t->state != o.state || t->entered < o.state_since) t->entered = o.state_since;
  if (moved_at && *moved_at > t->entered) t->entered = *moved_at;
  t->state = o.state;
  t->carrier = stats_.intern(o.details.carrier);
  t->port_date = porting::port_date_start(o, policy_);
  idle_known_ = false;
}

void planner::mark(tracked& t, time_point at) {
  if (at <= t.last_check) return;
  t.previous_check = t.last_check;
  t.last_check = at;
  idle_known_ = false;
}

void planner::checked(std::int64_t id, time_point at) {
  if (tracked* t = find(id)) mark(*t, at);
}

std::optional<milliseconds> planner::detected(std::int64_t id, time_point now) const {
  const tracked* t = find(id);
  if (!t) return std::nullopt;
  // The move fell somewhere in (previous check, last check]: half that window on average,
  // plus the time the last check took to come back.
  const time_point from = std::max(t->previous_check, t->entered);
  const milliseconds window = std::max(t->last_check - from, milliseconds{0});
  return window / 2 + std::max(now - t->last_check, milliseconds{0});
}

double planner::news(const tracked& t, time_point now) const {
  if (t.port_date && t.state == order_state::scheduled) {
    if (now < *t.port_date) return 0;  // nothing moves a scheduled port before its date
    // From the date's start the stay counts as if it began then.
    return hazard(stats_, t.state, t.carrier, std::max(t.entered, *t.port_date), t.last_check, now);
  }
  return hazard(stats_, t.state, t.carrier, t.entered, t.last_check, now);
}

double planner::score(const tracked& t, time_point now) const {
  // The latency a check now takes back: the integral over (last check, now] of P(moved by
  // then), by Simpson's rule (P is 0 at the last check). Ranking by P alone checks an order at
  // a rate that follows its hazard, so orders at their likeliest soak up the spare budget and
  // a flip elsewhere waits; ranking by the latency gathered checks at a rate that follows its
  // square root (the least mean detection latency for a given number of checks), and an order
  // left alone gathers latency ever faster until it is checked.
  if (now <= t.last_check) return 0;
  const time_point mid = t.last_check + (now - t.last_check) / 2;
  return static_cast<double>((now - t.last_check).count()) * (4 * news(t, mid) + news(t, now)) / 6;
}

double planner::expected_news(std::int64_t id, time_point now) const {
  const tracked* t = find(id);
  return t ? news(*t, now) : 0;
}

milliseconds planner::min_interval() const {
  // A quarter of a round-robin's turn over the spare budget: with few orders active the
  // budget goes to the likeliest, up to four times their even share; [poll] min_interval is
  // the most it waits (a 10 s floor with 30 orders at 300/min lost to round-robin's 6 s turn).
  const double turn_ms = static_cast<double>(orders_.size()) / rate_per_ms_;
  return std::min(policy_.min_interval, milliseconds{static_cast<milliseconds::rep>(turn_ms / 4)});
}

void planner::refill(time_point now) {
  if (now > last_refill_) {
    tokens_ = std::min(spare_burst, tokens_ + static_cast<double>((now - last_refill_).count()) * rate_per_ms_);
    last_refill_ = now;
  }
}

std::optional<time_point> planner::next_at(time_point now) {
  if (!enabled() || orders_.empty()) return std::nullopt;
  refill(now);
  if (tokens_ < 1) {
    const auto wait = static_cast<milliseconds::rep>(std::ceil((1 - tokens_) / rate_per_ms_));
    return now + milliseconds{std::max<milliseconds::rep>(wait, 1)};
  }
  if (idle_known_) return idle_until_ ? std::optional{std::max(*idle_until_, now)} : std::nullopt;
  return now;
}

planner::pick planner::next(time_point now, const std::function<bool(std::int64_t)>& may) {
  if (!enabled() || orders_.empty()) return {};
  refill(now);
  if (tokens_ < 1) {
    const auto wait = static_cast<milliseconds::rep>(std::ceil((1 - tokens_) / rate_per_ms_));
    return {std::nullopt, now + milliseconds{std::max<milliseconds::rep>(wait, 1)}};
  }
  const std::size_t n = orders_.size();
  std::optional<std::size_t> best;
  double best_score = 0;
  std::optional<time_point> soonest;  // when the next order comes out of min_interval
  // Slices of scan_limit from the cursor, until one holds an order worth a check or every
  // order has been looked at (only then is "nothing to do" known).
  std::size_t looked = 0;
  const milliseconds gap = min_interval();
  if (cursor_ >= n) cursor_ = 0;
  while (looked < n) {
    const std::size_t slice = std::min(scan_limit, n - looked);
    for (std::size_t k = 0; k < slice; ++k) {
      const tracked& t = orders_[(cursor_ + looked + k) % n];
      const time_point free_at = t.last_check + gap;
      if (free_at > now) {
        if (!soonest || free_at < *soonest) soonest = free_at;
        continue;
      }
      if (may && !may(t.id)) continue;
      const double s = score(t, now);
      if (s > best_score || (s > 0 && s == best_score && best && t.id < orders_[*best].id)) {
        best_score = s;
        best = (cursor_ + looked + k) % n;
      }
    }
    looked += slice;
    if (best) break;
  }
  if (best) {
    cursor_ = (cursor_ + looked) % n;
    tokens_ -= 1;
    mark(orders_[*best], now);
    return {orders_[*best].id, std::nullopt};
  }
  // Nobody worth a check now: the next chance is when an order leaves min_interval, or when a
  // port date starts (scores of 0 rise only then).
  for (const tracked& t : orders_)
    if (t.port_date && t.state == order_state::scheduled && *t.port_date > now && (!soonest || *t.port_date < *soonest))
      soonest = *t.port_date;
  // Orders `may` refused come back when their call ends (checked() or track() then).
  idle_known_ = true;
  idle_until_ = soonest;
  return {std::nullopt, soonest};
}

}  // namespace portd::poll
