// The engine's side of issue 18's planner (lib/portd/poll): keeps poll::planner up to date
// from the engine's decisions and poll launches, answers the scheduler's spare_poller seam
// (only while the budget has nobody waiting and only orders waiting on the schedule), and
// counts what the metrics show (spare checks, detection-latency estimate).
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/order.hpp>
#include <portd/engine/schedule_state.hpp>
#include <portd/poll/planner.hpp>
#include <portd/service/status.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <functional>
#include <optional>

namespace portd::engine {

class freshness final : public spare_poller {
 public:
  // `budget_idle`: no request waits for the budget (spare checks come last, behind anything).
  // `waiting`: the order waits on the schedule (no call out, not finished).
  freshness(porting::poll_policy p, double requests_per_minute, porting::time_point now, std::function<bool()> budget_idle,
            std::function<bool(std::int64_t)> waiting);

  bool enabled() const { return planner_.enabled(); }
  // At start: dwell samples from the history and the polled orders. Throws store_error.
  void load(store::repository& repo);
  // decide() took `cur` to `next` on `in` at `now` (before the commit: a group that fails is
  // retried, and one stay learned twice changes nothing that matters).
  void decided(const porting::order& cur, const porting::order& next, const porting::input& in,
               const std::vector<porting::event_record>& events, porting::time_point now);
  // A status request for `id` is leaving (a cadence's, a spare pick's or an operator's).
  void polling(std::int64_t id, porting::time_point now);

  // order.get: why the next check comes when it does, and P(news since the last check).
  void describe(porting::order& o, porting::time_point now) const;

  // ---- spare_poller ----
  std::optional<std::int64_t> pick(porting::time_point now) override;
  std::optional<porting::time_point> next_at(porting::time_point now) override;

  // Checks by class and the detection-latency estimate, into the daemon's metrics.
  void metrics(service::daemon_metrics& m) const;

 private:
  poll::planner planner_;
  std::function<bool()> budget_idle_;
  std::function<bool(std::int64_t)> waiting_;
  std::uint64_t spare_checks_ = 0, checks_ = 0;
  runtime::histogram detection_{service::daemon_metrics::detection_bounds};
};

}  // namespace portd::engine
