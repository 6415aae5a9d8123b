// portd waiting on Telegent (issue 8): when every poll slot is taken by a slow answer and more
// orders are due, portd waits for a slot to free up; it does not burn a core meanwhile.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

namespace {

json::object port_in(const std::string& number) { return portd::test::port_in_params(number); }

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

// Four poll slots (telegent.max_connections), eight orders due every 300 ms, and Telegent
// taking 3 s to answer each status request: four polls hang, four orders wait for a slot.
// For the 2 s that follow, portd keeps answering and uses next to no CPU.
BOOST_AUTO_TEST_CASE(orders_waiting_for_a_poll_slot_do_not_make_portd_spin) {
  stack_options opt;
  opt.time_scale = 1;  // orders stay "submitted", polled every 300 ms
  opt.max_connections = 4;
  stack s(opt);
  s.start_portd();
  std::vector<std::int64_t> ids;
  for (const char* n : {"+18015550700", "+18015550701", "+18015550702", "+18015550703", "+18015550709",
                        "+18015550710", "+18015550711", "+18015550712"})  // fates that complete
    ids.push_back(s.submit_port_in(port_in(n)));
  for (auto id : ids) s.wait_for_state(id, "submitted");
  s.sim_post("/_sim/faults", R"({"endpoints":{"order":{"delay":1.0}},"delay_ms":3000})");
  // The next polls are the slow ones: wait until all four slots hold one.
  portd::test::event_pacer pace(s);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto in_flight = [&] { return s.result("daemon.status")["api"].as_object()["in_flight"].as_int64(); };
  while (in_flight() < 4 && std::chrono::steady_clock::now() < deadline) pace.wait(std::chrono::milliseconds(50));
  BOOST_TEST_REQUIRE(in_flight() == 4);

  const pid_t portd = s.portd_pid();
  const double cpu_before = portd::test::cpu_seconds(portd);
  const auto since = std::chrono::steady_clock::now();
  int answered = 0;
  while (std::chrono::steady_clock::now() - since < std::chrono::seconds(2)) {
    BOOST_TEST_REQUIRE(s.result("order.list", {{"limit", 100}})["orders"].as_array().size() == ids.size());
    ++answered;
    pace.wait(std::chrono::milliseconds(100));  // paces the reads; the slow polls commit nothing
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  const double cpu = portd::test::cpu_seconds(portd) - cpu_before;
  BOOST_TEST_MESSAGE("4 polls out for " << seconds << " s with 4 more orders due: portd used " << cpu
                                        << " s of CPU and answered " << answered << " order lists");
  BOOST_TEST(cpu / seconds < 0.25, "portd used " << cpu << " s of CPU in " << seconds << " s");
  s.sim_post("/_sim/faults", "{}");
}

BOOST_AUTO_TEST_SUITE_END()
