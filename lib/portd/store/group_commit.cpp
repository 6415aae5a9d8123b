// The group transaction's driver; see group_commit.hpp.
#include <portd/store/group_commit.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <string>

namespace portd::store {

namespace asio = boost::asio;

group_commit::group_commit(asio::io_context& ioc, repository& repo, flushed_fn flushed)
    : ioc_(ioc), repo_(repo), flushed_(std::move(flushed)), relaxed_timer_(ioc) {}

void group_commit::request_flush() {
  if (flush_posted_) return;
  if (!must_sync_ && waiters_.empty() && units_ < relaxed_limit) {
    // Only poll bookkeeping so far: nobody waits for it, so it gathers a few milliseconds of
    // results into one commit instead of one per loop turn.
    if (relaxed_armed_) return;
    relaxed_armed_ = true;
    relaxed_timer_.expires_after(relaxed_delay);
    relaxed_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // cancelled: stopping
      relaxed_armed_ = false;
      if (!flush_posted_ && open()) flush();
    });
    return;
  }
  flush_posted_ = true;
  asio::post(ioc_, [this] { flush(); });
}

asio::awaitable<bool> group_commit::committed() {
  return asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      [this](auto handler) {
        waiters_.emplace_back(std::move(handler));
        must_sync_ = true;  // an acknowledgement promises durability
        request_flush();
      },
      asio::use_awaitable);
}

void group_commit::flush() {
  flush_posted_ = false;
  auto waiters = std::move(waiters_);
  waiters_.clear();
  units_ = 0;
  const auto durability = must_sync_ ? repository::durability::sync : repository::durability::relaxed;
  must_sync_ = false;
  std::string failure;
  if (repo_.in_transaction()) {
    try {
      repo_.commit(durability);
      ++commits_;
      backoff_ = {};
    } catch (const std::exception& e) {
      ++failures_;
      failure = e.what();
      if (failure.empty()) failure = "commit failed";
      if (repo_.in_transaction()) {
        try {
          repo_.rollback();
        } catch (...) {  // SQLite rolled it back already
        }
      }
    }
  }
  flushed_(failure);
  // Resume the waiting requests from the loop, not from inside this function.
  const bool ok = failure.empty();
  for (auto& w : waiters) asio::post(ioc_, [w = std::move(w), ok]() mutable { std::move(w)(ok); });
}

std::chrono::milliseconds group_commit::backoff() {
  backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds{100}, std::chrono::milliseconds{10000});
  return backoff_;
}

void group_commit::stop() {
  relaxed_timer_.cancel();
}

}  // namespace portd::store
