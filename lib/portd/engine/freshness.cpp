// Keeps the planner in step with the engine; see freshness.hpp.
#include <portd/engine/freshness.hpp>
#include <portd/store/dwell.hpp>

#include <spdlog/spdlog.h>

namespace portd::engine {

freshness::freshness(porting::poll_policy p, double requests_per_minute, porting::time_point now,
                     std::function<bool()> budget_idle, std::function<bool(std::int64_t)> waiting)
    : planner_(p, requests_per_minute, now), budget_idle_(std::move(budget_idle)), waiting_(std::move(waiting)) {}

void freshness::load(store::repository& repo) {
  if (!enabled()) return;
  for (const auto& s : store::load_dwell_samples(repo)) planner_.learn(s);
  const std::size_t orders = store::for_each_polled_order(
      repo, [&](const porting::order& o) { planner_.track(o, poll::last_check_estimate(o, planner_.policy())); });
  spdlog::info("freshness: {} stays learned from the history, {} polled orders planned; spare checks use up to {:.0f}% "
               "of the budget, one order at most every {} ms; business days counted in {}",
               planner_.stats().total(), orders, planner_.policy().spare_share * 100,
               planner_.policy().min_interval.count(), planner_.stats().calendar().zone());
}

void freshness::decided(const porting::order& cur, const porting::order& next, const porting::input& in,
                        const std::vector<porting::event_record>& events, porting::time_point now) {
  const auto* result = std::get_if<porting::api_result>(&in);
  const bool answered = result && result->call == porting::call_kind::status && result->outcome == porting::call_outcome::ok;
  // A stay Telegent ended — a new state, or a new status within the state — as
  // store::load_dwell_samples reads it back at the next start.
  bool moved = false;
  for (const auto& e : events)
    if ((e.type == porting::event_type::state_changed || e.type == porting::event_type::remote_status_changed) &&
        e.actor == "telegent" && e.from_state == cur.state && porting::is_polled(cur.state)) {
      moved = true;
      if (enabled()) planner_.learn({cur.state, cur.details.carrier, now - planner_.stay_since(cur.id).value_or(cur.state_since)});
      break;
    }
  if (cur.state != next.state || moved) {
    if (answered) {
      if (auto late = planner_.detected(cur.id, now)) detection_.observe(std::chrono::duration<double>(*late).count());
    }
  }
  if (!enabled()) return;
  // Moved, or just answered: known as of now. Otherwise the last check stands.
  planner_.track(next, cur.state != next.state || answered ? now : next.state_since,
                 moved ? std::optional{now} : std::nullopt);
}

void freshness::polling(std::int64_t id, porting::time_point now) {
  ++checks_;
  planner_.checked(id, now);
}

void freshness::describe(porting::order& o, porting::time_point now) const {
  if (!o.active() || !o.next_check_at || !porting::is_polled(o.state)) return;
  o.next_check_reason = std::string(poll::to_string(poll::why_due(o, *o.next_check_at, planner_.policy())));
  if (enabled()) o.expected_news = planner_.expected_news(o.id, now);
}

std::optional<std::int64_t> freshness::pick(porting::time_point now) {
  if (!budget_idle_()) return std::nullopt;  // a call ending asks again
  auto p = planner_.next(now, waiting_);
  if (p.id) ++spare_checks_;
  return p.id;
}

std::optional<porting::time_point> freshness::next_at(porting::time_point now) {
  if (!budget_idle_()) return std::nullopt;  // no timer: a call ending asks again
  return planner_.next_at(now);
}

void freshness::metrics(service::daemon_metrics& m) const {
  m.poll_checks_spare = spare_checks_;
  m.poll_checks_cadence = checks_ - std::min(checks_, spare_checks_);
  m.detection_latency_seconds = detection_;
}

}  // namespace portd::engine
