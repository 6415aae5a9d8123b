// Carrier text that tries to drive a terminal (issue 16): a Telegent status message carrying
// ESC, OSC, C1 and bidi controls is kept raw in the database and the JSON, and written out
// visibly wherever a human reads it: `portctl show`, `portctl attention`, the log.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

namespace {

// A window title set by OSC, a C1 CSI turning the screen red, then a right-to-left override
// that would show "evil.sh" reversed.
const std::string hostile = "1P-Other: \x1b]0;pwned\x07 \xc2\x9b" "31m red \xe2\x80\xae" "hs.live";
const std::string escaped = "1P-Other: \\x1b]0;pwned\\x07 \\u009b31m red \\u202ehs.live";

bool has_raw_controls(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return true;
    if (text.compare(i, 2, "\xc2\x9b") == 0 || text.compare(i, 3, "\xe2\x80\xae") == 0) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(carrier_text)

BOOST_AUTO_TEST_CASE(a_hostile_status_message_is_shown_escaped_and_kept_raw_in_json) {
  stack_options opt;
  opt.time_scale = 1;  // the order stays submitted until the test forces its status
  stack s(opt);
  s.start_portd();
  json::object p{{"number", "+18015550190"}, {"carrier", "Verizon"}, {"account_number", "123456782222"},
                 {"account_pin", "4321"},
                 {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}};
  const auto id = s.submit_port_in(p);
  auto o = s.wait_for_state(id, "submitted");
  const std::string remote(o["remote_order_id"].as_string());
  s.sim_post("/_sim/orders/" + remote + "/status",
             json::serialize(json::object{{"status", "Rejected"}, {"message", hostile}}));
  o = s.wait_for_state(id, "rejected");
  BOOST_TEST(o["remote_message"] == hostile.c_str());  // the protocol carries it as received

  const auto [show_code, show] = s.portctl({"show", std::to_string(id)});
  BOOST_TEST(show_code == 0);
  BOOST_TEST(show.find("\\x1b]0;pwned\\x07") != std::string::npos, show);
  BOOST_TEST(show.find("\\u202ehs.live") != std::string::npos, show);
  BOOST_TEST(!has_raw_controls(show), show);
  const auto [att_code, attention] = s.portctl({"attention"});
  BOOST_TEST(att_code == 0);
  BOOST_TEST(attention.find("order " + std::to_string(id)) != std::string::npos, attention);
  BOOST_TEST(!has_raw_controls(attention), attention);

  const auto [json_code, raw] = s.portctl({"--json", "show", std::to_string(id)});
  BOOST_TEST(json_code == 0);
  BOOST_TEST(json::parse(raw).at("order").at("remote_message") == json::value(hostile));

  const std::string log = s.portd_log();
  BOOST_TEST(log.find(escaped) != std::string::npos, log);
  BOOST_TEST(!has_raw_controls(log), log);
}

BOOST_AUTO_TEST_SUITE_END()
