// The io_context of an in-process async test. Use it (as a Boost.Test fixture, or a member of
// one) whenever a test drives coroutines: run() spawns one, runs the context until it has
// finished (bounded, so a bug fails the test instead of hanging it), rethrows what it threw and
// returns what it returned. At the end of the test it fails the test if async work is still
// pending — a timer, an accept or a read that nobody cancelled — as Boost.MySQL's fixture
// does: a component must be stopped (or its owner destroyed) before its test ends.
#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace portd::test {

struct io_fixture {
  boost::asio::io_context ioc{1};

  io_fixture() = default;
  io_fixture(const io_fixture&) = delete;
  io_fixture& operator=(const io_fixture&) = delete;
  ~io_fixture() { BOOST_CHECK_MESSAGE(idle(), "the test left async work running on its io_context"); }

  // Runs `body` to completion on ioc, together with whatever else is queued there; rethrows
  // its exception, returns its value. Fails the test (BOOST_REQUIRE) after `limit`.
  template <class T>
  T run(boost::asio::awaitable<T> body, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    std::exception_ptr error;
    bool done = false;
    if constexpr (std::is_void_v<T>) {
      boost::asio::co_spawn(ioc, std::move(body), [&](std::exception_ptr e) {
        error = e;
        done = true;
      });
      run_until(done, limit);
      if (error) std::rethrow_exception(error);
    } else {
      std::optional<T> value;
      boost::asio::co_spawn(ioc, std::move(body), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e) value.emplace(std::move(v));
        done = true;
      });
      run_until(done, limit);
      if (error) std::rethrow_exception(error);
      return std::move(*value);
    }
  }

  // The same for a callable that returns the coroutine (a lambda coroutine; it outlives the run).
  template <class F>
    requires std::is_invocable_v<F&>
  auto run(F&& make_body, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    return run(make_body(), limit);
  }

  // Runs the handlers that are ready; true when no async operation is left pending on ioc.
  bool idle() {
    ioc.restart();
    ioc.poll();
    return ioc.stopped();
  }

 private:
  void run_until(const bool& done, std::chrono::milliseconds limit) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done && !ioc.stopped()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      ioc.run_one_for(deadline - now);
    }
    BOOST_REQUIRE_MESSAGE(done, "the test coroutine did not finish within " << limit.count() << " ms");
  }
};

}  // namespace portd::test
