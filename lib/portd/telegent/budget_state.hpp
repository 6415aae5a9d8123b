// The request budget as a pure state machine: a token bucket, three FIFO priority queues and a
// global pause. It reads no clock: every call takes `now`. budget (budget.cpp) drives it with
// one timer.
#pragma once
#include <portd/porting/types.hpp>
#include <portd/telegent/budget.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <string_view>

namespace portd::telegent {

class budget_state {
 public:
  using ticket = std::uint64_t;

  // What the driver should do next.
  struct action {
    enum class kind : std::uint8_t {
      grant,  // let `who` send one request now (its token is already taken)
      wait,   // nobody may go before `until`: arm the timer
      idle,   // nobody is waiting
    };
    kind what = kind::idle;
    ticket who = 0;
    porting::time_point until{};
  };

  // The bucket starts with one token, not a full burst, so a restart never bursts.
  budget_state(budget_config cfg, porting::time_point now);

  // Queues a request of class `p`; it is served by a later next().
  ticket enqueue(priority p);
  // Removes a queued request (its caller gave up). False if it is not queued.
  bool remove(ticket t);
  // Guarded resends first, then commands, then polls, FIFO within a class; takes a token for
  // a grant.
  action next(porting::time_point now);

  // No request leaves before `until` (a 429). A later pause extends, an earlier one is ignored.
  // When the pause ends the bucket holds at most one token: traffic resumes at the normal rate.
  void pause_until(porting::time_point until);
  std::optional<porting::time_point> paused_until(porting::time_point now) const;

  // Whole tokens available at `now` (for tests and stats; does not change the state).
  double tokens_at(porting::time_point now) const;
  std::size_t waiting() const { return guarded_.size() + commands_.size() + polls_.size(); }
  const budget_config& config() const { return cfg_; }
  bool unlimited() const { return cfg_.requests_per_minute <= 0; }

 private:
  void refill(porting::time_point now);
  double capacity() const;

  budget_config cfg_;
  double tokens_ = 1;
  porting::time_point last_;  // tokens_ is as of this instant
  std::optional<porting::time_point> pause_;
  std::deque<ticket> guarded_, commands_, polls_;
  ticket next_ticket_ = 1;
};

std::string_view to_string(budget_state::action::kind);
std::ostream& operator<<(std::ostream&, budget_state::action::kind);

}  // namespace portd::telegent
