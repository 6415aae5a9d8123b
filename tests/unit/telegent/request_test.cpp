// Requests carry exactly the fields of telegent-api.md §1–7.
#include "common/sample_orders.hpp"

#include <portd/telegent/request.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

using namespace portd::telegent;
using portd::porting::call_kind;
namespace json = boost::json;

namespace {
// The common port-in with the optional fields a submission carries when they are set.
portd::porting::order port_in() {
  auto o = portd::test::sample_port_in();
  o.details.subscriber_name = "Ada Lovelace";
  o.details.billing_address.street2 = "Apt 2";
  o.details.iccid = "8901260882310000000F";
  return o;
}
json::object body(const request_spec& s) { return json::parse(s.body).as_object(); }
}  // namespace

BOOST_AUTO_TEST_SUITE(request_building)

BOOST_AUTO_TEST_CASE(eligibility_sends_number_and_configured_classification) {
  const auto s = build_request(port_in(), call_kind::eligibility, "Mobile", date_style::iso);
  BOOST_TEST(s.problem.empty());
  BOOST_TEST(s.target == "/v1.0/numbers/portin/eligibility");
  const auto b = body(s);
  BOOST_TEST(b.size() == 2u);
  BOOST_TEST(b.at("PhoneNumber").as_string() == "+15555551234");
  BOOST_TEST(b.at("TargetClassification").as_string() == "Mobile");
  BOOST_TEST(s.secrets.empty());
}

BOOST_AUTO_TEST_CASE(submit_sends_every_field_and_lists_the_pin_as_secret) {
  const auto s = build_request(port_in(), call_kind::submit_port_in, "mvno", date_style::iso);
  BOOST_TEST(s.method == http_method::post);
  BOOST_TEST(s.path == "/v1.0/numbers/portin");
  const auto b = body(s);
  BOOST_TEST(b.at("PortInNumber").as_string() == "+15555551234");
  BOOST_TEST(b.at("CurrentCarrierName").as_string() == "Verizon");
  BOOST_TEST(b.at("CurrentAccountNumber").as_string() == "ACC-1");
  BOOST_TEST(b.at("CurrentAccountPassword").as_string() == "pin-4321");
  const auto& addr = b.at("CurrentBillingAddress").as_object();
  BOOST_TEST(addr.at("Street1").as_string() == "1 Main St");
  BOOST_TEST(addr.at("Street2").as_string() == "Apt 2");
  BOOST_TEST(addr.at("City").as_string() == "Detroit");
  BOOST_TEST(addr.at("State").as_string() == "MI");
  BOOST_TEST(addr.at("Zip").as_string() == "48201");
  BOOST_TEST(b.at("TargetPortinClassification").as_string() == "mvno");
  BOOST_TEST(b.at("SubscriberName").as_string() == "Ada Lovelace");
  BOOST_TEST(b.at("ICCID").as_string() == "8901260882310000000F");
  BOOST_TEST(b.at("PortInDate").as_string() == "2026-05-02");
  BOOST_TEST(s.has_port_in_date);
  BOOST_TEST(s.secrets == std::vector<std::string>{"pin-4321"});
}

BOOST_AUTO_TEST_CASE(optional_fields_are_left_out_and_the_us_date_form_is_available) {
  auto o = port_in();
  o.details.iccid.clear();
  o.details.subscriber_name.clear();
  auto s = build_request(o, call_kind::submit_port_in, "mvno", date_style::us);
  auto b = body(s);
  BOOST_TEST(!b.contains("ICCID"));
  BOOST_TEST(!b.contains("SubscriberName"));
  BOOST_TEST(b.at("PortInDate").as_string() == "05/02/2026");
  o.details.port_in_date.clear();
  s = build_request(o, call_kind::submit_port_in, "mvno", date_style::iso);
  BOOST_TEST(!body(s).contains("PortInDate"));
  BOOST_TEST(!s.has_port_in_date);
}

BOOST_AUTO_TEST_CASE(update_sends_order_id_and_the_corrections) {
  auto o = port_in();
  o.remote_order_id = "JNUOID-AbC";
  const auto s = build_request(o, call_kind::update, "mvno", date_style::iso);
  BOOST_TEST(s.path == "/v1.0/numbers/portin/update");
  const auto b = body(s);
  BOOST_TEST(b.at("OrderId").as_string() == "JNUOID-AbC");
  for (const char* k : {"CurrentCarrierName", "CurrentAccountNumber", "CurrentAccountPassword",
                        "CurrentBillingAddress", "PortInDate", "TargetPortinClassification",
                        "SubscriberName", "ICCID"}) {
    BOOST_TEST_CONTEXT(k) { BOOST_TEST(b.contains(k)); }
  }
  BOOST_TEST(!b.contains("PortInNumber"));

  o.remote_order_id.clear();
  BOOST_TEST(!build_request(o, call_kind::update, "mvno", date_style::iso).problem.empty());
}

BOOST_AUTO_TEST_CASE(cancel_and_status_key_off_the_order_id) {
  auto o = port_in();
  o.remote_order_id = "JNUOID-a b/c+d";
  auto s = build_request(o, call_kind::cancel, "mvno", date_style::iso);
  BOOST_TEST(s.path == "/v1.0/numbers/portin/cancel");
  BOOST_TEST(body(s).size() == 1u);
  BOOST_TEST(body(s).at("OrderId").as_string() == "JNUOID-a b/c+d");

  s = build_request(o, call_kind::status, "mvno", date_style::iso);
  BOOST_TEST(s.method == http_method::get);
  BOOST_TEST(s.path == "/v1.0/numbers/order");
  BOOST_TEST(s.target == "/v1.0/numbers/order?OrderId=JNUOID-a%20b%2Fc%2Bd");
  BOOST_TEST(s.body.empty());
}

BOOST_AUTO_TEST_CASE(port_out_sends_number_and_pin) {
  portd::porting::order o;
  o.kind = portd::porting::order_kind::port_out;
  o.number = "+17746996223";
  o.secrets.port_out_pin = "1234";
  const auto s = build_request(o, call_kind::submit_port_out, "mvno", date_style::iso);
  BOOST_TEST(s.path == "/v1.0/numbers/portout");
  const auto b = body(s);
  BOOST_TEST(b.at("PortOutNumber").as_string() == "+17746996223");
  BOOST_TEST(b.at("PortOutPIN").as_string() == "1234");
  BOOST_TEST(s.secrets == std::vector<std::string>{"1234"});
  o.secrets.port_out_pin.clear();
  BOOST_TEST(!build_request(o, call_kind::submit_port_out, "mvno", date_style::iso).problem.empty());
}

BOOST_AUTO_TEST_CASE(token_request_names_the_endpoint) {
  const auto s = build_token_request("DID-1", "topsecret", "https://api.telegent.com/v1.0/numbers/order");
  BOOST_TEST(s.target == "/v1.0/oauth2/tokens");
  const auto b = body(s);
  BOOST_TEST(b.at("AccountKey").as_string() == "DID-1");
  BOOST_TEST(b.at("AccountSecret").as_string() == "topsecret");
  BOOST_TEST(b.at("ApiEndpoint").as_string() == "https://api.telegent.com/v1.0/numbers/order");
  BOOST_TEST(s.secrets == std::vector<std::string>{"topsecret"});
}

BOOST_AUTO_TEST_SUITE_END()
