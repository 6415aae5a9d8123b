// control/params: unknown members, types, validation errors naming their field, the
// exactly-one-of rules, limits and the state filter.
#include <portd/control/params.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace portd;
using namespace portd::control;

namespace {
json::object obj(std::string_view s) { return json::parse(s).as_object(); }

json::object good_portin() {
  return obj(R"({"number":"+18015551234","carrier":"Verizon","account_number":"11112222",
    "account_pin":"9876","billing_address":{"street1":"1 Main St","city":"Lehi","state":"UT",
    "zip":"84043"}})");
}

template <class T>
std::string field_of(outcome<T> r) {
  if (r.ok()) return "<ok>";
  BOOST_TEST(r.error().code == code::invalid_params);
  BOOST_TEST(r.error().reason == "invalid_params");
  auto* f = r.error().data.if_contains("field");
  return f ? std::string(f->as_string()) : "<none>";
}

std::string portin_field(std::string_view key, json::value v, protocol_options o = {}) {
  auto p = good_portin();
  if (v.is_null()) p.erase(key); else p[key] = v;
  return field_of(parse_port_in(p, o));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(params)

BOOST_AUTO_TEST_CASE(portin_ok_and_defaults) {
  auto r = parse_port_in(good_portin(), {});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.value().number == "+18015551234");
  BOOST_TEST(r.value().details.classification == "mvno");
  BOOST_TEST(r.value().account_pin == "9876");
  BOOST_TEST(!r.value().skip_eligibility);
  auto p = good_portin();
  p["number"] = "801-555-1234";
  BOOST_TEST(parse_port_in(p, {}).value().number == "+18015551234");
}

BOOST_AUTO_TEST_CASE(portin_each_field) {
  BOOST_TEST(portin_field("nmber", "x") == "nmber");  // a typo never passes
  BOOST_TEST(portin_field("number", nullptr) == "number");
  BOOST_TEST(portin_field("number", 18015551234) == "number");
  BOOST_TEST(portin_field("number", "+0123") == "number");
  BOOST_TEST(portin_field("carrier", nullptr) == "carrier");
  BOOST_TEST(portin_field("carrier", "") == "carrier");
  BOOST_TEST(portin_field("account_number", nullptr) == "account_number");
  BOOST_TEST(portin_field("account_pin", nullptr) == "account_pin");
  BOOST_TEST(portin_field("account_pin", "12") == "account_pin");
  BOOST_TEST(portin_field("account_pin", 1234) == "account_pin");
  BOOST_TEST(portin_field("billing_address", nullptr) == "billing_address");
  BOOST_TEST(portin_field("billing_address", "1 Main St") == "billing_address");
  BOOST_TEST(portin_field("billing_address", obj(R"({"street1":"a","city":"b","state":"UT","zip":"1"})")) ==
             "billing_address.zip");
  BOOST_TEST(portin_field("billing_address", obj(R"({"street1":"a","city":"b","state":"XX","zip":"84043"})")) ==
             "billing_address.state");
  BOOST_TEST(portin_field("billing_address", obj(R"({"street1":"a","state":"UT","zip":"84043"})")) ==
             "billing_address.city");
  BOOST_TEST(portin_field("billing_address", obj(R"({"city":"b","state":"UT","zip":"84043"})")) ==
             "billing_address.street1");
  BOOST_TEST(portin_field("billing_address", obj(R"({"street1":"a","street2":5,"city":"b","state":"UT","zip":"84043"})")) ==
             "billing_address.street2");
  BOOST_TEST(portin_field("billing_address", obj(R"({"street1":"a","city":"b","state":"UT","zip":"84043","country":"US"})")) ==
             "billing_address.country");
  BOOST_TEST(portin_field("iccid", "123") == "iccid");
  BOOST_TEST(portin_field("classification", "prepaid") == "classification");
  BOOST_TEST(portin_field("port_in_date", "2026-02-30") == "port_in_date");
  BOOST_TEST(portin_field("skip_eligibility", "yes") == "skip_eligibility");
  BOOST_TEST(portin_field("account_id", "ceb8") == "account_id");
  BOOST_TEST(portin_field("subscriber_id", "AID-1") == "subscriber_id");
  BOOST_TEST(portin_field("client_ref", json::value(std::string(201, 'r'))) == "client_ref");
  BOOST_TEST(portin_field("group", "") == "group");
  BOOST_TEST(portin_field("subscriber_name", json::array{}) == "subscriber_name");
  protocol_options strict{true};
  BOOST_TEST(portin_field("account_id", nullptr, strict) == "account_id");
  auto p = good_portin();
  p["account_id"] = "AID-1";
  BOOST_TEST(field_of(parse_port_in(p, strict)) == "subscriber_id");
  p["subscriber_id"] = "TSUID-1";
  BOOST_TEST(parse_port_in(p, strict).ok());
}

BOOST_AUTO_TEST_CASE(secrets_are_not_echoed) {
  auto p = good_portin();
  p["account_pin"] = "sec ret!";
  auto r = parse_port_in(p, {});
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().message.find("sec ret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(portout) {
  BOOST_TEST(parse_port_out(obj(R"({"number":"+18015551234","pin":"1234"})")).ok());
  BOOST_TEST(field_of(parse_port_out(obj(R"({"number":"+18015551234"})"))) == "pin");
  BOOST_TEST(field_of(parse_port_out(obj(R"({"pin":"1234"})"))) == "number");
  BOOST_TEST(field_of(parse_port_out(obj(R"({"number":"+18015551234","pin":"1234","x":1})"))) == "x");
}

BOOST_AUTO_TEST_CASE(order_get_exactly_one) {
  BOOST_TEST(*parse_order_get(obj(R"({"id":4})")).value().id == 4);
  BOOST_TEST(parse_order_get(obj(R"({"number":"8015551234"})")).value().number == "+18015551234");
  BOOST_TEST(parse_order_get(obj(R"({"client_ref":"crm-1"})")).value().client_ref == "crm-1");
  BOOST_TEST(parse_order_get(obj(R"({"remote_order_id":"JNUOID-1"})")).value().remote_order_id == "JNUOID-1");
  BOOST_TEST(field_of(parse_order_get(obj(R"({})"))) == "id");
  BOOST_TEST(field_of(parse_order_get(obj(R"({"id":4,"number":"+18015551234"})"))) == "number");
  BOOST_TEST(field_of(parse_order_get(obj(R"({"id":"4"})"))) == "id");
  BOOST_TEST(field_of(parse_order_get(obj(R"({"id":0})"))) == "id");
  BOOST_TEST(field_of(parse_order_get(obj(R"({"id":1.5})"))) == "id");
  BOOST_TEST(field_of(parse_order_get(obj(R"({"ref":"x"})"))) == "ref");
}

BOOST_AUTO_TEST_CASE(order_list_filters) {
  auto f = parse_order_list(obj(R"({})"));
  BOOST_TEST(f.value().limit == 100);
  BOOST_TEST(f.value().states.empty());
  f = parse_order_list(obj(R"({"state":"scheduled"})"));
  BOOST_TEST(f.value().states.size() == 1u);
  f = parse_order_list(obj(R"({"state":["rejected","failed"],"kind":"port_in","active":true,
     "needs_attention":false,"limit":1000,"after_id":7,"number":"+18015551234","group":"g"})"));
  BOOST_REQUIRE(f.ok());
  BOOST_TEST(f.value().states.size() == 2u);
  BOOST_TEST(*f.value().active);
  BOOST_TEST(f.value().after_id == 7);
  BOOST_TEST(field_of(parse_order_list(obj(R"({"state":"sched"})"))) == "state");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"state":["scheduled",3]})"))) == "state");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"state":[]})"))) == "state");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"kind":"portin"})"))) == "kind");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"limit":0})"))) == "limit");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"limit":1001})"))) == "limit");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"limit":"5"})"))) == "limit");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"after_id":-1})"))) == "after_id");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"active":1})"))) == "active");
  BOOST_TEST(field_of(parse_order_list(obj(R"({"status":"x"})"))) == "status");
  // null counts as absent, so next_after_id can be echoed back.
  BOOST_TEST(parse_order_list(obj(R"({"after_id":null})")).ok());
}

BOOST_AUTO_TEST_CASE(write_methods) {
  BOOST_TEST(parse_update(obj(R"({"id":1,"carrier":"AT&T"})")).ok());
  BOOST_TEST(field_of(parse_update(obj(R"({"carrier":"AT&T"})"))) == "id");
  BOOST_TEST(field_of(parse_update(obj(R"({"id":1})"))) == "<none>");  // nothing to update
  BOOST_TEST(field_of(parse_update(obj(R"({"id":1,"number":"+18015551234"})"))) == "number");
  BOOST_TEST(field_of(parse_update(obj(R"({"id":1,"billing_address":{"zip":"1"}})"))) ==
             "billing_address.street1");
  BOOST_TEST(field_of(parse_update(obj(R"({"id":1,"port_in_date":"tomorrow"})"))) == "port_in_date");
  BOOST_TEST(parse_cancel(obj(R"({"id":1})")).ok());
  BOOST_TEST(parse_cancel(obj(R"({"id":1,"reason":"customer changed mind"})")).value().reason ==
             "customer changed mind");
  BOOST_TEST(field_of(parse_cancel(obj(R"({"id":1,"reason":3})"))) == "reason");
  BOOST_TEST(parse_close(obj(R"({"id":1,"reason":"Telegent support closed it"})")).value().reason ==
             "Telegent support closed it");
  BOOST_TEST(field_of(parse_close(obj(R"({"id":1})"))) == "reason");
  BOOST_TEST(field_of(parse_close(obj(R"({"id":1,"reason":""})"))) == "reason");
  BOOST_TEST(field_of(parse_close(obj(R"({"reason":"x"})"))) == "id");
  BOOST_TEST(parse_resolve(obj(R"({"id":1,"remote_order_id":"JNUOID-9"})")).ok());
  BOOST_TEST(parse_resolve(obj(R"({"id":1,"resubmit":true})")).value().resubmit);
  BOOST_TEST(field_of(parse_resolve(obj(R"({"id":1})"))) == "remote_order_id");
  BOOST_TEST(field_of(parse_resolve(obj(R"({"id":1,"resubmit":false})"))) == "resubmit");
  BOOST_TEST(field_of(parse_resolve(obj(R"({"id":1,"resubmit":true,"remote_order_id":"x"})"))) ==
             "resubmit");
  BOOST_TEST(field_of(parse_note(obj(R"({"id":1})"))) == "text");
  BOOST_TEST(field_of(parse_note(obj(R"({"id":1,"text":""})"))) == "text");
  BOOST_TEST(field_of(parse_id_only(obj(R"({"id":1,"force":true})"))) == "force");
}

BOOST_AUTO_TEST_CASE(read_methods) {
  BOOST_TEST(parse_events_list(obj(R"({})")).value().limit == 100);
  BOOST_TEST(field_of(parse_events_list(obj(R"({"limit":5000})"))) == "limit");
  BOOST_TEST(field_of(parse_events_list(obj(R"({"after":"1"})"))) == "after");
  BOOST_TEST(!parse_watch(obj(R"({})")).value().after);
  BOOST_TEST(*parse_watch(obj(R"({"after":0})")).value().after == 0);
  BOOST_TEST(field_of(parse_watch(obj(R"({"limit":1})"))) == "limit");
  BOOST_TEST(field_of(parse_group_summary(obj(R"({})"))) == "group");
  BOOST_TEST(parse_no_params(obj(R"({"verbose":true})")).value().data.at("field") ==
             json::value("verbose"));
  BOOST_TEST(!parse_no_params(obj(R"({})")));
}

BOOST_AUTO_TEST_SUITE_END()
