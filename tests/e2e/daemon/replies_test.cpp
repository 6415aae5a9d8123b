// What a command's reply says with the real daemon (issue 15): the order as the command left it
// reads "rejected, NEEDS ATTENTION" after a correction, so the reply says what was queued.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

BOOST_AUTO_TEST_SUITE(replies)

BOOST_AUTO_TEST_CASE(update_and_poll_say_what_they_queued) {
  stack_options opt;
  opt.time_scale = 1;  // the carrier moves only when the test moves the sim's clock
  stack s(opt);
  s.start_portd();
  json::object p{{"number", "+18015550195"}, {"carrier", "Verizon"}, {"account_number", "123456782222"},
                 {"account_pin", "4321"},
                 {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}};
  const auto id = s.submit_port_in(p);
  s.wait_for_state(id, "submitted");
  const std::string sid = std::to_string(id);

  const auto [poll_code, poll] = s.portctl({"poll", sid});
  BOOST_TEST(poll_code == 0);
  BOOST_TEST(poll.rfind("next: status check queued; Telegent is asked next\n", 0) == 0u, poll);

  s.sim_post("/_sim/time", R"({"advance_seconds":259200})");  // ends 5: rejected once
  s.wait_for_state(id, "rejected");
  const auto [code, out] = s.portctl({"update", sid, "--account-number", "998877665544"});
  BOOST_TEST(code == 0);
  BOOST_TEST(out.rfind("next: correction queued; Telegent is told next\n", 0) == 0u, out);
  auto r = s.result("order.update", {{"id", id}, {"subscriber_name", "Jane Doe"}});
  BOOST_TEST(r.contains("next"));
  BOOST_TEST(r["order"].as_object().contains("state"));
}

BOOST_AUTO_TEST_SUITE_END()
