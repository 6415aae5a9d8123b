// The token bucket and queues of budget_state (see budget_state.hpp).
#include <portd/telegent/budget_state.hpp>

#include <algorithm>
#include <cmath>

namespace portd::telegent {

std::string_view to_string(priority p) {
  switch (p) {
    case priority::guarded: return "guarded";
    case priority::command: return "command";
    case priority::poll: return "poll";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, priority p) { return os << to_string(p); }

std::string_view to_string(budget_state::action::kind k) {
  switch (k) {
    case budget_state::action::kind::grant: return "grant";
    case budget_state::action::kind::wait: return "wait";
    case budget_state::action::kind::idle: return "idle";
  }
  return "?";
}
std::ostream& operator<<(std::ostream& os, budget_state::action::kind k) {
  return os << to_string(k);
}

namespace {
// Floating-point slack so that a wait computed with ceil() always ends with a whole token.
constexpr double epsilon = 1e-9;
}  // namespace

budget_state::budget_state(budget_config cfg, porting::time_point now) : cfg_(cfg), last_(now) {
  if (cfg_.burst < 1) cfg_.burst = 1;
}

double budget_state::capacity() const { return static_cast<double>(cfg_.burst); }

budget_state::ticket budget_state::enqueue(priority p) {
  const ticket t = next_ticket_++;
  (p == priority::guarded ? guarded_ : p == priority::command ? commands_ : polls_).push_back(t);
  return t;
}

bool budget_state::remove(ticket t) {
  for (auto* q : {&guarded_, &commands_, &polls_}) {
    auto it = std::find(q->begin(), q->end(), t);
    if (it != q->end()) {
      q->erase(it);
      return true;
    }
  }
  return false;
}

void budget_state::pause_until(porting::time_point until) {
  if (!pause_ || until > *pause_) pause_ = until;
}

std::optional<porting::time_point> budget_state::paused_until(porting::time_point now) const {
  if (pause_ && now < *pause_) return pause_;
  return std::nullopt;
}

void budget_state::refill(porting::time_point now) {
  if (unlimited()) return;
  const double per_ms = cfg_.requests_per_minute / 60000.0;
  if (pause_) {
    if (now < *pause_) return;  // nothing is granted while paused; the cap below applies
    // What accrued before and during the pause is cut to one token: no burst after it.
    if (*pause_ > last_) {
      tokens_ += static_cast<double>((*pause_ - last_).count()) * per_ms;
      last_ = *pause_;
    }
    tokens_ = std::min(tokens_, 1.0);
    pause_.reset();
  }
  if (now > last_) {
    tokens_ = std::min(capacity(), tokens_ + static_cast<double>((now - last_).count()) * per_ms);
    last_ = now;
  }
}

double budget_state::tokens_at(porting::time_point now) const {
  budget_state copy = *this;
  copy.refill(now);
  return copy.unlimited() ? copy.capacity() : copy.tokens_;
}

budget_state::action budget_state::next(porting::time_point now) {
  if (waiting() == 0) return {};
  if (pause_ && now < *pause_) return {action::kind::wait, 0, *pause_};
  refill(now);
  if (!unlimited() && tokens_ < 1.0 - epsilon) {
    const double per_ms = cfg_.requests_per_minute / 60000.0;
    const auto wait_ms = static_cast<std::int64_t>(std::ceil((1.0 - tokens_) / per_ms));
    return {action::kind::wait, 0, now + porting::milliseconds{std::max<std::int64_t>(wait_ms, 1)}};
  }
  if (!unlimited()) tokens_ = std::max(0.0, tokens_ - 1.0);
  auto& q = !guarded_.empty() ? guarded_ : !commands_.empty() ? commands_ : polls_;
  const ticket t = q.front();
  q.pop_front();
  return {action::kind::grant, t, {}};
}

}  // namespace portd::telegent
