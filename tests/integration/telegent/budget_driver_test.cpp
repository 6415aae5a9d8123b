// The budget's Asio driver: waiters woken in priority order after a pause, and close().
#include <portd/telegent/budget.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using portd::telegent::budget;
using portd::telegent::priority;

BOOST_AUTO_TEST_SUITE(telegent_budget_driver)

BOOST_AUTO_TEST_CASE(after_a_pause_commands_go_first_then_polls_in_arrival_order) {
  asio::io_context ioc{1};
  budget b(ioc.get_executor(), {60'000, 1});  // one per millisecond
  const auto start = portd::porting::now_ms();
  b.pause_until(start + 50ms);
  std::vector<std::string> order;
  std::vector<portd::porting::time_point> at;
  auto waiter = [&](std::string name, priority p) -> asio::awaitable<void> {
    co_await b.acquire(p);
    order.push_back(name);
    at.push_back(portd::porting::now_ms());
  };
  asio::co_spawn(ioc, waiter("poll-1", priority::poll), asio::detached);
  asio::co_spawn(ioc, waiter("poll-2", priority::poll), asio::detached);
  asio::co_spawn(ioc, waiter("command-1", priority::command), asio::detached);
  asio::co_spawn(ioc, waiter("command-2", priority::command), asio::detached);
  ioc.run_for(5s);
  BOOST_TEST(order == (std::vector<std::string>{"command-1", "command-2", "poll-1", "poll-2"}));
  BOOST_REQUIRE(at.size() == 4u);
  for (auto t : at) BOOST_TEST((t >= start + 50ms));  // nobody inside the pause
  BOOST_TEST(b.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(close_wakes_every_waiter_with_operation_aborted) {
  asio::io_context ioc{1};
  budget b(ioc.get_executor(), {1, 1});  // the second request would wait a minute
  int aborted = 0, granted = 0;
  auto waiter = [&]() -> asio::awaitable<void> {
    try {
      co_await b.acquire(priority::poll);
      ++granted;
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) ++aborted;
    }
  };
  for (int i = 0; i < 3; ++i) asio::co_spawn(ioc, waiter(), asio::detached);
  asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
    b.close();
    co_return;
  }, asio::detached);
  ioc.run_for(5s);
  BOOST_TEST(granted == 1);  // the one starting token
  BOOST_TEST(aborted == 2);
}

BOOST_AUTO_TEST_SUITE_END()
