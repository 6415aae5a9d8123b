// The group transaction's driver: everything written between two commits goes to disk in one
// commit, so a thousand orders taken in one loop turn cost one fsync, not a thousand. A group
// that holds something that must survive power loss commits synced on the next loop turn;
// one of bookkeeping alone (poll results) gathers for a few milliseconds and commits relaxed.
// A failed commit rolls the whole group back; its owner reloads what it had staged, and the
// store is tried again after a pause that grows while it keeps failing.
#pragma once
#include <portd/store/repository.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace portd::store {

class group_commit {
 public:
  // Runs after every flush, before the waiters resume: `failure` is empty when the group
  // committed (or there was nothing to commit), else why it was rolled back.
  using flushed_fn = std::function<void(std::string_view failure)>;

  group_commit(boost::asio::io_context& ioc, repository& repo, flushed_fn flushed);

  // One more unit staged in the open transaction (counts toward the relaxed limit).
  void add_unit() { ++units_; }
  // The open group holds something that must survive power loss (an acknowledgement, an
  // event, an intent, the API pause): it commits synced, on the next loop turn.
  void must_sync() { must_sync_ = true; }
  // Commits on a coming loop turn: the next one for a synced group, else after
  // relaxed_delay or at relaxed_limit units.
  void request_flush();
  // Completes after the group that holds everything staged so far has committed (true) or
  // failed to (false). An acknowledgement promises durability: the group commits synced.
  boost::asio::awaitable<bool> committed();
  // Commits the open group now (start-up, shutdown; otherwise from the loop).
  void flush();
  // A transaction is open or units wait for their commit.
  bool open() const { return repo_.in_transaction() || units_ > 0; }
  // The pause before a failing store is tried again: 100 ms doubling to 10 s; a successful
  // commit resets it.
  std::chrono::milliseconds backoff();
  // No more relaxed timer (shutdown); flush() still works.
  void stop();

  std::uint64_t commits() const { return commits_; }
  std::uint64_t failures() const { return failures_; }

  static constexpr std::chrono::milliseconds relaxed_delay{10};
  static constexpr std::size_t relaxed_limit = 512;

 private:
  boost::asio::io_context& ioc_;
  repository& repo_;
  flushed_fn flushed_;
  bool flush_posted_ = false;
  bool must_sync_ = false;
  std::size_t units_ = 0;
  boost::asio::steady_timer relaxed_timer_;
  bool relaxed_armed_ = false;
  std::vector<boost::asio::any_completion_handler<void(bool)>> waiters_;
  std::chrono::milliseconds backoff_{0};
  std::uint64_t commits_ = 0, failures_ = 0;
};

}  // namespace portd::store
