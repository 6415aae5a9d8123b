// The account's request budget: one token bucket for every request (token calls included),
// guarded resends before commands before polls, and a global pause after a 429.
#pragma once
#include <portd/porting/types.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>

namespace portd::telegent {

// guarded: a submission resent under Telegent's duplicate guard, which protects only while
// the first attempt's order is active, so it must not wait behind anything.
enum class priority : std::uint8_t { guarded, command, poll };
std::string_view to_string(priority);
std::ostream& operator<<(std::ostream&, priority);

struct budget_config {
  double requests_per_minute = 50;  // 0 = unlimited (benchmarks)
  int burst = 5;
};

class budget {
 public:
  budget(boost::asio::any_io_executor ex, budget_config cfg);
  ~budget();

  // Completes when a request may be sent; guarded resends first, then commands, then polls,
  // FIFO within a class.
  boost::asio::awaitable<void> acquire(priority p);
  // A 429 said to wait: no request of any order leaves before `until`.
  void pause_until(porting::time_point until);
  // Called with every new pause end (so the daemon can remember it across a restart).
  void on_pause(std::function<void(porting::time_point)> fn);
  std::optional<porting::time_point> paused_until() const;
  double requests_per_minute() const;
  const budget_config& config() const;
  std::size_t waiting() const;
  void close();  // wakes every waiter with operation_aborted

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace portd::telegent
