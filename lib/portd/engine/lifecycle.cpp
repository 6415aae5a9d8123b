// Start-up (recovery: every active order resumed from what the store holds) and shutdown
// (calls abandoned after the grace, everything committed).
#include <portd/engine/detail.hpp>
#include <portd/engine/engine.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace portd::engine {

namespace asio = boost::asio;
using porting::order_state;
using namespace detail;

void engine::start() {
  last_committed_event_ = repo_.last_event_id();
  tally();
  // A read-only store serves reads only: no order moves, since nothing it learns or intends
  // could be kept (and no command may leave before its intent is on disk).
  if (!repo_.not_writable().empty()) {
    spdlog::warn("the store is read-only: active orders are not resumed");
    return;
  }
  // A pause Telegent asked for (429) outlives a restart: nothing leaves before its end.
  if (auto v = repo_.read_setting("api_paused_until"); v && !v->empty() &&
                                                      v->find_first_not_of("0123456789") == std::string::npos) {
    const porting::time_point until{porting::milliseconds{std::stoll(v->substr(0, 15))}};
    if (until > now_()) {
      budget_.pause_until(until);
      spdlog::info("Telegent asked to pause until {}: no request before then", porting::format_time(until));
    }
  }
  budget_.on_pause([this](porting::time_point until) {
    try {
      repo_.write_setting("api_paused_until", std::to_string(until.time_since_epoch().count()));
      group_.must_sync();
      group_.request_flush();
    } catch (const std::exception& e) {
      spdlog::warn("could not remember the API pause: {}", e.what());
    }
  });
  try {
    fresh_.load(repo_);
  } catch (const std::exception& e) {
    spdlog::warn("freshness: could not read what the history teaches ({}); starting from the priors", e.what());
  }
  const auto entries = repo_.load_schedule();
  const auto now = now_();
  std::size_t resumed = 0;
  for (const auto& e : entries) {
    if (!e.in_flight && e.state != order_state::received && e.state != order_state::submitting &&
        e.next_check_at) {
      // The common case after a restart: nothing was out, the wake-up time is known. No need
      // to load the whole order now; it is loaded when it comes due. (A submission waiting to
      // be resent is loaded: it may be a guarded resend, which goes first.)
      schedule(e.id, std::max(*e.next_check_at, now));
      continue;
    }
    if (!e.in_flight && !e.next_check_at && e.state != order_state::received) continue;  // waits for an operator
    auto o = repo_.load(e.id);
    if (!o) continue;
    auto r = apply(*o, porting::recovered{});
    if (r.has_value()) ++resumed;
  }
  spdlog::info("resumed {} active orders ({} needed recovery)", entries.size(), resumed);
  const auto& keep = opts_.retention;
  if (keep.delivered_outbox.count() > 0 || keep.raw_bodies.count() > 0) {
    retention_timer_.emplace(ioc_);
    asio::co_spawn(ioc_, retention_loop(), asio::detached);
  }
  // Recovery's decisions commit now, in one group, and their calls start: a resend under the
  // duplicate guard must not wait for anything.
  group_.must_sync();
  group_.flush();
}

asio::awaitable<void> engine::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  if (backup_running_) backup_running_->interrupt();  // its worker is joined with the engine
  if (retention_timer_) retention_timer_->cancel();
  sched_.stop();
  group_.stop();
  asio::steady_timer t(ioc_);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!calls_.empty() && std::chrono::steady_clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
  if (!calls_.empty())
    spdlog::info("abandoning {} calls in flight; their intents are committed and resume at the next start",
                 calls_.size());
  api_.close();
  budget_.on_pause({});
  budget_.close();
  group_.must_sync();  // a clean stop leaves everything on disk
  group_.flush();
}

}  // namespace portd::engine
