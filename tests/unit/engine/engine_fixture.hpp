// The engine in-process for unit tests: a scripted Telegent (fake_telegent.hpp), a clock the
// test moves, a store in a temp dir, an unlimited budget. No sockets, no sleeps.
#pragma once
#include "fake_telegent.hpp"

#include <common/io_fixture.hpp>
#include <common/sample_orders.hpp>
#include <common/temp_dir.hpp>
#include <portd/engine/engine.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>

namespace portd::engine::test {

using namespace std::chrono_literals;
using porting::call_kind;
using porting::order_state;

struct engine_fixture : portd::test::io_fixture {
  portd::test::temp_dir dir;
  store::repository repo{dir / "portd.db"};
  // A day ahead of the real clock: the scheduler's timer never fires by itself; the test hands
  // out what is due with advance_to().
  porting::time_point now = porting::now_ms() + 24h;
  telegent::budget budget{ioc.get_executor(), {0, 5}};  // unlimited
  fake_telegent api{ioc.get_executor()};
  std::optional<engine> eng;

  void start(porting::policy pol = {}, engine_options eo = {}) {
    eo.clock = [this] { return now; };
    eng.emplace(ioc, repo, api, budget, pol, eo);
    eng->start();
    settle();
  }
  // Runs everything that is ready (a call's answer, a commit) until nothing is; bounded, so
  // a loop that spins fails the test instead of hanging it. Returns the handlers run.
  std::size_t settle() {
    ioc.restart();
    std::size_t n = 0;
    while (n < 100000 && ioc.poll_one()) ++n;
    BOOST_CHECK_MESSAGE(n < 100000, "the loop never went idle");
    return n;
  }
  // Moves the clock to `t` and hands out what is due then.
  void advance_to(porting::time_point t) {
    now = t;
    eng->run_due();
    settle();
  }
  // Awaits one of the engine's services to the end (their results are not default-constructible,
  // as co_spawn's completion wants).
  template <class T>
  T await(asio::awaitable<T> a) {
    auto wrapped = [](asio::awaitable<T> x) -> asio::awaitable<std::optional<T>> { co_return co_await std::move(x); };
    return std::move(*run(wrapped(std::move(a))));
  }
  porting::order order(std::int64_t id) {
    auto o = repo.read(id);
    BOOST_REQUIRE(o);
    return *o;
  }
  std::int64_t submit_port_in(std::string number = "+18015550100") {
    service::port_in_request req;
    req.number = std::move(number);
    req.details = portd::test::sample_port_in().details;
    req.account_pin = "pin-4321";
    req.skip_eligibility = true;
    auto r = await(eng->submit_port_in(std::move(req), service::caller{}));
    BOOST_REQUIRE(r.has_value());
    settle();  // its submission leaves once the order is committed
    return r.value().order.id;
  }
  ~engine_fixture() {
    if (eng) run(eng->stop(0ms));
    settle();
    budget.close();
    settle();
  }
};

}  // namespace portd::engine::test
