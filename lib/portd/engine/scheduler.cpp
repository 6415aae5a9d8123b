// The scheduler's timer driver; see scheduler.hpp.
#include <portd/engine/scheduler.hpp>

namespace portd::engine {

scheduler::scheduler(boost::asio::io_context& ioc, int poll_slots, now_fn now, take_fn take)
    : state_(poll_slots), now_(std::move(now)), take_(std::move(take)), timer_(ioc) {}

void scheduler::schedule(std::int64_t id, porting::time_point at, bool guarded) {
  state_.schedule(id, at, guarded);
  if (!timer_at_ || at < *timer_at_) arm();
}

void scheduler::run_due() {
  if (stopped_) return;
  const auto now = now_();
  while (auto e = state_.take(now)) take_(*e, now);
  // Budget the due orders leave over: a planner's picks, while poll slots are free. A pick
  // that takes no slot (the order had nothing to poll) ends the round.
  while (spare_ && state_.slot_free()) {
    auto id = spare_->pick(now);
    if (!id) break;
    const int taken = state_.slots_taken();
    state_.forget(*id);
    take_({now, *id, false}, now);
    if (state_.slots_taken() == taken) break;
  }
  arm();
}

void scheduler::arm() {
  if (stopped_) return;
  // Re-arming costs a system call (and in a VM a trip to the hypervisor), so the timer only
  // ever moves earlier: one armed for sooner fires, finds nothing due and re-arms.
  const auto at = state_.wake_at(now_(), spare_);
  if (!at) {
    if (state_.waiting() == 0 && timer_at_) {
      timer_at_.reset();
      timer_.cancel();
    }
    return;
  }
  if (timer_at_ && *timer_at_ <= *at) return;
  timer_at_ = *at;
  timer_.expires_at(*at);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    timer_at_.reset();
    ++wakeups_;
    run_due();
  });
}

void scheduler::stop() {
  stopped_ = true;
  timer_at_.reset();
  timer_.cancel();
}

}  // namespace portd::engine
