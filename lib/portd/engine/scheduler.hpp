// The scheduler's driver: owns the one timer and hands due orders to the engine, in the order
// schedule_state says (guarded resends, then polls within their slots, then a spare poller's
// picks). All the bookkeeping is in schedule_state; this only arms the timer and loops.
#pragma once
#include <portd/engine/schedule_state.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>

#include <cstdint>
#include <functional>
#include <optional>

namespace portd::engine {

// The engine's time source: porting::now_ms in the daemon, a hand-moved clock in tests.
using now_fn = std::function<porting::time_point()>;

class scheduler {
 public:
  // Hands one order to the engine: due (or picked by the spare poller) at `now`.
  using take_fn = std::function<void(const schedule_state::due_entry&, porting::time_point now)>;

  scheduler(boost::asio::io_context& ioc, int poll_slots, now_fn now, take_fn take);

  schedule_state& state() { return state_; }
  const schedule_state& state() const { return state_; }
  // Order `id` is next due at `at`; the timer moves earlier if it must.
  void schedule(std::int64_t id, porting::time_point at, bool guarded = false);
  // Hands out everything that may go now, then re-arms the timer. Called by the timer, after
  // a call ends or a group commits (a slot may be free), and by tests that moved the clock.
  void run_due();
  // Issue 18's planner for spare budget; nullptr: cadences only.
  void set_spare_poller(spare_poller* p) { spare_ = p; }
  // No more hand-outs; the timer is cancelled.
  void stop();
  std::uint64_t wakeups() const { return wakeups_; }

 private:
  void arm();

  schedule_state state_;
  now_fn now_;
  take_fn take_;
  spare_poller* spare_ = nullptr;
  boost::asio::system_timer timer_;
  std::optional<porting::time_point> timer_at_;
  bool stopped_ = false;
  std::uint64_t wakeups_ = 0;  // the timer fired (a busy loop shows here)
};

}  // namespace portd::engine
