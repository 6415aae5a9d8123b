// The Telegent client against a fake Telegent on loopback: tokens, re-authentication,
// keep-alive, timeouts, resets, size caps, TLS verification and secrets.
#include "common/sample_orders.hpp"
#include "fake_telegent.hpp"

#include <portd/telegent/budget.hpp>
#include <portd/telegent/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <ctime>
#include <functional>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using portd::porting::api_result;
using portd::porting::call_kind;
using portd::porting::call_outcome;
using portd::telegent::budget;
using portd::telegent::client;
using portd::telegent::client_config;
using portd::telegent::priority;
using portd::test::answer_then_close;
using portd::test::fake_reply;
using portd::test::fake_request;
using portd::test::fake_telegent;
using portd::test::sample_port_in;

namespace {

client_config config_for(const fake_telegent& server) {
  client_config c;
  c.base_url = server.base_url();
  c.account_key = "DID-test";
  c.account_secret = "account-secret-xyz";
  c.allow_insecure_http = true;
  c.request_timeout = 2s;
  return c;
}

// Runs `body` on `ioc` to completion (bounded, so a bug fails the test instead of hanging it).
void run(asio::io_context& ioc, std::function<asio::awaitable<void>()> body) {
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(ioc, body(), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  ioc.run_for(20s);
  BOOST_REQUIRE_MESSAGE(done, "the test coroutine did not finish");
  if (error) std::rethrow_exception(error);
}

struct fixture {
  asio::io_context ioc{1};
  budget bud{ioc.get_executor(), {0, 1}};  // unlimited: these tests are not about the rate
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(telegent_client, fixture)

BOOST_AUTO_TEST_CASE(token_single_flight_for_concurrent_calls) {
  fake_telegent server(ioc);
  client c(ioc.get_executor(), config_for(server), bud);
  const auto order = sample_port_in();
  constexpr int n = 8;
  std::vector<api_result> results;
  run(ioc, [&]() -> asio::awaitable<void> {
    int remaining = n;
    asio::steady_timer all_done(ioc, asio::steady_timer::time_point::max());
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(ioc, c.call(order, call_kind::status, priority::poll),
                     [&](std::exception_ptr, api_result r) {
                       results.push_back(std::move(r));
                       if (--remaining == 0) all_done.cancel();
                     });
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    server.stop();
  });
  BOOST_TEST(results.size() == static_cast<std::size_t>(n));
  for (const auto& r : results) BOOST_TEST(r.outcome == call_outcome::ok);
  const auto tokens = server.token_requests();
  BOOST_REQUIRE(tokens.size() == 1u);
  const auto body = boost::json::parse(tokens[0].body).as_object();
  BOOST_TEST(body.at("AccountKey").as_string() == "DID-test");
  // The scope is the endpoint URL without its query string.
  BOOST_TEST(body.at("ApiEndpoint").as_string() == server.base_url() + "/v1.0/numbers/order");
  BOOST_TEST(server.api_requests().size() == static_cast<std::size_t>(n));
  BOOST_TEST(server.connections() <= 4);  // max_connections
  for (const auto& r : server.api_requests()) {
    BOOST_TEST(r.authorization == "Bearer tok-1");
    BOOST_TEST(r.target == "/v1.0/numbers/order?OrderId=JNUOID-Case%2FSensitive");
  }
}

BOOST_AUTO_TEST_CASE(each_endpoint_gets_its_own_token_and_cached_tokens_are_reused) {
  fake_telegent server(ioc);
  client c(ioc.get_executor(), config_for(server), bud);
  const auto order = sample_port_in();
  run(ioc, [&]() -> asio::awaitable<void> {
    co_await c.call(order, call_kind::status, priority::poll);
    co_await c.call(order, call_kind::status, priority::poll);
    co_await c.call(order, call_kind::cancel, priority::command);
    co_await c.call(order, call_kind::cancel, priority::command);
    server.stop();
  });
  const auto tokens = server.token_requests();
  BOOST_REQUIRE(tokens.size() == 2u);
  BOOST_TEST(boost::json::parse(tokens[1].body).at("ApiEndpoint").as_string() ==
             server.base_url() + "/v1.0/numbers/portin/cancel");
}

BOOST_AUTO_TEST_CASE(a_401_re_authenticates_once_and_retries) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request& r) {
    fake_reply rep;
    if (r.authorization == "Bearer tok-1") {
      rep.status = 401;
      rep.body = R"({"title":"Unauthorized"})";
    } else {
      rep.body = R"({"OrderId":"JNUOID-9","OrderStatus":"Scheduled"})";
    }
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_status == "Scheduled");
  BOOST_TEST(server.token_requests().size() == 2u);
  BOOST_TEST(server.api_requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_second_401_is_a_refusal_not_a_loop) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    fake_reply rep;
    rep.status = 401;
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "unauthorized");
  BOOST_TEST(server.token_requests().size() == 2u);
  BOOST_TEST(server.api_requests().size() == 2u);
}

BOOST_AUTO_TEST_CASE(refused_credentials_are_a_refusal_without_the_secret) {
  fake_telegent server(ioc);
  server.on_token = [](const fake_request& r) {
    fake_reply rep;
    // A careless server that echoes what it was sent.
    rep.body = R"({"successful":false,"message":"bad credentials for )" +
               std::string(boost::json::parse(r.body).at("AccountSecret").as_string()) + R"("})";
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "unauthorized");
  BOOST_TEST(!r.maybe_processed);
  BOOST_TEST(r.message.find("account-secret-xyz") == std::string::npos);
  BOOST_TEST(r.raw.find("account-secret-xyz") == std::string::npos);
  BOOST_TEST(server.api_requests().empty());
}

// prepare() returns once the call has its token, its budget and a connection, right before the
// write: then nothing of the call has reached Telegent; withheld, nothing ever does.
BOOST_AUTO_TEST_CASE(a_prepared_call_stops_right_before_the_write_and_can_be_withheld) {
  fake_telegent server(ioc);
  client c(ioc.get_executor(), config_for(server), bud);
  std::vector<std::size_t> seen_by_server;  // API requests the server had when the call was ready
  api_result sent, withheld;
  run(ioc, [&]() -> asio::awaitable<void> {
    auto p = co_await c.prepare(sample_port_in(), call_kind::submit_port_in, priority::command);
    BOOST_REQUIRE(p.ready);
    seen_by_server.push_back(server.api_requests().size());
    sent = co_await p.ready->send();
    auto q = co_await c.prepare(sample_port_in(), call_kind::submit_port_in, priority::command);
    BOOST_REQUIRE(q.ready);
    seen_by_server.push_back(server.api_requests().size());
    withheld = co_await q.ready->withhold();
    server.stop();
  });
  BOOST_TEST(seen_by_server == (std::vector<std::size_t>{0, 1}));
  BOOST_TEST(server.token_requests().size() == 1u, "the token came before the call was ready");
  BOOST_TEST(sent.outcome == call_outcome::ok);
  BOOST_TEST(server.api_requests().size() == 1u, "the withheld submission never reached Telegent");
  BOOST_TEST(withheld.outcome == call_outcome::transient);
  BOOST_TEST(withheld.reason == "not_sent");
  BOOST_TEST(!withheld.maybe_processed);
}

BOOST_AUTO_TEST_CASE(keep_alive_carries_many_calls_over_one_connection) {
  fake_telegent server(ioc);
  client c(ioc.get_executor(), config_for(server), bud);
  const auto order = sample_port_in();
  int ok = 0;
  run(ioc, [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 20; ++i) {
      auto r = co_await c.call(order, call_kind::status, priority::poll);
      if (r.outcome == call_outcome::ok) ++ok;
    }
    server.stop();
  });
  BOOST_TEST(ok == 20);
  BOOST_TEST(server.requests.size() == 21u);  // one token + 20 polls
  BOOST_TEST(server.connections() == 1);
  BOOST_TEST(c.stats().requests_total == 21u);
  BOOST_TEST(c.stats().by_status.at("200") == 21u);
  BOOST_TEST(c.stats().in_flight == 0u);
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_while_idle_is_replaced) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    return answer_then_close(R"({"OrderStatus":"Pending"})");  // says keep-alive, then drops it like an idle timeout
  };
  client c(ioc.get_executor(), config_for(server), bud);
  const auto order = sample_port_in();
  api_result first, second;
  run(ioc, [&]() -> asio::awaitable<void> {
    first = co_await c.call(order, call_kind::status, priority::poll);
    second = co_await c.call(order, call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(first.outcome == call_outcome::ok);
  BOOST_TEST(second.outcome == call_outcome::ok);
  BOOST_TEST(server.api_requests().size() == 2u);
  BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(a_peer_that_never_answers_times_out_after_the_request_left) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    fake_reply rep;
    rep.act = fake_reply::action::hang;
    return rep;
  };
  auto cfg = config_for(server);
  cfg.request_timeout = 150ms;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "timeout");
  BOOST_TEST(r.maybe_processed);
  BOOST_TEST(r.http_status == 0);
  BOOST_TEST(server.api_requests().size() == 1u);
  BOOST_TEST(c.stats().by_status.at("transport") == 1u);
}

BOOST_AUTO_TEST_CASE(a_reset_after_the_request_was_read_may_have_been_processed) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    fake_reply rep;
    rep.act = fake_reply::action::reset;
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "connection_reset");
  BOOST_TEST(r.maybe_processed);
  BOOST_TEST(r.message.find("pin-4321") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refused_connect_was_never_processed) {
  std::string url;
  {
    asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    url = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  }  // closed: nothing listens there now
  client_config cfg;
  cfg.base_url = url;
  cfg.allow_insecure_http = true;
  cfg.request_timeout = 2s;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "connect_failed");
  BOOST_TEST(!r.maybe_processed);
}

BOOST_AUTO_TEST_CASE(an_oversized_response_is_cut_off) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    fake_reply rep;
    rep.body = R"({"OrderStatus":"Pending","Padding":")" + std::string(64 * 1024, 'x') + "\"}";
    return rep;
  };
  auto cfg = config_for(server);
  cfg.max_response_bytes = 4096;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "response_too_large");
  BOOST_TEST(r.raw.size() <= 4096u);
}

BOOST_AUTO_TEST_CASE(a_429_pauses_the_whole_budget) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request&) {
    fake_reply rep;
    rep.status = 429;
    rep.headers.emplace_back("Retry-After", "30");
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  const auto before = portd::porting::now_ms();
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.reason == "rate_limited");
  BOOST_TEST((r.retry_after == std::chrono::milliseconds{30s}));
  BOOST_TEST(!r.maybe_processed);
  const auto paused = bud.paused_until();
  BOOST_REQUIRE(paused.has_value());
  BOOST_TEST((*paused >= before + 30s));
  BOOST_TEST((*paused <= portd::porting::now_ms() + 30s + 50ms));  // + the client's safety margin
  BOOST_TEST(c.stats().by_status.at("429") == 1u);
}

// The budget grants a request its turn before it has a connection. While Telegent is slow every
// connection is taken, and requests granted one by one queue for them; when the connections
// come free they must still leave at the budget's pace, not together (Telegent counts what
// arrives). Budget: 5 a second, burst 1, so no two requests may arrive closer than 200 ms;
// the first two answers take a second, while three more requests are granted.
BOOST_AUTO_TEST_CASE(requests_that_waited_for_a_connection_still_leave_at_the_budgets_pace) {
  fake_telegent server(ioc);
  std::vector<std::chrono::steady_clock::time_point> arrived;
  server.on_token = [&](const fake_request&) {
    arrived.push_back(std::chrono::steady_clock::now());
    return server.default_token_reply();
  };
  server.on_api = [&](const fake_request&) {
    arrived.push_back(std::chrono::steady_clock::now());
    fake_reply rep = fake_reply::with(200, R"({"OrderId":"JNUOID-1","OrderStatus":"Pending"})");
    if (arrived.size() <= 3) rep.delay = 1s;  // the token, then two slow answers
    return rep;
  };
  budget paced{ioc.get_executor(), {300, 1}};
  auto cfg = config_for(server);
  cfg.max_connections = 2;
  client c(ioc.get_executor(), cfg, paced);
  constexpr int n = 5;
  int ok = 0;
  run(ioc, [&]() -> asio::awaitable<void> {
    int remaining = n;
    asio::steady_timer all_done(ioc, asio::steady_timer::time_point::max());
    for (int i = 0; i < n; ++i)
      asio::co_spawn(ioc, c.call(sample_port_in(), call_kind::status, priority::poll), [&](std::exception_ptr, api_result r) {
        ok += r.outcome == call_outcome::ok;
        if (--remaining == 0) all_done.cancel();
      });
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    server.stop();
  });
  BOOST_TEST(ok == n);
  BOOST_REQUIRE(arrived.size() == static_cast<std::size_t>(n + 1));
  // 200 ms apart at the budget's pace; half that allows for a loaded machine, while requests
  // that left together arrive within a millisecond or two.
  for (std::size_t i = 1; i < arrived.size(); ++i)
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(arrived[i] - arrived[i - 1]).count() >= 100,
               "request " << i << " arrived " << std::chrono::duration_cast<std::chrono::milliseconds>(arrived[i] - arrived[i - 1]).count()
                          << " ms after the one before");
}

BOOST_AUTO_TEST_CASE(a_400_naming_port_in_date_is_retried_in_the_us_form) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request& r) {
    fake_reply rep;
    const auto body = boost::json::parse(r.body).as_object();
    if (body.at("PortInDate").as_string() == "2026-05-02") {
      rep.status = 400;
      rep.body = R"({"errors":{"$.PortInDate":["The JSON value could not be converted."]}})";
    } else {
      rep.body = R"({"OrderId":"JNUOID-7","Status":"Pending"})";
    }
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(r.remote_order_id == "JNUOID-7");
  const auto api = server.api_requests();
  BOOST_REQUIRE(api.size() == 2u);
  BOOST_TEST(boost::json::parse(api[1].body).at("PortInDate").as_string() == "05/02/2026");
}

BOOST_AUTO_TEST_CASE(secrets_echoed_in_an_error_never_reach_the_result) {
  fake_telegent server(ioc);
  server.on_api = [](const fake_request& r) {
    fake_reply rep;
    rep.status = 422;
    rep.body = R"({"title":"Rejected","detail":"you sent )" + r.body.substr(0, 0) +
               R"(pin-4321","echo":)" + r.body + "}";
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::refused);
  BOOST_TEST(r.reason == "business_rule");
  for (const std::string* s : {&r.message, &r.raw, &r.status_message}) {
    BOOST_TEST(s->find("pin-4321") == std::string::npos);
    BOOST_TEST(s->find("account-secret-xyz") == std::string::npos);
  }
  BOOST_TEST(r.message.find("you sent ***") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plain_http_needs_to_be_allowed) {
  client_config cfg;
  cfg.base_url = "http://127.0.0.1:9";
  BOOST_CHECK_THROW(client(ioc.get_executor(), cfg, bud), std::invalid_argument);
  cfg.allow_insecure_http = true;
  BOOST_CHECK_NO_THROW(client(ioc.get_executor(), cfg, bud));
  cfg.base_url = "ftp://127.0.0.1";
  BOOST_CHECK_THROW(client(ioc.get_executor(), cfg, bud), std::invalid_argument);
  cfg.base_url = "https://127.0.0.1";
  cfg.ca_file = "/nonexistent/ca.pem";
  BOOST_CHECK_THROW(client(ioc.get_executor(), cfg, bud), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(tls_verifies_with_the_configured_ca) {
  const auto& cert = portd::test::tls_certificate::localhost();
  fake_telegent server(ioc, &cert);
  auto cfg = config_for(server);
  cfg.allow_insecure_http = false;
  cfg.ca_file = cert.cert_file;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_TEST(server.requests.size() == 2u);
}

BOOST_AUTO_TEST_CASE(tls_fails_without_the_ca_and_never_falls_back_to_plaintext) {
  const auto& cert = portd::test::tls_certificate::localhost();
  fake_telegent server(ioc, &cert);
  auto cfg = config_for(server);
  cfg.allow_insecure_http = true;  // even then, https:// never degrades to http
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "tls_failed");
  BOOST_TEST(!r.maybe_processed);
  BOOST_TEST(server.requests.empty());
  BOOST_TEST(r.message.find("account-secret-xyz") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_fails_when_the_certificate_names_another_host) {
  const auto& cert = portd::test::tls_certificate::other_host();
  fake_telegent server(ioc, &cert);
  auto cfg = config_for(server);
  cfg.ca_file = cert.cert_file;  // trusted, but issued for elsewhere.test
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.reason == "tls_failed");
  BOOST_TEST(server.requests.empty());
}

BOOST_AUTO_TEST_CASE(a_token_close_to_expiry_is_refreshed_before_use) {
  fake_telegent server(ioc);
  int issued = 0;
  server.on_token = [&issued](const fake_request&) {
    fake_reply rep;
    // Expires in 30 s: inside the 60 s refresh margin from the start.
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 30s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char expiry[32];
    std::strftime(expiry, sizeof expiry, "%m/%d/%Y %I:%M:%S %p", &tm);
    rep.body = R"({"Token":"short-)" + std::to_string(++issued) +
               R"(","Successful":true,"TokenExpiry":")" + expiry + R"("})";
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  const auto order = sample_port_in();
  std::vector<fake_request> sequential;
  std::size_t done = 0;
  run(ioc, [&]() -> asio::awaitable<void> {
    co_await c.call(order, call_kind::status, priority::poll);
    co_await c.call(order, call_kind::status, priority::poll);
    sequential = server.requests;
    // Calls that wait for one fetch all use its token, however short-lived: one request.
    asio::steady_timer all_done(ioc, asio::steady_timer::time_point::max());
    for (int i = 0; i < 5; ++i) {
      asio::co_spawn(ioc, c.call(order, call_kind::status, priority::poll),
                     [&](std::exception_ptr, api_result) {
                       if (++done == 5) all_done.cancel();
                     });
    }
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    server.stop();
  });
  std::vector<std::string> auth;
  for (const auto& r : sequential) auth.push_back(r.authorization);
  // token, poll with short-1, token (short-1 was inside its margin), poll with short-2
  BOOST_TEST(auth == (std::vector<std::string>{"", "Bearer short-1", "", "Bearer short-2"}));
  BOOST_TEST(done == 5u);
  BOOST_TEST(server.token_requests().size() == 3u);
  BOOST_TEST(server.api_requests().size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_tls_handshake_that_never_completes_times_out_before_sending) {
  // A listener that accepts and then says nothing: the TLS handshake can never finish.
  asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  asio::ip::tcp::socket held(ioc);
  silent.async_accept(held, [](boost::system::error_code) {});
  client_config cfg;
  cfg.base_url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  cfg.request_timeout = 150ms;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    silent.close();
    held.close();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "timeout");
  BOOST_TEST(!r.maybe_processed);
}

BOOST_AUTO_TEST_CASE(tls_by_host_name_resolves_and_verifies_the_name) {
  const auto& cert = portd::test::tls_certificate::localhost();
  fake_telegent server(ioc, &cert);
  auto cfg = config_for(server);
  cfg.base_url = "https://localhost:" + std::to_string(server.port());
  cfg.ca_file = cert.cert_file;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::ok);
  BOOST_REQUIRE(!server.token_requests().empty());
  BOOST_TEST(boost::json::parse(server.token_requests()[0].body).at("ApiEndpoint").as_string() ==
             cfg.base_url + "/v1.0/numbers/order");
}

BOOST_AUTO_TEST_CASE(close_ends_an_in_flight_call_as_a_shutdown) {
  fake_telegent server(ioc);
  server.on_api = [&](const fake_request&) {
    fake_reply rep;
    rep.act = fake_reply::action::hang;
    return rep;
  };
  auto cfg = config_for(server);
  cfg.request_timeout = 10s;  // the close, not the timeout, must end it
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    bool done = false;
    asio::steady_timer finished(ioc, asio::steady_timer::time_point::max());
    asio::co_spawn(ioc, c.call(sample_port_in(), call_kind::submit_port_in, priority::command),
                   [&](std::exception_ptr, api_result res) {
                     r = std::move(res);
                     done = true;
                     finished.cancel();
                   });
    // Close once the server holds the request (it records it before hanging).
    while (server.api_requests().empty()) co_await asio::post(ioc, asio::use_awaitable);
    c.close();
    if (!done) co_await finished.async_wait(asio::as_tuple(asio::use_awaitable));
    server.stop();
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  BOOST_TEST(r.reason == "shutdown");
  BOOST_TEST(r.maybe_processed);  // the request had left
}

BOOST_AUTO_TEST_CASE(a_host_that_does_not_resolve_was_never_processed) {
  client_config cfg;
  cfg.base_url = "https://portd-test.invalid";  // RFC 6761: never resolves
  cfg.request_timeout = 2s;
  client c(ioc.get_executor(), cfg, bud);
  api_result r;
  run(ioc, [&]() -> asio::awaitable<void> {
    r = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
  });
  BOOST_TEST(r.outcome == call_outcome::transient);
  // resolve_failed, or timeout where the resolver itself hangs
  BOOST_TEST((r.reason == "resolve_failed" || r.reason == "timeout"), r.reason);
  BOOST_TEST(!r.maybe_processed);
}

BOOST_AUTO_TEST_CASE(a_failed_early_refresh_keeps_using_the_current_token) {
  fake_telegent server(ioc);
  int issued = 0;
  server.on_token = [&issued](const fake_request&) {
    fake_reply rep;
    if (++issued > 1) {
      rep.status = 503;
      return rep;
    }
    // Valid for 45 s: usable, but inside the 60 s margin, so every call tries to refresh it.
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 45s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char expiry[32];
    std::strftime(expiry, sizeof expiry, "%m/%d/%Y %I:%M:%S %p", &tm);
    rep.body = R"({"token":"only-1","successful":true,"tokenExpiry":")" + std::string(expiry) + R"("})";
    return rep;
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result first, second;
  run(ioc, [&]() -> asio::awaitable<void> {
    first = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    second = co_await c.call(sample_port_in(), call_kind::status, priority::poll);
    server.stop();
  });
  BOOST_TEST(first.outcome == call_outcome::ok);
  BOOST_TEST(second.outcome == call_outcome::ok);
  BOOST_TEST(server.token_requests().size() == 2u);
  const auto api = server.api_requests();
  BOOST_REQUIRE(api.size() == 2u);
  BOOST_TEST(api[1].authorization == "Bearer only-1");
}

BOOST_AUTO_TEST_CASE(a_submit_never_goes_into_a_connection_the_server_has_closed) {
  fake_telegent server(ioc);
  int answered = 0;
  server.on_api = [&answered](const fake_request&) {
    const std::string body = R"({"OrderId":"JNUOID-)" + std::to_string(++answered) + R"(","Status":"Pending"})";
    return answered == 1 ? answer_then_close(body) : fake_reply::with(200, body);  // keep-alive promised, then dropped
  };
  client c(ioc.get_executor(), config_for(server), bud);
  api_result first, second;
  run(ioc, [&]() -> asio::awaitable<void> {
    first = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    while (server.closed_after_reply() == 0) co_await asio::post(ioc, asio::use_awaitable);
    // Same endpoint, cached token: the idle connection is the dead one. A submit is never
    // resent by the transport, so only the check before reuse can keep this one unambiguous.
    second = co_await c.call(sample_port_in(), call_kind::submit_port_in, priority::command);
    server.stop();
  });
  BOOST_TEST(first.outcome == call_outcome::ok);
  BOOST_TEST(second.outcome == call_outcome::ok);
  BOOST_TEST(second.remote_order_id == "JNUOID-2");
  BOOST_TEST(!second.maybe_processed);
  BOOST_TEST(server.token_requests().size() == 1u);
  BOOST_TEST(server.api_requests().size() == 2u);
  BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
