// Calls: the scheduler's due orders handed to decide(), polls and commands launched within
// their limits, and one call run against Telegent — a submission marked as leaving (synced)
// between its two phases.
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>
#include <portd/runtime/log.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <spdlog/spdlog.h>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order;
using namespace detail;

// Takes one order the scheduler hands out (a due order, guarded resends first and polls within
// their slots, or the spare poller's pick): its timer_fired, or the input a failed store left
// for it, goes through decide().
void engine::take_due(const schedule_state::due_entry& top, porting::time_point now) {
  (void)now;
  auto pending = resume_.extract(top.id);
  try {
    auto o = load(top.id);
    if (!o) return;
    if (pending.empty() && start_poll(*o)) return;
    const porting::input& in = pending.empty() ? porting::input{porting::timer_fired{}} : pending.mapped();
    auto r = apply(*o, in);
    if (!r.has_value() || staged_.empty() || staged_.back().id != top.id) return;  // nothing to do now
  } catch (const std::exception& e) {
    runtime::log_order(spdlog::level::err, {top.id}, "the store failed; trying again later: {}", e.what());
    retry_later(top.id, pending.empty() ? porting::input{porting::recovered{}} : std::move(pending.mapped()),
                now_() + group_.backoff());
    return;
  }
  if (staged_.back().call == porting::call_kind::status) sched_.state().reserve_poll();  // counts until launched
}

// A plain poll leaves at once, without a write: a status request is read-only, so rule 1
// asks for no intent, and the order as it stands on disk (due, nothing out) is exactly what a
// restart would resume — with a poll. Its result is written as usual. Anything more than a
// poll (an event, another call) goes through apply() and the commit.
bool engine::start_poll(const order& cur) {
  porting::decision d = porting::decide(cur, porting::timer_fired{}, now_(), policy_);
  if (!d.poll_only) return false;
  sched_.state().reserve_poll();  // launch() turns it into a poll out
  launch(cur.id, porting::call_kind::status, false, std::move(d.next));
  return true;
}

std::optional<order> engine::load(std::int64_t id) {
  if (auto it = calls_.find(id); it != calls_.end()) return it->second;
  return repo_.load(id);
}

void engine::launch(std::int64_t id, porting::call_kind kind, bool urgent, std::optional<order> o, bool guarded) {
  const bool poll = kind == porting::call_kind::status && !urgent;
  if (stopping_ || calls_.contains(id)) {  // calls_: rule 2, belt and braces
    if (poll) sched_.state().poll_launched(false);
    return;
  }
  const bool command = !poll;
  if (command && commands_out_ >= opts_.command_concurrency) {
    // Beyond this many, commands wait here as ids, first come first served (a bulk import's
    // submissions wait for the budget without holding an order and a coroutine each).
    // Their intents are committed: a restart meanwhile resumes them like calls that were out.
    // A guarded resend goes to the front: the duplicate guard does not wait.
    if (guarded) command_queue_.push_front({id, kind, urgent, guarded});
    else command_queue_.push_back({id, kind, urgent, guarded});
    return;
  }
  if (!o) o = repo_.load(id);
  const bool goes = o && o->in_flight == kind;
  if (poll) sched_.state().poll_launched(goes);  // reserved until now, whether it goes or not
  if (!goes) return;
  if (kind == porting::call_kind::status) fresh_.polling(id, now_());
  calls_.emplace(id, std::move(*o));
  if (command) ++commands_out_;
  asio::co_spawn(ioc_, run_call(id, kind, urgent), asio::detached);
}

asio::awaitable<void> engine::run_call(std::int64_t id, porting::call_kind kind, bool urgent) {
  const bool counted_poll = kind == porting::call_kind::status && !urgent;
  porting::api_result result;
  bool have_result = false;
  try {
    // A copy: a command may change the order (an intent queued) while the call is out.
    const order o = calls_.at(id);
    const auto prio = kind == porting::call_kind::submit_port_in && guarded(o) ? telegent::priority::guarded
                      : porting::is_command_call(kind) || urgent             ? telegent::priority::command
                                                                          : telegent::priority::poll;
    if (kind == porting::call_kind::submit_port_in || kind == porting::call_kind::submit_port_out) {
      // A submission records that its request is leaving (rule 1's second half) once it has
      // its budget, token and connection, before it is written: a restart then knows whether
      // an attempt still waiting for any of them reached anybody.
      auto p = co_await api_.prepare(o, kind, prio);
      if (!p.ready) result = std::move(p.ended);
      else if (co_await mark_sent(id)) result = co_await p.ready->send();
      else result = co_await p.ready->withhold();
    } else {
      result = co_await api_.call(o, kind, prio);
    }
    have_result = true;
  } catch (const std::exception& e) {
    result.call = kind;
    result.outcome = porting::call_outcome::transient;
    result.reason = "internal_error";
    result.message = e.what();
    have_result = !stopping_;
    runtime::log_order(spdlog::level::err, {id}, "{} call failed inside portd: {}", porting::to_string(kind), e.what());
  }
  auto node = calls_.extract(id);
  if (counted_poll) sched_.state().poll_done();
  if (!counted_poll) {
    --commands_out_;
    // The next queued commands take the freed place (one that no longer applies is skipped).
    while (!stopping_ && !command_queue_.empty() && commands_out_ < opts_.command_concurrency) {
      const auto next = command_queue_.front();
      command_queue_.pop_front();
      launch(next.id, next.kind, next.urgent, {}, next.guarded);
    }
  }
  if (stopping_ || !have_result || node.empty()) {
    // Abandoned at shutdown: the intent stays committed and the next start resumes it.
    co_return;
  }
  result.call = kind;
  try {
    (void)apply(node.mapped(), result);  // its events are logged once they commit
  } catch (const std::exception& e) {
    // Kept, and recorded once the store takes writes again: the call happened.
    runtime::log_order(spdlog::level::err, {id}, "could not record the {} result yet: {}", porting::to_string(kind), e.what());
    retry_later(id, std::move(result), now_() + group_.backoff());
  }
  dispatch();
}

asio::awaitable<bool> engine::mark_sent(std::int64_t id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || stopping_) co_return false;  // abandoned: nothing may leave
  if (it->second.request_sent) co_return true;            // a re-sent request (after a 401)
  order marked = it->second;
  marked.request_sent = true;
  try {
    repo_.begin();
    repo_.update_order(marked);
  } catch (const std::exception& e) {
    if (repo_.in_transaction()) group_.request_flush();
    runtime::log_order(spdlog::level::err, {id}, "cannot record that the submission is leaving; not sent: {}", e.what());
    co_return false;
  }
  it->second = marked;
  // Synced before the request is written: a kill in between must find the mark.
  if (co_await group_.committed()) co_return true;
  if (auto again = calls_.find(id); again != calls_.end()) again->second.request_sent = false;
  co_return false;
}

}  // namespace portd::engine
