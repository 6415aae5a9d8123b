// Bulk import against the real daemon: 10,000 rows, the first run killed half-way, the
// second run completes it, and every row becomes exactly one order.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <fstream>
#include <set>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

BOOST_AUTO_TEST_SUITE(daemon_import)

BOOST_AUTO_TEST_CASE(ten_thousand_rows_interrupted_then_rerun_create_each_order_once) {
  stack_options opt;
  opt.requests_per_minute = 60;  // intake is under test, not Telegent: keep the API quiet
  stack s(opt);
  s.start_portd();
  const int rows = 10000;
  const std::string csv = s.dir().file("orders.csv");
  {
    std::ofstream out(csv);
    out << "client_ref,number,carrier,account_number,account_pin,street1,street2,city,state,zip\n";
    for (int i = 0; i < rows; ++i)
      out << "bulk-" << i << ",+1801" << 5000000 + i << ",Verizon,4444" << 1000 + i % 9000
          << ",1234,1 Main St,,Lehi,UT,84043\n";
  }
  // First run: killed once the daemon holds a good share of the rows.
  {
    portd::test::process p({portd::test::binary("PORTCTL_BIN"), "--socket", s.socket_path(), "import", csv}, {},
                           s.dir().file("import1.err"));
    portd::test::rpc_connection watch(s.socket_path());
    watch.send_line(R"({"jsonrpc":"2.0","id":1,"method":"events.watch","params":{"after":0}})");
    int created = 0;
    while (created < rows / 3) {
      auto line = watch.read_line(std::chrono::seconds(60));
      BOOST_TEST_REQUIRE(line.has_value(), "the import made no progress");
      if (line->find("\"order.created\"") != std::string::npos) ++created;
    }
    p.signal(SIGKILL);
    p.wait(std::chrono::seconds(30));
  }
  auto count_orders = [&] {
    std::set<std::string> refs;
    std::int64_t after = 0;
    int n = 0;
    for (;;) {
      auto page = s.result("order.list", {{"limit", 1000}, {"after_id", after}});
      for (auto& o : page["orders"].as_array()) {
        ++n;
        refs.insert(std::string(o.at("client_ref").as_string()));
      }
      if (page["next_after_id"].is_null()) break;
      after = page["next_after_id"].as_int64();
    }
    BOOST_TEST(refs.size() == static_cast<std::size_t>(n), "a client_ref holds two orders");
    return n;
  };
  const int first = count_orders();
  BOOST_TEST(first >= rows / 3);
  BOOST_TEST(first < rows, "the first run was not interrupted");
  // Second run: finishes the job and reports what was already there.
  auto [rc, out] = s.portctl({"import", csv});
  BOOST_TEST(rc == 0, out << portd::test::read_file(s.dir().file("portctl.stderr")));
  int created = -1, present = -1, rejected = -1, total = -1;
  const auto at = out.find(" rows: ");
  BOOST_TEST_REQUIRE(at != std::string::npos, out);
  std::sscanf(out.c_str() + out.rfind('\n', at == 0 ? 0 : at) + (at == 0 ? 0 : 1),
              "%d rows: %d created, %d already present, %d rejected", &total, &created, &present, &rejected);
  BOOST_TEST(total == rows);
  BOOST_TEST(rejected == 0);
  BOOST_TEST(present >= first);  // requests in flight at the kill may have landed after the count
  BOOST_TEST(created + present == rows);
  BOOST_TEST(count_orders() == rows);
}

BOOST_AUTO_TEST_SUITE_END()
