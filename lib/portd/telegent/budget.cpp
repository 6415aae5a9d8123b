// The Asio driver of budget_state: one system timer, waiters' completion handlers kept by
// ticket, woken in the order budget_state grants them.
#include <portd/telegent/budget.hpp>
#include <portd/telegent/budget_state.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>

namespace portd::telegent {

namespace asio = boost::asio;
using error_code = boost::system::error_code;
using waiter = asio::any_completion_handler<void(error_code)>;

namespace {
porting::time_point wall_now() {
  return std::chrono::time_point_cast<porting::milliseconds>(porting::clock::now());
}
}  // namespace

struct budget::impl {
  impl(asio::any_io_executor executor, budget_config cfg)
      : ex(executor), timer(executor), state(cfg, wall_now()), life(std::make_shared<int>(0)) {}

  asio::any_io_executor ex;
  asio::system_timer timer;
  budget_state state;
  std::map<budget_state::ticket, waiter> waiters;
  std::optional<porting::time_point> armed_for;
  bool closed = false;
  std::function<void(porting::time_point)> on_pause;
  std::shared_ptr<int> life;  // timer handlers check it: the budget may be gone

  // Completes a waiter from a fresh turn of the loop, never inside pump() or the caller.
  void complete(waiter h, error_code ec) {
    auto slot = asio::get_associated_cancellation_slot(h);
    if (slot.is_connected()) slot.clear();
    asio::post(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
  }

  // Grants every request that may go now, then arms the one timer for the next instant.
  void pump() {
    for (;;) {
      const auto now = wall_now();
      const auto a = state.next(now);
      switch (a.what) {
        case budget_state::action::kind::grant: {
          auto it = waiters.find(a.who);
          if (it == waiters.end()) continue;  // gave up meanwhile
          waiter h = std::move(it->second);
          waiters.erase(it);
          complete(std::move(h), {});
          continue;
        }
        case budget_state::action::kind::wait:
          arm(a.until);
          return;
        case budget_state::action::kind::idle:
          if (armed_for) {
            armed_for.reset();
            timer.cancel();
          }
          return;
      }
    }
  }

  void arm(porting::time_point until) {
    if (armed_for == until) return;
    armed_for = until;
    timer.expires_at(until);
    timer.async_wait([this, alive = std::weak_ptr<int>(life), until](error_code ec) {
      if (ec || alive.expired() || armed_for != until) return;
      armed_for.reset();
      pump();
    });
  }

  void add(priority p, waiter h) {
    if (closed) {
      complete(std::move(h), asio::error::operation_aborted);
      return;
    }
    const auto t = state.enqueue(p);
    auto slot = asio::get_associated_cancellation_slot(h);
    if (slot.is_connected()) {
      slot.assign([this, t, alive = std::weak_ptr<int>(life)](asio::cancellation_type) {
        if (alive.expired()) return;
        auto it = waiters.find(t);
        if (it == waiters.end()) return;
        state.remove(t);
        waiter w = std::move(it->second);
        waiters.erase(it);
        complete(std::move(w), asio::error::operation_aborted);
      });
    }
    waiters.emplace(t, std::move(h));
    pump();
  }
};

budget::budget(asio::any_io_executor ex, budget_config cfg)
    : impl_(std::make_unique<impl>(std::move(ex), cfg)) {}

budget::~budget() { close(); }

asio::awaitable<void> budget::acquire(priority p) {
  co_await asio::async_initiate<decltype(asio::use_awaitable), void(error_code)>(
      [this, p](auto handler) { impl_->add(p, waiter(std::move(handler))); }, asio::use_awaitable);
}

void budget::pause_until(porting::time_point until) {
  impl_->state.pause_until(until);
  if (impl_->on_pause) impl_->on_pause(until);
  impl_->pump();
}

void budget::on_pause(std::function<void(porting::time_point)> fn) { impl_->on_pause = std::move(fn); }

std::optional<porting::time_point> budget::paused_until() const {
  return impl_->state.paused_until(wall_now());
}

double budget::requests_per_minute() const { return impl_->state.config().requests_per_minute; }
const budget_config& budget::config() const { return impl_->state.config(); }

std::size_t budget::waiting() const { return impl_->waiters.size(); }

void budget::close() {
  if (!impl_ || impl_->closed) return;
  impl_->closed = true;
  impl_->timer.cancel();
  impl_->armed_for.reset();
  auto waiters = std::move(impl_->waiters);
  impl_->waiters.clear();
  for (auto& [t, h] : waiters) {
    impl_->state.remove(t);
    impl_->complete(std::move(h), asio::error::operation_aborted);
  }
}

}  // namespace portd::telegent
