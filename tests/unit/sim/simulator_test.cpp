// Unit tests: the simulator's request -> response function (no sockets): auth, validation,
// problem details, 429 styles and violations, the duplicate guard, stats, /_sim, each fault's
// effect, and the --listen parser.
#include <telegent_sim/server.hpp>  // parse_listen
#include <telegent_sim/simulator.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

namespace sim_test {

using namespace telegent_sim;
using namespace std::chrono_literals;

inline const real_time t0 = std::chrono::time_point_cast<std::chrono::microseconds>(
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 9h);

inline const char* const valid_port_in_fields =
    R"("CurrentCarrierName":"Verizon","CurrentAccountNumber":"123","CurrentAccountPassword":"9999",)"
    R"("CurrentBillingAddress":{"Street1":"1 Main St","City":"Detroit","State":"MI","Zip":"48201"})";

inline std::string port_in_body(const std::string& number, const std::string& extra = "") {
  return R"({"PortInNumber":")" + number + R"(",)" + valid_port_in_fields + extra + "}";
}

inline sim_config test_config() {
  sim_config c;
  c.seed = 42;
  return c;
}

struct sim_fixture {
  explicit sim_fixture(sim_config c = test_config()) : sim(std::move(c), t0) {}

  sim_response call(std::string method, std::string target, std::string body = "", std::string token = "") {
    sim_request req{std::move(method), std::move(target), token.empty() ? "" : "Bearer " + token, std::move(body)};
    return sim.handle(req, now);
  }

  std::string token(const std::string& path) {
    const auto r = call("POST", "/v1.0/oauth2/tokens",
                        R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"https://api.telegent.com)" +
                            path + R"("})");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    return std::string(boost::json::parse(r.body).at("token").as_string());
  }

  std::string submit(const std::string& number) {
    const auto r = call("POST", "/v1.0/numbers/portin", port_in_body(number), token("/v1.0/numbers/portin"));
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    return std::string(boost::json::parse(r.body).at("OrderId").as_string());
  }

  sim_response get_order(const std::string& id) {
    return call("GET", "/v1.0/numbers/order?OrderId=" + id, "", token("/v1.0/numbers/order"));
  }

  static boost::json::object json(const sim_response& r) { return boost::json::parse(r.body).as_object(); }

  static std::string header(const sim_response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  simulator sim;
  real_time now = t0;
};

inline sim_config unlimited() {
  sim_config c = test_config();
  c.rate_limit.requests_per_minute = 0;
  return c;
}

}  // namespace sim_test

using namespace sim_test;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(simulator_api)

BOOST_AUTO_TEST_CASE(token_response_shape_and_scope) {
  sim_fixture f;
  const auto r = f.call("POST", "/v1.0/OAuth2/tokens",
                        R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"https://api.telegent.com/v1.0/numbers/portin/eligibility"})");
  BOOST_TEST(r.status == 200u);
  const auto o = sim_fixture::json(r);
  BOOST_TEST(o.at("successful").as_bool());
  BOOST_TEST(o.at("tokenExpiry").as_string() == "01/05/2026 09:05:00 AM");
  const std::string tok(o.at("token").as_string());
  const auto ok = f.call("POST", "/v1.0/numbers/portin/eligibility",
                         R"({"PhoneNumber":"+15555551230","TargetClassification":"mvno"})", tok);
  BOOST_TEST(ok.status == 200u);
  BOOST_TEST(sim_fixture::json(ok).at("Eligible").as_bool());
  const auto wrong = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), tok);
  BOOST_TEST(wrong.status == 401u);
  BOOST_TEST(sim_fixture::json(wrong).at("errors").at("Auth").as_array().size() == 1u);
  BOOST_TEST(sim_fixture::header(wrong, "WWW-Authenticate") == "Bearer");
  f.now += 300s;
  const auto expired = f.call("POST", "/v1.0/numbers/portin/eligibility",
                              R"({"PhoneNumber":"+15555551230","TargetClassification":"mvno"})", tok);
  BOOST_TEST(expired.status == 401u);
  BOOST_TEST(sim_fixture::json(expired).at("detail").as_string() == "Token expired");
}

BOOST_AUTO_TEST_CASE(bad_credentials_missing_token_and_missing_fields) {
  sim_fixture f;
  const auto bad = f.call("POST", "/v1.0/oauth2/tokens",
                          R"({"AccountKey":"DID-sim","AccountSecret":"x","ApiEndpoint":"https://api.telegent.com/v1.0/numbers/order"})");
  BOOST_TEST(bad.status == 401u);
  BOOST_TEST(sim_fixture::json(bad).at("errors").at("Auth").at(0).as_string() == "Invalid account credentials provided");
  const auto no_endpoint = f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret"})");
  BOOST_TEST(no_endpoint.status == 400u);
  BOOST_TEST(sim_fixture::json(no_endpoint).at("errors").as_object().contains("$.ApiEndpoint"));
  const auto missing = f.call("GET", "/v1.0/numbers/order?OrderId=JNUOID-x");
  BOOST_TEST(missing.status == 401u);
}

BOOST_AUTO_TEST_CASE(validation_names_each_field) {
  sim_fixture f;
  const auto tok = f.token("/v1.0/numbers/portin");
  const auto r = f.call("POST", "/v1.0/numbers/portin",
                        R"({"PortInNumber":"5555","CurrentBillingAddress":{"Street1":"x","City":"y","State":"Michigan","Zip":"48201"},"PortInDate":"05/01/2026","ICCID":"123"})",
                        tok);
  BOOST_TEST(r.status == 400u);
  BOOST_TEST(r.content_type.starts_with("application/problem+json"));
  const auto o = sim_fixture::json(r);
  BOOST_TEST(o.at("status").as_int64() == 400);
  const auto& errors = o.at("errors").as_object();
  for (const char* field : {"$.PortInNumber", "$.CurrentCarrierName", "$.CurrentAccountNumber", "$.CurrentAccountPassword",
                            "$.CurrentBillingAddress.State", "$.PortInDate", "$.ICCID"})
    BOOST_TEST(errors.contains(field), field);
  BOOST_TEST(!errors.contains("$.CurrentBillingAddress.Zip"));
  BOOST_TEST(o.contains("traceId"));
  const auto malformed = f.call("POST", "/v1.0/numbers/portin", "{not json", tok);
  BOOST_TEST(malformed.status == 400u);
  BOOST_TEST(sim_fixture::json(malformed).at("errors").as_object().contains("$"));
}

BOOST_AUTO_TEST_CASE(pascal_casing_of_problem_details) {
  sim_config c = test_config();
  c.casing = problem_casing::pascal;
  sim_fixture f(c);
  const auto r = f.call("POST", "/v1.0/oauth2/tokens", "{}");
  const auto o = sim_fixture::json(r);
  for (const char* k : {"Type", "Title", "Status", "Errors", "TraceId"}) BOOST_TEST(o.contains(k), k);
  BOOST_TEST(!o.contains("status"));
}

BOOST_AUTO_TEST_CASE(not_found_and_wrong_method) {
  sim_fixture f;
  const auto r404 = f.get_order("JNUOID-00000000000000000000000000000000");
  BOOST_TEST(r404.status == 404u);
  const auto r405 = f.call("GET", "/v1.0/numbers/portin");
  BOOST_TEST(r405.status == 405u);
  BOOST_TEST(sim_fixture::header(r405, "Allow") == "POST");
  BOOST_TEST(f.call("POST", "/v1.0/nothing", "{}").status == 404u);
  BOOST_TEST(f.call("GET", "/v1.0/numbers/order", "", f.token("/v1.0/numbers/order")).status == 400u);
}

BOOST_AUTO_TEST_CASE(submit_order_update_cancel_round_trip) {
  sim_fixture f(unlimited());
  const auto sub = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551235", R"(,"ICCID":"8901260123456789012F")"),
                          f.token("/v1.0/numbers/portin"));
  BOOST_TEST(sub.status == 200u);
  const auto s = sim_fixture::json(sub);
  const std::string id(s.at("OrderId").as_string());
  BOOST_TEST(id.size() == 7u + 32u);
  BOOST_TEST(id.starts_with("JNUOID-"));
  BOOST_TEST(s.at("Status").as_string() == "Pending");
  BOOST_TEST(s.at("ICCID").as_string() == "8901260123456789012F");
  BOOST_TEST(s.at("OrderDate").as_string() == "2026-01-05T09:00:00.0000000+00:00");
  f.now += 48h;
  const auto o = sim_fixture::json(f.get_order(id));
  BOOST_TEST(o.at("OrderStatus").as_string() == "Rejected");
  BOOST_TEST(o.at("OrderStatusMessage").as_string() == "1P-Other: name or account mismatch");
  BOOST_TEST(o.at("OrderType").as_string() == "portin");
  BOOST_TEST(o.at("PhoneNumbersOrdered").at(0).at("Number").as_string() == "+15555551235");
  const auto upd = f.call("POST", "/v1.0/numbers/portin/update", R"({"OrderId":")" + id + R"(","SubscriberName":"Ann Lee"})",
                          f.token("/v1.0/numbers/portin/update"));
  BOOST_TEST(upd.status == 200u);
  BOOST_TEST(sim_fixture::json(upd).at("Status").as_string() == "Updated");
  BOOST_TEST(sim_fixture::json(f.get_order(id)).at("OrderStatus").as_string() == "Pending");
  const auto can = f.call("POST", "/v1.0/numbers/portin/cancel", R"({"OrderId":")" + id + R"("})",
                          f.token("/v1.0/numbers/portin/cancel"));
  BOOST_TEST(can.status == 200u);
  BOOST_TEST(sim_fixture::json(can).at("Status").as_string() == "Cancelled");
  const auto upd2 = f.call("POST", "/v1.0/numbers/portin/update", R"({"OrderId":")" + id + R"("})",
                           f.token("/v1.0/numbers/portin/update"));
  BOOST_TEST(upd2.status == 409u);
  const auto unknown = f.call("POST", "/v1.0/numbers/portin/cancel", R"({"OrderId":"JNUOID-nope"})",
                              f.token("/v1.0/numbers/portin/cancel"));
  BOOST_TEST(unknown.status == 404u);
}

BOOST_AUTO_TEST_CASE(ineligible_submit_gets_422_and_duplicate_gets_409) {
  sim_fixture f(unlimited());
  const auto el = f.call("POST", "/v1.0/numbers/portin/eligibility",
                         R"({"PhoneNumber":"+15555551234","TargetClassification":"mvno"})",
                         f.token("/v1.0/numbers/portin/eligibility"));
  BOOST_TEST(!sim_fixture::json(el).at("Eligible").as_bool());
  const auto tok = f.token("/v1.0/numbers/portin");
  BOOST_TEST(f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551234"), tok).status == 422u);
  BOOST_TEST(f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), tok).status == 200u);
  const auto dup = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), tok);
  BOOST_TEST(dup.status == 409u);
  BOOST_TEST(sim_fixture::json(dup).at("errors").as_object().contains("$.PortInNumber"));
  const auto st = f.sim.stats(f.now);
  BOOST_TEST(st.duplicate_submits == 1u);
  BOOST_TEST(st.orders_created_per_number.at("+15555551230") == 1u);
  BOOST_TEST(st.requests.at("portin").at("409") == 1u);
}

BOOST_AUTO_TEST_CASE(port_out_order) {
  sim_fixture f(unlimited());
  const auto r = f.call("POST", "/v1.0/numbers/portout", R"({"PortOutNumber":"+17746996223","PortOutPIN":"1234"})",
                        f.token("/v1.0/numbers/portout"));
  BOOST_TEST(r.status == 200u);
  const std::string id(sim_fixture::json(r).at("OrderId").as_string());
  BOOST_TEST(id.starts_with("JNUOID-"));
  f.now += 2h;
  const auto o = sim_fixture::json(f.get_order(id));
  BOOST_TEST(o.at("OrderStatus").as_string() == "Port Out Complete");
  BOOST_TEST(o.at("OrderType").as_string() == "portout");
  // The cancel endpoint takes port-out OrderIds too.
  const auto r2 = f.call("POST", "/v1.0/numbers/portout", R"({"PortOutNumber":"+17746996221","PortOutPIN":"1234"})",
                         f.token("/v1.0/numbers/portout"));
  const std::string id2(sim_fixture::json(r2).at("OrderId").as_string());
  const auto can = f.call("POST", "/v1.0/numbers/portin/cancel", R"({"OrderId":")" + id2 + R"("})",
                          f.token("/v1.0/numbers/portin/cancel"));
  BOOST_TEST(can.status == 200u);
  BOOST_TEST(sim_fixture::json(f.get_order(id2)).at("OrderStatus").as_string() == "Cancelled");
  // A completed port-out cannot be cancelled.
  BOOST_TEST(f.call("POST", "/v1.0/numbers/portin/cancel", R"({"OrderId":")" + id + R"("})",
                    f.token("/v1.0/numbers/portin/cancel")).status == 409u);
  BOOST_TEST(f.call("POST", "/v1.0/numbers/portout", R"({"PortOutNumber":"+17746996223"})", f.token("/v1.0/numbers/portout")).status ==
             400u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(simulator_rate_limit)

BOOST_AUTO_TEST_CASE(token_calls_count_and_retry_after_seconds) {
  sim_fixture f;
  const std::string tok = f.token("/v1.0/numbers/order");
  for (int i = 0; i < 9; ++i) f.token("/v1.0/numbers/order");  // the burst of 10
  const auto r = f.call("POST", "/v1.0/oauth2/tokens",
                        R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/v1.0/numbers/order"})");
  BOOST_TEST(r.status == 429u);
  BOOST_TEST(sim_fixture::header(r, "Retry-After") == "2");
  f.now += 1s;
  BOOST_TEST(f.call("GET", "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok).status == 429u);  // too early: a violation
  auto st = f.sim.stats(f.now);
  BOOST_TEST(st.violations == 1u);
  BOOST_TEST(st.rate_limited == 2u);
  BOOST_REQUIRE(st.violation_log.size() == 1u);  // when it came, and the wait it broke
  BOOST_TEST(st.violation_log[0].at_ms - st.violation_log[0].last_told_at_ms == 1000);
  BOOST_TEST(st.violation_log[0].told_until_ms - st.violation_log[0].last_told_at_ms == 2000);
  f.now += 1s;  // the wait told has passed; a token has refilled
  BOOST_TEST(f.call("POST", "/v1.0/oauth2/tokens",
                    R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/v1.0/numbers/order"})")
                 .status == 200u);
  BOOST_TEST(f.sim.stats(f.now).violations == 1u);
}

// A bucket's 429 is logged with how long the simulator's own loop had stalled then, so that a
// benchmark can tell a client that sent too fast from requests that arrived spaced out while
// the simulator was not running and met a bucket that had stopped filling at its burst.
BOOST_AUTO_TEST_CASE(a_refusal_records_how_long_the_loop_had_stalled) {
  sim_config c = test_config();
  c.rate_limit = {60, 1};
  sim_fixture f(c);
  f.sim.loop_tick(f.now + 5ms, 0us);  // the probe is on time
  f.token("/x");
  BOOST_TEST(f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})")
                 .status == 429u);  // sent too fast: the loop ran all along
  f.now += 2s;  // the next tick was due 5 ms after the last; it never came
  f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})");
  BOOST_TEST(f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})")
                 .status == 429u);
  f.sim.loop_tick(f.now + 5ms, 300ms);  // a tick 300 ms late, and then nothing for a second
  f.now += 1s;
  f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})");
  f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})");
  const auto st = f.sim.stats(f.now);
  BOOST_REQUIRE(st.refusal_log.size() == 3u);
  BOOST_TEST(st.refusal_log[0].loop_stall_ms == 0);
  BOOST_TEST(st.refusal_log[1].loop_stall_ms == 1995);
  BOOST_TEST(st.refusal_log[2].loop_stall_ms == 995);
}

BOOST_AUTO_TEST_CASE(retry_after_as_http_date_or_in_the_body) {
  {
    sim_config c = test_config();
    c.rate_limit = {60, 1};
    c.retry_after = retry_after_style::http_date;
    sim_fixture f(c);
    f.token("/x");
    const auto r = f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})");
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(sim_fixture::header(r, "Retry-After") == "Mon, 05 Jan 2026 09:00:01 GMT");
  }
  {
    sim_config c = test_config();
    c.rate_limit = {60, 1};
    c.retry_after = retry_after_style::body;
    sim_fixture f(c);
    f.token("/x");
    const auto r = f.call("POST", "/v1.0/oauth2/tokens", R"({"AccountKey":"DID-sim","AccountSecret":"sim-secret","ApiEndpoint":"/x"})");
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(sim_fixture::header(r, "Retry-After").empty());
    BOOST_TEST(sim_fixture::json(r).at("RetryAfter").as_string() == "1");
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(simulator_stats_and_control)

BOOST_AUTO_TEST_CASE(flips_and_detection_latency) {
  sim_fixture f(unlimited());
  const std::string id = f.submit("+15555551230");
  f.now += 15min;  // Submitted flipped 5 minutes ago
  BOOST_TEST(sim_fixture::json(f.get_order(id)).at("OrderStatus").as_string() == "Submitted");
  f.now += 1min;
  f.get_order(id);  // a second sighting changes nothing
  const auto st = f.sim.stats(f.now);
  BOOST_REQUIRE(st.flips.size() == 1u);
  BOOST_TEST(st.flips[0].status == "Submitted");
  BOOST_TEST(st.flips[0].number == "+15555551230");
  BOOST_TEST(st.flips[0].flip_at_ms == epoch_ms(t0 + 10min));
  BOOST_TEST(*st.flips[0].observed_at_ms == epoch_ms(t0 + 15min));
  BOOST_TEST(*st.detection_latency.p50_ms == 5 * 60 * 1000);
  BOOST_TEST(st.detection_latency.count == 1u);
  const auto j = to_json(st);
  BOOST_TEST(j.at("flips").at(0).at("observed_at_ms").as_int64() == epoch_ms(t0 + 15min));
  BOOST_TEST(j.at("detection_latency_ms").at("p95").as_int64() == 5 * 60 * 1000);
}

BOOST_AUTO_TEST_CASE(control_time_force_and_reset) {
  sim_fixture f(unlimited());
  const std::string id = f.submit("+15555551238");
  auto t = f.call("POST", "/_sim/time", R"({"scale":3600,"advance_seconds":7200})");
  BOOST_TEST(t.status == 200u);
  BOOST_TEST(sim_fixture::json(f.get_order(id)).at("OrderStatus").as_string() == "Pending Carrier Approval");
  BOOST_TEST(f.sim.clock().scale() == 3600.0);
  BOOST_TEST(f.call("POST", "/_sim/time", R"({"scale":0})").status == 400u);
  const auto forced = f.call("POST", "/_sim/orders/" + id + "/status", R"({"status":"Completed","message":"done by hand"})");
  BOOST_TEST(forced.status == 200u);
  const auto o = sim_fixture::json(f.get_order(id));
  BOOST_TEST(o.at("OrderStatus").as_string() == "Completed");
  BOOST_TEST(o.at("OrderStatusMessage").as_string() == "done by hand");
  BOOST_TEST(f.call("POST", "/_sim/orders/JNUOID-none/status", R"({"status":"Completed"})").status == 404u);
  BOOST_TEST(f.call("GET", "/_sim/stats").status == 200u);
  BOOST_TEST(f.call("POST", "/_sim/stats").status == 405u);
  BOOST_TEST(f.call("POST", "/_sim/reset").status == 200u);
  BOOST_TEST(f.get_order(id).status == 404u);
  BOOST_TEST(f.sim.clock().scale() == 1.0);
  BOOST_TEST(f.sim.stats(f.now).requests_total == 2u);  // the token and order calls since
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

namespace {
fault_profile only(std::string_view endpoint, fault_kind k) {
  fault_profile p;
  p.endpoints[std::string(endpoint)][k] = 1.0;
  return p;
}
}  // namespace

BOOST_AUTO_TEST_CASE(injector_decides_by_probability_endpoint_and_limit) {
  for (std::string_view name : {"status_408", "status_500", "status_502", "status_503", "status_504", "status_429", "delay",
                                "hang", "reset_before", "reset_after", "truncated_json", "unknown_status", "missing_field"}) {
    const auto kind = fault_kind_from(name);
    BOOST_REQUIRE(kind.has_value());
    BOOST_TEST(to_string(*kind) == name);
    fault_profile p;
    p.global[*kind] = 1.0;
    fault_injector inj(p, 1);
    BOOST_TEST(inj.decide("order") == *kind);
  }
  fault_profile p = only("portin", fault_kind::status_503);
  p.global[fault_kind::status_500] = 0.0;
  p.limit = 2;
  fault_injector inj(p, 1);
  BOOST_TEST(inj.decide("order") == fault_kind::none);
  BOOST_TEST(inj.decide("portin") == fault_kind::status_503);
  BOOST_TEST(inj.decide("portin") == fault_kind::status_503);
  BOOST_TEST(inj.decide("portin") == fault_kind::none);  // the limit is spent
}

BOOST_AUTO_TEST_CASE(same_seed_same_faults_at_the_given_rate) {
  fault_profile p;
  p.global[fault_kind::status_500] = 0.3;
  fault_injector a(p, 7), b(p, 7);
  int hits = 0;
  for (int i = 0; i < 10000; ++i) {
    const auto k = a.decide("order");
    BOOST_TEST_REQUIRE(k == b.decide("order"));
    hits += k == fault_kind::status_500;
  }
  BOOST_TEST(hits > 2800);
  BOOST_TEST(hits < 3200);
}

BOOST_AUTO_TEST_CASE(profile_json_round_trip_and_errors) {
  std::string error;
  const auto p = parse_fault_profile(
      json::parse(R"({"global":{"status_503":0.1},"endpoints":{"order":{"hang":0.5}},"delay_ms":250,"retry_after":9,"limit":3,"reset_after":0.2})"),
      error);
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->global.at(fault_kind::status_503) == 0.1);
  BOOST_TEST(p->global.at(fault_kind::reset_after) == 0.2);
  BOOST_TEST(p->endpoints.at("order").at(fault_kind::hang) == 0.5);
  BOOST_TEST(p->delay.count() == 250);
  BOOST_TEST(p->retry_after.count() == 9);
  BOOST_TEST(*p->limit == 3u);
  BOOST_TEST(parse_fault_profile(to_json(*p), error).has_value());
  BOOST_TEST(!parse_fault_profile(json::parse(R"({"global":{"status_999":0.1}})"), error).has_value());
  BOOST_TEST(!parse_fault_profile(json::parse(R"({"global":{"hang":1.5}})"), error).has_value());
  BOOST_TEST(!parse_fault_profile(json::parse(R"({"endpoints":{"nowhere":{"hang":1}}})"), error).has_value());
}

BOOST_AUTO_TEST_CASE(status_faults_answer_without_processing) {
  for (auto [kind, status] : std::initializer_list<std::pair<fault_kind, unsigned>>{{fault_kind::status_408, 408},
                                                                                  {fault_kind::status_500, 500},
                                                                                  {fault_kind::status_502, 502},
                                                                                  {fault_kind::status_503, 503},
                                                                                  {fault_kind::status_504, 504}}) {
    sim_fixture f(unlimited());
    f.sim.faults().set_profile(only("portin", kind));
    const auto r = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), f.token("/v1.0/numbers/portin"));
    BOOST_TEST(r.status == status);
    BOOST_TEST(sim_fixture::json(r).at("status").as_int64() == status);
    const auto st = f.sim.stats(f.now);
    BOOST_TEST(st.orders_created_per_number.empty());
    BOOST_TEST(st.faults_injected.at(std::string(to_string(kind))) == 1u);
  }
}

BOOST_AUTO_TEST_CASE(status_429_fault_tells_a_wait_that_counts_violations) {
  sim_fixture f;
  fault_profile p = only("order", fault_kind::status_429);
  p.retry_after = 7s;
  p.limit = 1;
  f.sim.faults().set_profile(p);
  const auto tok = f.token("/v1.0/numbers/order");
  const auto r = f.call("GET", "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok);
  BOOST_TEST(r.status == 429u);
  BOOST_TEST(sim_fixture::header(r, "Retry-After") == "7");
  f.now += 3s;
  BOOST_TEST(f.call("GET", "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok).status == 429u);
  BOOST_TEST(f.sim.stats(f.now).violations == 1u);
  f.now += 4s;
  BOOST_TEST(f.call("GET", "/v1.0/numbers/order?OrderId=JNUOID-x", "", tok).status == 404u);
}

BOOST_AUTO_TEST_CASE(delay_hang_and_reset_before) {
  sim_fixture f(unlimited());
  const auto tok = f.token("/v1.0/numbers/portin");
  fault_profile p = only("portin", fault_kind::delay);
  p.delay = 1500ms;
  f.sim.faults().set_profile(p);
  const sim_request req{"POST", "/v1.0/numbers/portin", "Bearer " + tok, port_in_body("+15555551230")};
  const auto first = f.sim.handle(req, f.now);
  BOOST_TEST((first.action == transport_action::delay));
  BOOST_TEST(first.delay.count() == 1500);
  BOOST_TEST(f.sim.stats(f.now).orders_created_per_number.empty());
  const auto second = f.sim.handle(req, f.now + 1500ms, handling_pass::after_delay);
  BOOST_TEST((second.action == transport_action::respond));
  BOOST_TEST(second.status == 200u);

  f.sim.faults().set_profile(only("portin", fault_kind::hang));
  BOOST_TEST((f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551231"), tok).action == transport_action::hang));
  f.sim.faults().set_profile(only("portin", fault_kind::reset_before));
  BOOST_TEST((f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551232"), tok).action == transport_action::reset));
  const auto st = f.sim.stats(f.now);
  BOOST_TEST(st.orders_created_per_number.size() == 1u);  // only the delayed one
  BOOST_TEST(st.requests.at("portin").at("hang") == 1u);
  BOOST_TEST(st.requests.at("portin").at("reset_before") == 1u);
}

BOOST_AUTO_TEST_CASE(reset_after_creates_the_order_without_answering) {
  sim_fixture f(unlimited());
  const auto tok = f.token("/v1.0/numbers/portin");
  f.sim.faults().set_profile(only("portin", fault_kind::reset_after));
  const auto r = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), tok);
  BOOST_TEST((r.action == transport_action::reset));
  f.sim.faults().set_profile({});
  // The client retries blindly: the order exists, so the retry is a duplicate.
  BOOST_TEST(f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551230"), tok).status == 409u);
  const auto st = f.sim.stats(f.now);
  BOOST_TEST(st.orders_created_per_number.at("+15555551230") == 1u);
  BOOST_TEST(st.duplicate_submits == 1u);
  BOOST_TEST(st.requests.at("portin").at("reset_after") == 1u);
}

BOOST_AUTO_TEST_CASE(truncated_unknown_status_and_missing_field_hide_the_status) {
  sim_fixture f(unlimited());
  const std::string id = f.submit("+15555551230");
  f.now += 11min;  // Submitted
  f.sim.faults().set_profile(only("order", fault_kind::truncated_json));
  const auto t = f.get_order(id);
  BOOST_TEST(t.status == 200u);
  boost::system::error_code ec;
  json::parse(t.body, ec);
  BOOST_TEST(ec.failed());

  f.sim.faults().set_profile(only("order", fault_kind::unknown_status));
  BOOST_TEST(sim_fixture::json(f.get_order(id)).at("OrderStatus").as_string() == "Awaiting Paperwork");

  f.sim.faults().set_profile(only("order", fault_kind::missing_field));
  const auto m = sim_fixture::json(f.get_order(id));
  BOOST_TEST(!m.contains("OrderStatus"));
  BOOST_TEST(m.contains("OrderId"));
  BOOST_TEST(!f.sim.stats(f.now).flips[0].observed_at_ms.has_value());  // nobody saw Submitted yet

  f.sim.faults().set_profile(only("portin", fault_kind::missing_field));
  const auto s = f.call("POST", "/v1.0/numbers/portin", port_in_body("+15555551231"), f.token("/v1.0/numbers/portin"));
  BOOST_TEST(s.status == 200u);
  BOOST_TEST(!sim_fixture::json(s).contains("OrderId"));

  f.sim.faults().set_profile({});
  f.get_order(id);
  BOOST_TEST(f.sim.stats(f.now).flips[0].observed_at_ms.has_value());
}

BOOST_AUTO_TEST_CASE(faults_set_over_the_control_endpoint) {
  sim_fixture f(unlimited());
  const auto r = f.call("POST", "/_sim/faults", R"({"seed":5,"endpoints":{"order":{"status_503":1.0}},"limit":1})");
  BOOST_TEST(r.status == 200u);
  BOOST_TEST(f.get_order("JNUOID-x").status == 503u);
  BOOST_TEST(f.get_order("JNUOID-x").status == 404u);
  BOOST_TEST(f.call("POST", "/_sim/faults", R"({"global":{"bogus":1}})").status == 400u);
  BOOST_TEST(f.call("GET", "/_sim/faults").status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(listen_address)

BOOST_AUTO_TEST_CASE(parse_listen_forms) {
  BOOST_TEST(parse_listen("127.0.0.1:0")->first == "127.0.0.1");
  BOOST_TEST(parse_listen("127.0.0.1:8080")->second == 8080);
  BOOST_TEST(parse_listen("localhost:9")->first == "127.0.0.1");
  BOOST_TEST(parse_listen("[::1]:80")->first == "::1");
  BOOST_TEST(!parse_listen("127.0.0.1").has_value());
  BOOST_TEST(!parse_listen("127.0.0.1:70000").has_value());
  BOOST_TEST(!parse_listen("nohost:80").has_value());
  BOOST_TEST(!parse_listen(":80").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
