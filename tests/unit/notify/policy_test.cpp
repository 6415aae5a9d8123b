// The notifier's pure parts: Standard Webhooks signatures (the spec's own test vector), the
// retry schedule, what an HTTP status means, and what a payload may carry (URLs: unit/http/url_test).
#include <portd/notify/policy.hpp>
#include <portd/notify/signature.hpp>
#include <portd/wire/objects.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace portd;
using namespace portd::notify;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(notify_policy)

BOOST_AUTO_TEST_CASE(signature_matches_the_standard_webhooks_vector) {
  // From the Standard Webhooks specification's reference libraries.
  auto key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  BOOST_REQUIRE(key);
  BOOST_TEST(sign(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", R"({"test": 2432232314})") ==
             "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  BOOST_TEST(verify(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", R"({"test": 2432232314})",
                    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  // Any change to id, timestamp or body fails.
  BOOST_TEST(!verify(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265331", R"({"test": 2432232314})",
                     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
  BOOST_TEST(!verify(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", R"({"test": 2432232315})",
                     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
}

BOOST_AUTO_TEST_CASE(rotation_signs_with_every_secret) {
  std::vector<std::string> keys{*signing_key("whsec_bmV3LXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMDE="),
                                *signing_key("whsec_b2xkLXNlY3JldC1mb3ItcG9ydGQtdGVzdHMtMDE=")};
  BOOST_TEST(keys[0] == "new-secret-for-portd-tests-01");
  const auto h = signature_header(keys, "evt_1", "1700000000", "{}");
  BOOST_TEST(h.find(' ') != std::string::npos);
  BOOST_TEST(verify("new-secret-for-portd-tests-01", "evt_1", "1700000000", "{}", h));
  BOOST_TEST(verify("old-secret-for-portd-tests-01", "evt_1", "1700000000", "{}", h));
  BOOST_TEST(!verify("a-third-secret", "evt_1", "1700000000", "{}", h));
}

BOOST_AUTO_TEST_CASE(only_a_standard_webhooks_secret_gives_a_key) {
  // Before: a secret without "whsec_" was the key as it is, so every library's verifier (which
  // base64-decodes whatever follows an optional "whsec_") derived another key and refused.
  BOOST_TEST(!signing_key("old-raw-secret-of-enough-length"));
  BOOST_TEST(!signing_key("whsec_not base64!"));
  BOOST_TEST(!signing_key("whsec_bmV3LXNlY3JldA=="));  // 10 bytes: under the spec's 24
}

BOOST_AUTO_TEST_CASE(retry_schedule_doubles_up_to_the_cap_then_gives_up) {
  retry_schedule s;  // 5 s doubling, 1 h cap, 3 days
  BOOST_TEST(s.next_delay(1)->count() == 5000);
  BOOST_TEST(s.next_delay(2)->count() == 10000);
  BOOST_TEST(s.next_delay(3)->count() == 20000);
  BOOST_TEST(*s.next_delay(12) == std::chrono::milliseconds(std::chrono::hours(1)));  // 5 s·2^11 > 1 h
  // The waits add up to at most three days, then the row is a dead letter.
  std::chrono::milliseconds total{0};
  int n = 1;
  for (; auto d = s.next_delay(n); ++n) total += *d;
  BOOST_TEST(total <= std::chrono::milliseconds(std::chrono::hours(72)));
  BOOST_TEST(total > std::chrono::milliseconds(std::chrono::hours(71)));
  BOOST_TEST(n == s.max_attempts());
  BOOST_TEST(n > 70);

  retry_schedule quick{100ms, 400ms, 1s};
  BOOST_TEST(quick.next_delay(1)->count() == 100);
  BOOST_TEST(quick.next_delay(3)->count() == 400);
  BOOST_TEST(!quick.next_delay(4));  // 100+200+400+400 = 1100 ms > 1 s: a dead letter
}

BOOST_AUTO_TEST_CASE(http_status_verdicts) {
  BOOST_TEST(classify(200) == verdict::delivered);
  BOOST_TEST(classify(204) == verdict::delivered);
  BOOST_TEST(classify(410) == verdict::disabled);
  BOOST_TEST(classify(0) == verdict::retry);
  BOOST_TEST(classify(301) == verdict::retry);
  BOOST_TEST(classify(404) == verdict::retry);
  BOOST_TEST(classify(429) == verdict::retry);
  BOOST_TEST(classify(500) == verdict::retry);
}

BOOST_AUTO_TEST_CASE(payload_carries_no_secrets) {
  porting::order o;
  o.id = 42;
  o.kind = porting::order_kind::port_in;
  o.number = "+18015551234";
  o.state = porting::order_state::scheduled;
  o.remote_order_id = "JNUOID-1";
  o.remote_status = "Scheduled";
  o.client_ref = "crm-1";
  o.details.account_number = "ACCT-CANARY-1111";
  o.details.billing_address.street1 = "STREET-CANARY";
  o.details.account_id = "AID-1";
  o.details.subscriber_id = "TSUID-1";
  o.secrets.account_pin = "PIN-CANARY";
  o.secrets.port_out_pin = "POPIN-CANARY";
  porting::stored_event e;
  e.id = 1017;
  e.order_id = 42;
  e.seq = 5;
  e.record.type = porting::event_type::state_changed;
  e.record.from_state = porting::order_state::carrier_approval;
  e.record.to_state = porting::order_state::scheduled;
  e.record.raw = R"({"RAW-CANARY":1})";
  const auto body = render_body(e, &o);
  for (auto canary : {"PIN-CANARY", "POPIN-CANARY", "ACCT-CANARY", "STREET-CANARY", "RAW-CANARY"})
    BOOST_TEST(body.find(canary) == std::string::npos, canary);
  auto j = boost::json::parse(body).as_object()["data"].as_object();
  BOOST_TEST(j["event"].as_object()["id"].as_int64() == 1017);
  BOOST_TEST(j["event"].as_object()["type"].as_string() == "order.state_changed");
  auto& ord = j["order"].as_object();
  BOOST_TEST(ord["state"].as_string() == "scheduled");
  BOOST_TEST(ord["account_id"].as_string() == "AID-1");
  BOOST_TEST(ord["subscriber_id"].as_string() == "TSUID-1");
  BOOST_TEST(ord["group"].is_null());
  BOOST_TEST(message_id(1017) == "evt_1017");
  BOOST_TEST(boost::json::parse(render_body(e, nullptr, body_format::portd_v1)).as_object()["order"].is_null());
}

BOOST_AUTO_TEST_CASE(the_body_has_the_standard_webhooks_shape_unless_the_sink_asks_for_portd_v1) {
  porting::order o;
  o.id = 42;
  o.number = "+18015551234";
  o.state = porting::order_state::scheduled;
  porting::stored_event e;
  e.id = 1017;
  e.order_id = 42;
  e.seq = 5;
  e.at = porting::parse_time("2026-11-26T17:00:00.250Z").value();
  e.record.type = porting::event_type::state_changed;
  e.record.from_state = porting::order_state::carrier_approval;
  e.record.to_state = porting::order_state::scheduled;
  auto j = boost::json::parse(render_body(e, &o)).as_object();
  BOOST_TEST(j.size() == 3u);
  BOOST_TEST(j["type"].as_string() == "order.state_changed");
  BOOST_TEST(j["timestamp"].as_string() == "2026-11-26T17:00:00.250Z");  // RFC 3339, the event's time
  auto& data = j["data"].as_object();
  BOOST_TEST(data["event"].as_object()["id"].as_int64() == 1017);
  BOOST_TEST(data["order"].as_object()["id"].as_int64() == 42);
  // portd-v1: today's {event, order}, exactly what data holds.
  auto v1 = boost::json::parse(render_body(e, &o, body_format::portd_v1)).as_object();
  BOOST_TEST(v1 == data);
  BOOST_TEST(parse_body_format("portd-v1").value() == body_format::portd_v1);
  BOOST_TEST(parse_body_format("standard").value() == body_format::standard);
  BOOST_TEST(!parse_body_format("v2"));
}

// A receiver learns from the webhook alone whether and why an order waits for an operator: the
// body's order carries the attention fields with the values the socket's order object shows.
BOOST_AUTO_TEST_CASE(the_webhook_order_says_whether_and_why_it_needs_an_operator_as_the_socket_does) {
  porting::order o;
  o.id = 42;
  o.number = "+18015551234";
  o.state = porting::order_state::cancelling;
  o.attention = porting::attention_kind::cancel_refused;
  o.attention_reason = "Telegent refused the cancel: the port goes on";
  o.secrets.account_pin = "PIN-CANARY";
  o.details.account_number = "ACCT-CANARY-1111";
  porting::stored_event e;
  e.id = 1018;
  e.order_id = 42;
  e.record.type = porting::event_type::needs_attention;
  std::string socket_text;
  wire::write_order(socket_text, o);
  auto socket = boost::json::parse(socket_text).as_object();
  for (auto format : {body_format::standard, body_format::portd_v1}) {
    const auto body = render_body(e, &o, format);
    for (auto canary : {"PIN-CANARY", "ACCT-CANARY"}) BOOST_TEST(body.find(canary) == std::string::npos, canary);
    auto j = boost::json::parse(body).as_object();
    auto& ord = (format == body_format::standard ? j["data"].as_object() : j)["order"].as_object();
    BOOST_TEST(ord["needs_attention"] == boost::json::value(true));
    BOOST_TEST(ord["attention_kind"] == boost::json::value("cancel_refused"));
    BOOST_TEST(ord["attention_reason"] == boost::json::value("Telegent refused the cancel: the port goes on"));
    for (auto key : {"needs_attention", "attention_kind", "attention_reason"})
      BOOST_TEST(ord[key] == socket[key], key << ": the webhook and the socket differ");
  }
  o.attention = porting::attention_kind::none;
  o.attention_reason.clear();
  auto calm = boost::json::parse(render_body(e, &o)).as_object()["data"].as_object()["order"].as_object();
  BOOST_TEST(calm["needs_attention"] == boost::json::value(false));
  BOOST_TEST(calm["attention_kind"] == boost::json::value("none"));
  BOOST_TEST(calm["attention_reason"] == boost::json::value(""));
}

BOOST_AUTO_TEST_SUITE_END()
