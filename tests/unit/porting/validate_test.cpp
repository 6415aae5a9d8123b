// core/validate and core/redact: every accepted form and every error, each naming its field.
#include <portd/porting/redact.hpp>
#include <portd/porting/validate.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::porting;

namespace {
std::string field_of(const std::optional<invalid_field>& e) { return e ? e->field : "<ok>"; }

order_details good_details() {
  order_details d;
  d.carrier = "Verizon";
  d.account_number = "11112222";
  d.billing_address = {"1 Main St", "", "Lehi", "UT", "84043"};
  return d;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(validate)

BOOST_AUTO_TEST_CASE(e164_accepts_and_normalises) {
  BOOST_TEST(normalize_e164("+18015551234").value == "+18015551234");
  BOOST_TEST(normalize_e164("+1 (801) 555-1234").value == "+18015551234");
  BOOST_TEST(normalize_e164("8015551234").value == "+18015551234");
  BOOST_TEST(normalize_e164("18015551234").value == "+18015551234");
  BOOST_TEST(normalize_e164("+4930123456").value == "+4930123456");
  BOOST_TEST(normalize_e164("+12345678").ok());          // 8 digits
  BOOST_TEST(normalize_e164("+123456789012345").ok());   // 15 digits
}

BOOST_AUTO_TEST_CASE(e164_rejects) {
  for (std::string_view bad : {"", "+", "+1234567", "+1234567890123456", "+08015551234",
                               "+1801555123x", "801555123", "0801555123", "1801555123",
                               "28015551234", "8011551234", "++18015551234"}) {
    auto r = normalize_e164(bad, "number");
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!r.ok());
      BOOST_TEST(r.error->field == "number");
      BOOST_TEST(r.error->message.find("number") == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(iccid) {
  BOOST_TEST(!check_iccid("8901240397190195850"));
  BOOST_TEST(!check_iccid("89012403971901958501"));
  BOOST_TEST(!check_iccid("8901240397190195850F"));
  BOOST_TEST(!check_iccid("8901240397190195850f"));
  BOOST_TEST(field_of(check_iccid("890124039719019585")) == "iccid");      // 18
  BOOST_TEST(field_of(check_iccid("890124039719019585012")) == "iccid");   // 21
  BOOST_TEST(field_of(check_iccid("89012403971901F58501")) == "iccid");    // F not last
  BOOST_TEST(field_of(check_iccid("8901240397190195850A")) == "iccid");
}

BOOST_AUTO_TEST_CASE(us_state) {
  for (auto s : {"UT", "DC", "PR", "GU", "VI", "AS", "MP", "AA", "AP", "WY"})
    BOOST_TEST(!check_us_state(s, "billing_address.state"), s);
  for (auto s : {"", "ut", "XX", "U", "UTA", "ZZ"})
    BOOST_TEST(field_of(check_us_state(s, "billing_address.state")) == "billing_address.state");
}

BOOST_AUTO_TEST_CASE(zip) {
  BOOST_TEST(!check_zip("84043", "z"));
  BOOST_TEST(!check_zip("84043-1234", "z"));
  for (auto z : {"", "8404", "840431", "84043-123", "84043 1234", "8404a", "84043-12345"})
    BOOST_TEST(field_of(check_zip(z, "billing_address.zip")) == "billing_address.zip", z);
}

BOOST_AUTO_TEST_CASE(dates) {
  for (auto d : {"2026-12-03", "2024-02-29", "2000-02-29", "2026-01-31"})
    BOOST_TEST(!check_date(d, "port_in_date"), d);
  for (auto d : {"", "2026-2-3", "2026-13-01", "2026-00-10", "2026-04-31", "2025-02-29",
                 "1900-02-29", "26-12-03", "2026/12/03", "2026-12-3x", "1899-12-31"})
    BOOST_TEST(field_of(check_date(d, "port_in_date")) == "port_in_date", d);
}

BOOST_AUTO_TEST_CASE(classification_ids_text_pin) {
  BOOST_TEST(!check_classification("mvno"));
  BOOST_TEST(!check_classification("iot"));
  BOOST_TEST(field_of(check_classification("MVNO")) == "classification");
  BOOST_TEST(!check_prefixed_id("AID-ceb8", "AID-", "account_id"));
  BOOST_TEST(field_of(check_prefixed_id("AID-", "AID-", "account_id")) == "account_id");
  BOOST_TEST(field_of(check_prefixed_id("ceb8", "AID-", "account_id")) == "account_id");
  BOOST_TEST(field_of(check_prefixed_id("TSUID-a b", "TSUID-", "subscriber_id")) ==
             "subscriber_id");
  BOOST_TEST(!check_text("x", "carrier"));
  BOOST_TEST(field_of(check_text("", "carrier")) == "carrier");
  BOOST_TEST(!check_text("", "street2", 200, true));
  BOOST_TEST(field_of(check_text(std::string(201, 'a'), "carrier")) == "carrier");
  BOOST_TEST(!check_text(std::string(200, 'a'), "carrier"));
  BOOST_TEST(field_of(check_text("a\nb", "carrier")) == "carrier");
  BOOST_TEST(!check_pin("1234", "pin"));
  BOOST_TEST(!check_pin("abcDEF1234", "pin"));
  BOOST_TEST(field_of(check_pin("123", "pin")) == "pin");
  BOOST_TEST(field_of(check_pin(std::string(21, '1'), "pin")) == "pin");
  BOOST_TEST(field_of(check_pin("12 34", "account_pin")) == "account_pin");
}

BOOST_AUTO_TEST_CASE(errors_never_echo_the_value) {
  auto e = check_pin("s3cr", "account_pin");
  BOOST_TEST(!e);
  e = check_pin("s3cr!", "account_pin");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->message.find("s3cr") == std::string::npos);
  auto a = check_account_number("9999 8888", "account_number");
  BOOST_REQUIRE(a);
  BOOST_TEST(a->message.find("9999") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(details_name_nested_fields) {
  BOOST_TEST(!check_details(good_details()));
  auto d = good_details();
  d.billing_address.zip = "1";
  BOOST_TEST(field_of(check_details(d)) == "billing_address.zip");
  d = good_details();
  d.billing_address.city = "";
  BOOST_TEST(field_of(check_details(d)) == "billing_address.city");
  d = good_details();
  d.billing_address.street1 = "";
  BOOST_TEST(field_of(check_details(d)) == "billing_address.street1");
  d = good_details();
  d.billing_address.state = "Utah";
  BOOST_TEST(field_of(check_details(d)) == "billing_address.state");
  d = good_details();
  d.carrier = "";
  BOOST_TEST(field_of(check_details(d)) == "carrier");
  d = good_details();
  d.account_number = "";
  BOOST_TEST(field_of(check_details(d)) == "account_number");
  d = good_details();
  d.iccid = "12";
  BOOST_TEST(field_of(check_details(d)) == "iccid");
  d = good_details();
  d.classification = "x";
  BOOST_TEST(field_of(check_details(d)) == "classification");
  d = good_details();
  d.port_in_date = "2026-02-30";
  BOOST_TEST(field_of(check_details(d)) == "port_in_date");
  d = good_details();
  d.account_id = "ACC-1";
  BOOST_TEST(field_of(check_details(d)) == "account_id");
  d = good_details();
  d.subscriber_id = "AID-1";
  BOOST_TEST(field_of(check_details(d)) == "subscriber_id");
  d = good_details();
  d.subscriber_name = std::string(201, 'n');
  BOOST_TEST(field_of(check_details(d)) == "subscriber_name");
  BOOST_TEST(field_of(check_details(d, "patch")) == "patch.subscriber_name");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(redaction)

BOOST_AUTO_TEST_CASE(mask) {
  BOOST_TEST(mask_account_number("11112222") == "****2222");
  BOOST_TEST(mask_account_number("12345") == "****2345");
  BOOST_TEST(mask_account_number("1234") == "****");
  BOOST_TEST(mask_account_number("") == "");
}

BOOST_AUTO_TEST_CASE(redact_secrets) {
  BOOST_TEST(redact("pin 4321 and again 4321", {"4321"}) ==
             "pin [redacted] and again [redacted]");
  BOOST_TEST(redact("nothing here", {"", "zz"}) == "nothing here");
  BOOST_TEST(redact("a=pw1 b=pw2", {"pw1", "pw2"}) == "a=[redacted] b=[redacted]");
  // A secret that appears inside the marker must not loop forever.
  BOOST_TEST(redact("red", {"red"}) == "[redacted]");
}

BOOST_AUTO_TEST_SUITE_END()
