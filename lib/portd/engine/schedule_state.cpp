// The scheduler's pure state; see schedule_state.hpp.
#include <portd/engine/schedule_state.hpp>

namespace portd::engine {

void schedule_state::schedule(std::int64_t id, porting::time_point at, bool guarded) {
  due_[id] = at;
  (guarded ? guarded_ : plain_).push({at, id, guarded});
}

std::optional<porting::time_point> schedule_state::due_at(std::int64_t id) const {
  auto it = due_.find(id);
  if (it == due_.end()) return std::nullopt;
  return it->second;
}

const schedule_state::due_entry* schedule_state::top(heap& h) {
  while (!h.empty()) {
    const auto& t = h.top();
    auto it = due_.find(t.id);
    if (it != due_.end() && it->second == t.at) return &t;
    h.pop();  // stale
  }
  return nullptr;
}

std::optional<schedule_state::due_entry> schedule_state::take(porting::time_point now) {
  heap* from = nullptr;
  if (const due_entry* g = top(guarded_); g && g->at <= now) from = &guarded_;
  else if (const due_entry* p = top(plain_); p && p->at <= now && slot_free()) from = &plain_;
  if (!from) return std::nullopt;
  const due_entry e = from->top();
  from->pop();
  due_.erase(e.id);
  count_lateness(e, now);
  return e;
}

std::optional<porting::time_point> schedule_state::wake_at(porting::time_point now, spare_poller* spare) {
  const due_entry* plain = top(plain_);
  const due_entry* first = top(guarded_);
  std::optional<porting::time_point> at;
  if (first) at = first->at;
  // An order already due while every poll slot is taken needs no timer: a freed slot
  // dispatches (a guarded resend never waits for a slot).
  if (plain && !(plain->at <= now && !slot_free()) && (!at || plain->at < *at)) at = plain->at;
  if (spare && slot_free())
    if (auto s = spare->next_at(now); s && (!at || *s < *at)) at = s;
  return at;
}

void schedule_state::poll_launched(bool went) {
  if (polls_reserved_ > 0) --polls_reserved_;  // reserved until now, whether it goes or not
  if (went) ++polls_out_;
}

void schedule_state::count_lateness(const due_entry& e, porting::time_point now) {
  const double late = std::chrono::duration<double>(now - e.at).count();
  ++late_.count;
  late_.sum += late;
  for (std::size_t i = 0; i < lateness_bounds.size(); ++i)
    if (late <= lateness_bounds[i]) ++late_.buckets[i];
}

}  // namespace portd::engine
