// The Telegent client through an HTTP CONNECT proxy to the simulator over TLS: the tunnel is
// asked for the origin (never the proxy's own name), TLS is verified end to end with the
// origin's certificate and name, the keep-alive connection and its tunnel are reused, and
// proxy credentials go in Proxy-Authorization only.
#include "fake_telegent.hpp"

#include <common/connect_proxy.hpp>
#include <portd/telegent/budget.hpp>
#include <portd/telegent/client.hpp>
#include <portd/http/proxy.hpp>
#include <telegent_sim/server.hpp>
#include <telegent_sim/simulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using portd::porting::call_kind;
using portd::porting::call_outcome;
using portd::telegent::client;
using portd::telegent::client_config;
using portd::telegent::priority;

namespace {

// The simulator on 127.0.0.1 over TLS with a certificate for "localhost", on `ioc`.
struct tls_sim {
  telegent_sim::simulator sim{telegent_sim::sim_config{}, telegent_sim::real_now()};
  telegent_sim::server srv;
  explicit tls_sim(asio::io_context& ioc) : srv(ioc.get_executor(), sim, options()) { srv.start(); }
  static telegent_sim::server_options options() {
    telegent_sim::server_options o;
    o.tls_cert = portd::test::tls_certificate::localhost().cert_file;
    o.tls_key = portd::test::tls_certificate::localhost().key_file;
    return o;
  }
};

client_config config_for(const tls_sim& s, const portd::test::connect_proxy& proxy, const std::string& credentials = {}) {
  client_config c;
  c.base_url = "https://localhost:" + std::to_string(s.srv.port());
  c.account_key = "DID-sim";
  c.account_secret = "sim-secret";
  c.ca_file = portd::test::tls_certificate::localhost().cert_file;
  c.request_timeout = 5s;
  c.proxy = portd::http::parse_proxy(proxy.url(), credentials).proxy;
  return c;
}

portd::porting::order an_order() {
  portd::porting::order o;
  o.number = "+15555551230";
  return o;
}

// Runs `body` on `ioc` to completion, bounded so that a bug fails instead of hanging.
void run(asio::io_context& ioc, std::function<asio::awaitable<void>()> body) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(ioc, body(), [&](std::exception_ptr e) {
    done = true;
    error = e;
    ioc.stop();  // the simulator keeps listening: stop here, not when the loop runs out
  });
  ioc.restart();
  ioc.run_for(20s);
  BOOST_REQUIRE_MESSAGE(done, "the test coroutine did not finish");
  if (error) std::rethrow_exception(error);
}

struct fixture {
  asio::io_context ioc{1};
  portd::telegent::budget bud{ioc.get_executor(), {0, 1}};
  portd::test::connect_proxy proxy;
  tls_sim sim{ioc};
  ~fixture() {
    sim.srv.stop();  // and let every connection's coroutine end before the simulator goes
    ioc.restart();
    ioc.run_for(5s);
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(telegent_proxy, fixture)

BOOST_AUTO_TEST_CASE(calls_go_through_one_tunnel_to_the_origin_with_tls_verified_end_to_end) {
  client c(ioc.get_executor(), config_for(sim, proxy), bud);
  run(ioc, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {
      auto r = co_await c.call(an_order(), call_kind::eligibility, priority::command);
      BOOST_TEST(r.outcome == call_outcome::ok, r.message);
    }
    c.close();
  });
  // A token and three eligibility checks: one keep-alive connection, so one tunnel, asked for
  // the origin by its name (the proxy resolves it; SNI and verification use it too).
  BOOST_TEST(proxy.tunnels() == 1u);
  BOOST_REQUIRE(proxy.targets().size() == 1u);
  BOOST_TEST(proxy.targets()[0] == "localhost:" + std::to_string(sim.srv.port()));
}

BOOST_AUTO_TEST_CASE(the_proxy_cannot_stand_in_for_the_origin) {
  // Without the origin's CA the handshake through the tunnel fails: TLS is with the origin,
  // verified, and a proxy in the middle cannot make it pass.
  auto cfg = config_for(sim, proxy);
  cfg.ca_file.clear();  // the system store, which does not know the test CA
  client c(ioc.get_executor(), cfg, bud);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await c.call(an_order(), call_kind::eligibility, priority::command);
    BOOST_TEST(r.outcome == call_outcome::transient);
    BOOST_TEST(r.reason == "tls_failed", r.reason << ": " << r.message);
    c.close();
  });
  BOOST_TEST(proxy.tunnels() >= 1u);
}

BOOST_AUTO_TEST_CASE(proxy_credentials_are_sent_only_as_proxy_authorization) {
  proxy.require_authorization("Basic dXNlcjpwcm94eS1wYXNzd29yZA==");  // user:proxy-password
  {
    client c(ioc.get_executor(), config_for(sim, proxy), bud);
    run(ioc, [&]() -> asio::awaitable<void> {
      auto r = co_await c.call(an_order(), call_kind::eligibility, priority::command);
      BOOST_TEST(r.outcome == call_outcome::transient);
      BOOST_TEST(r.message.find("asks for credentials (407)") != std::string::npos, r.message);
      c.close();
    });
  }
  BOOST_TEST(proxy.tunnels() == 0u);
  client c(ioc.get_executor(), config_for(sim, proxy, "user:proxy-password"), bud);
  run(ioc, [&]() -> asio::awaitable<void> {
    auto r = co_await c.call(an_order(), call_kind::eligibility, priority::command);
    BOOST_TEST(r.outcome == call_outcome::ok, r.message);
    BOOST_TEST(r.message.find("proxy-password") == std::string::npos);
    c.close();
  });
  BOOST_TEST(proxy.tunnels() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
