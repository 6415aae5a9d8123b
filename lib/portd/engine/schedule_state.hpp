// The scheduler as pure state: when each waiting order is due, which go first (resends under
// Telegent's duplicate guard), how many poll slots are taken, and how late due orders were
// handed out. It reads no clock: every call that needs the time takes `now`. The engine's
// scheduler driver (scheduler.cpp) owns the one timer and asks this what to do.
#pragma once
#include <portd/porting/types.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace portd::engine {

// The seam for a planner that spends budget the due orders leave over (issue 18). The
// scheduler asks it only when a poll slot is free and no order is due.
class spare_poller {
 public:
  virtual ~spare_poller() = default;
  // An active order worth a check now, beyond its cadence (it must have no call out); nullopt
  // when none is.
  virtual std::optional<std::int64_t> pick(porting::time_point now) = 0;
  // The earliest time pick() may return an order, so that the timer wakes then; nullopt when
  // nothing will until something changes (an order scheduled, a call ended).
  virtual std::optional<porting::time_point> next_at(porting::time_point now) = 0;
};

class schedule_state {
 public:
  struct due_entry {
    porting::time_point at;
    std::int64_t id = 0;
    bool guarded = false;
    bool operator>(const due_entry& o) const { return at != o.at ? at > o.at : id > o.id; }
  };

  // `poll_slots`: polls handed to the client at once; the rest wait here, earliest first.
  explicit schedule_state(int poll_slots) : poll_slots_(poll_slots) {}

  // Order `id` is next due at `at` (replacing any earlier time). A guarded resend is taken
  // when due whatever the poll slots.
  void schedule(std::int64_t id, porting::time_point at, bool guarded = false);
  // Order `id` waits for nothing here any more (finished, or its call is starting).
  void forget(std::int64_t id) { due_.erase(id); }
  bool contains(std::int64_t id) const { return due_.contains(id); }
  std::optional<porting::time_point> due_at(std::int64_t id) const;
  std::size_t waiting() const { return due_.size(); }

  // The next order to hand out at `now`, taken off the schedule: a due guarded resend first,
  // then the earliest due order if a poll slot is free; nullopt when none may go now. Its
  // lateness is counted.
  std::optional<due_entry> take(porting::time_point now);
  // When the driver's timer should fire next; nullopt: no timer (nothing waits, or what is due
  // waits for a poll slot, which a freed slot dispatches). Asks `spare` when slots are free.
  std::optional<porting::time_point> wake_at(porting::time_point now, spare_poller* spare = nullptr);

  // Poll slots: a poll is reserved when decided (its commit may still be open), launched when
  // handed to the client (or dropped, if it no longer applies), and done when it ends.
  bool slot_free() const { return polls_out_ + polls_reserved_ < poll_slots_; }
  void reserve_poll() { ++polls_reserved_; }
  void poll_launched(bool went);
  void poll_done() { if (polls_out_ > 0) --polls_out_; }
  // A group that failed to commit takes its decided polls with it.
  void drop_reservations() { polls_reserved_ = 0; }
  int polls_out() const { return polls_out_; }
  int slots_taken() const { return polls_out_ + polls_reserved_; }

  // How late due orders were handed out (seconds past their due time), as a histogram.
  static constexpr std::array<double, 7> lateness_bounds{0.1, 1, 10, 60, 600, 3600, 21600};
  struct lateness {
    std::array<std::uint64_t, 7> buckets{};  // cumulative: at most bounds[i]
    std::uint64_t count = 0;
    double sum = 0;
  };
  const lateness& late() const { return late_; }

 private:
  using heap = std::priority_queue<due_entry, std::vector<due_entry>, std::greater<>>;
  // Pops stale entries (their order has another time, or none); the valid top or nullptr.
  const due_entry* top(heap& h);
  void count_lateness(const due_entry& e, porting::time_point now);

  int poll_slots_;
  int polls_out_ = 0;
  int polls_reserved_ = 0;
  // due_ holds the authoritative time per order; heap entries that disagree with it are stale.
  std::unordered_map<std::int64_t, porting::time_point> due_;
  heap plain_;
  // Submissions resent under the duplicate guard: the guard protects only while the first
  // attempt's order is active, so these go first in the command queue and in the budget.
  heap guarded_;
  lateness late_;
};

}  // namespace portd::engine
