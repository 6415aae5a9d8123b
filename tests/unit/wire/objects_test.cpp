// wire/objects: the order and event objects as PROTOCOL.md shows them (no secrets, masked
// account number, nulls, every byte kept).
#include <portd/wire/objects.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace portd;
using namespace portd::wire;

namespace {

porting::time_point t0() { return porting::time_point(std::chrono::milliseconds(1795000000000)); }

porting::order port_in() {
  porting::order o;
  o.id = 1;
  o.kind = porting::order_kind::port_in;
  o.number = "+18015551234";
  o.created_at = o.updated_at = o.state_since = t0();
  o.details.carrier = "Verizon";
  o.details.account_number = "11112222";
  o.details.billing_address = {"1 Main St", "", "Lehi", "UT", "84043"};
  o.secrets.account_pin = "9876";
  return o;
}

porting::order port_out() {
  porting::order o;
  o.id = 1;
  o.kind = porting::order_kind::port_out;
  o.number = "+18015550000";
  o.created_at = o.updated_at = o.state_since = t0();
  o.secrets.port_out_pin = "5555";
  return o;
}

// The second event of order 1.
porting::stored_event event(porting::event_type type, std::string message, std::string actor) {
  porting::stored_event e;
  e.id = 2;
  e.order_id = 1;
  e.seq = 2;
  e.at = t0() + std::chrono::seconds(2);
  e.record.type = type;
  e.record.actor = std::move(actor);
  e.record.message = std::move(message);
  return e;
}

// The order as a client reads it.
json::object render_order(const porting::order& o) {
  std::string text;
  write_order(text, o);
  return json::parse(text).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(objects)

BOOST_AUTO_TEST_CASE(order_rendering_hides_secrets) {
  auto o = port_in();
  o.secrets.account_pin = "SECRETPIN77";
  o.details.account_number = "99991111222";
  std::string s;
  write_order(s, o);
  BOOST_TEST(s.find("SECRETPIN77") == std::string::npos);
  BOOST_TEST(s.find("99991111222") == std::string::npos);
  BOOST_TEST(s.find("account_pin") == std::string::npos);
  auto j = render_order(o);
  BOOST_TEST(j.at("details").at("account_number") == json::value("****1222"));
  BOOST_TEST(j.at("next_check_at").is_null());
  BOOST_TEST(j.at("last_error").is_null());
  BOOST_TEST(j.at("created_at") == json::value("2026-11-18T11:06:40.000Z"));
  BOOST_TEST(j.at("state") == json::value("received"));
  BOOST_TEST(j.at("kind") == json::value("port_in"));
  for (auto key : {"id", "kind", "number", "state", "needs_attention", "remote_order_id",
                   "remote_status", "client_ref", "group", "created_at", "updated_at",
                   "next_check_at", "attempts", "last_error", "details"})
    BOOST_TEST(j.contains(key), key);
  for (auto key : {"carrier", "account_number", "subscriber_name", "billing_address", "iccid",
                   "classification", "port_in_date", "account_id", "subscriber_id"})
    BOOST_TEST(j.at("details").as_object().contains(key), key);

  o.next_check_at = t0() + std::chrono::milliseconds(1500);
  o.last_error = porting::error_info{"rate_limited", "429 from Telegent", t0()};
  j = render_order(o);
  BOOST_TEST(j.at("next_check_at") == json::value("2026-11-18T11:06:41.500Z"));
  BOOST_TEST(j.at("last_error").at("reason") == json::value("rate_limited"));
  BOOST_TEST(j.at("last_error").at("at") == json::value("2026-11-18T11:06:40.000Z"));
}

// Why an order waits, as a name a client can switch on; attention_reason is the words for people.
BOOST_AUTO_TEST_CASE(an_order_says_which_kind_of_attention_it_needs) {
  auto o = port_in();
  for (auto kind : {porting::attention_kind::none, porting::attention_kind::operator_state,
                    porting::attention_kind::cancel_refused, porting::attention_kind::stale}) {
    o.attention = kind;
    std::string text;
    write_order(text, o);
    const json::value parsed = json::parse(text);
    BOOST_TEST(parsed.at("attention_kind").as_string() == porting::to_string(kind));
    BOOST_TEST(parsed.at("needs_attention").as_bool() == (kind != porting::attention_kind::none));
  }
}

BOOST_AUTO_TEST_CASE(order_text_is_what_serialising_the_object_gives_and_keeps_every_byte) {
  auto o = port_in();
  // Every character class the escaping handles: quotes, backslashes, each control character,
  // DEL, UTF-8, and a slash (not escaped).
  std::string tricky = "a\"b\\c/d\x7f é ☎ ";
  for (char c = 1; c < 0x20; ++c) tricky.push_back(c);
  o.details.subscriber_name = tricky;
  o.details.billing_address.street2 = std::string("x\0y", 3);
  o.remote_message = "line\nbreak\ttab";
  o.attention_reason = tricky;
  o.client_ref = "ref \"1\"";
  o.next_check_at = t0();
  o.last_error = porting::error_info{"bad_request", tricky, t0()};
  o.attempts = 3;
  o.id = 9007199254740993;
  for (auto kind : {porting::order_kind::port_in, porting::order_kind::port_out}) {
    o.kind = kind;
    std::string text;
    write_order(text, o);
    const json::value parsed = json::parse(text);
    BOOST_TEST(json::serialize(parsed) == text);  // byte for byte what Boost.JSON writes
    BOOST_TEST(parsed.at("id").as_int64() == 9007199254740993);
    BOOST_TEST(parsed.at("attention_reason").as_string() == tricky);
    BOOST_TEST(parsed.at("last_error").at("message").as_string() == tricky);
    BOOST_TEST(parsed.at("client_ref").as_string() == "ref \"1\"");
    if (kind == porting::order_kind::port_in) {
      BOOST_TEST(parsed.at("details").at("subscriber_name").as_string() == tricky);
      BOOST_TEST(parsed.at("details").at("billing_address").at("street2").as_string() == std::string("x\0y", 3));
    }
  }
}

BOOST_AUTO_TEST_CASE(port_out_has_no_details_and_no_pin) {
  auto o = port_out();
  o.secrets.port_out_pin = "PIN4242";
  auto j = render_order(o);
  BOOST_TEST(!j.contains("details"));
  BOOST_TEST(json::serialize(j).find("PIN4242") == std::string::npos);
  BOOST_TEST(j.at("kind") == json::value("port_out"));
}

BOOST_AUTO_TEST_CASE(event_rendering) {
  auto e = event(porting::event_type::state_changed, "Scheduled by carrier", "telegent");
  auto j = render_event(e);
  BOOST_TEST(j.at("id") == json::value(2));
  BOOST_TEST(j.at("order_id") == json::value(1));
  BOOST_TEST(j.at("seq") == json::value(2));
  BOOST_TEST(j.at("type") == json::value("order.state_changed"));
  BOOST_TEST(j.at("actor") == json::value("telegent"));
  BOOST_TEST(j.at("message") == json::value("Scheduled by carrier"));
  for (auto key : {"at", "from_state", "to_state", "remote_status"})
    BOOST_TEST(j.contains(key), key);
}

BOOST_AUTO_TEST_SUITE_END()
