// The control socket's line splitter and per-line back-pressure rule (line_reader.hpp).
#include <portd/control/line_reader.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace portd::control;
using status = line_reader::status;

namespace {
// Every line `r` yields until it needs more.
std::vector<std::string> take(line_reader& r) {
  std::vector<std::string> out;
  for (auto n = r.next(); n.what == status::line; n = r.next()) out.emplace_back(n.line);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(control_line_reader)

BOOST_AUTO_TEST_CASE(lines_come_one_at_a_time_whatever_the_reads) {
  line_reader r(100);
  BOOST_TEST(r.next().what == status::need_more);
  r.feed("a\nbb");
  BOOST_TEST(r.next().line == "a");
  BOOST_TEST(r.next().what == status::need_more);
  r.feed("b\r\n\nccc\n");
  BOOST_TEST(take(r) == (std::vector<std::string>{"bbb\r", "", "ccc"}), boost::test_tools::per_element());
  BOOST_TEST(r.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(a_line_longer_than_the_limit_ended_or_not_is_too_long) {
  line_reader ended(4);
  ended.feed("1234\n12345\n");
  BOOST_TEST(ended.next().line == "1234");
  BOOST_TEST(ended.next().what == status::too_long);
  line_reader open(4);
  open.feed("1234");
  BOOST_TEST(open.next().what == status::need_more);
  open.feed("5");
  BOOST_TEST(open.next().what == status::too_long);
}

BOOST_AUTO_TEST_CASE(a_line_is_taken_only_under_every_limit) {
  const backlog_limits l{4, 1000};
  BOOST_TEST(may_take_line({0, 0, 0}, l));
  BOOST_TEST(may_take_line({3, 3, 999}, l));
  BOOST_TEST(!may_take_line({4, 0, 0}, l));
  BOOST_TEST(!may_take_line({0, 4, 0}, l));
  BOOST_TEST(!may_take_line({0, 0, 1000}, l));
}

BOOST_AUTO_TEST_SUITE_END()
