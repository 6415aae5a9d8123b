// decide() against its table (core/transitions.cpp), both ways, over every order decide() can
// reach (decide_explorer.hpp): each row is a step decide() takes (one data-driven case per row),
// and each step decide() takes that changes the state or starts a call is a row.
#include "common/decide_explorer.hpp"

#include <portd/porting/transitions.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace portd::porting {
// Prints a row in a failure message: "port_in submitting transient(submit_port_in) [maybe_created] -> submit_unknown + -".
std::ostream& operator<<(std::ostream& os, const transition& t) {
  os << t.from << " " << t.on;
  if (t.answers) os << "(" << *t.answers << ")";
  os << " [" << t.when << "] -> " << (t.to ? std::string(to_string(*t.to)) : "reported") << " + "
     << (t.call ? std::string(to_string(*t.call)) : "-");
  return os;
}
}  // namespace portd::porting

namespace {

using namespace decide_explorer;

// A step decide() took, as the table would state it (the guard aside).
struct step {
  order_kind kind;
  order_state from;
  trigger on;
  std::optional<call_kind> answers;
  std::optional<order_state> to;  // nullopt: the state a status answer reported
  std::optional<call_kind> call;
  auto operator<=>(const step&) const = default;
};

std::string str(const step& s) {
  std::ostringstream os;
  os << s.kind << " " << transition{s.from, s.on, s.answers, guard::always, s.to, s.call};
  return os.str();
}

// Every step of the exploration that changes the state or starts a call, once.
const std::set<step>& steps_taken() {
  static const std::set<step> all = [] {
    std::set<step> out;
    explore([&](const order& o, const input& in, const decision& d) {
      const auto t = trigger_of(in);
      if (!t || d.refused || (d.next.state == o.state && !d.call)) return;
      std::optional<order_state> to = d.next.state;
      if (const auto* r = std::get_if<api_result>(&in);
          r && r->call == call_kind::status && r->outcome == call_outcome::ok && d.next.state != o.state) {
        const status_meaning m = interpret_status(r->remote_status, o.kind);
        order_state told = m.state;
        if (told == order_state::rejected && o.kind == order_kind::port_out) told = order_state::port_out_rejected;
        if (m.what == status_meaning::kind::state && told == d.next.state) to.reset();
      }
      out.insert({o.kind, o.state, t->on, t->answers, to, d.call});
    });
    return out;
  }();
  return all;
}

// A row names a step when everything but the guard agrees; a row to the reported state also
// names the status answer that left the state as it was.
bool names(const transition& row, order_kind kind, const step& s) {
  if (s.kind != kind || s.from != row.from || s.on != row.on || s.answers != row.answers || s.call != row.call)
    return false;
  return row.to == s.to || (!row.to && s.to == row.from);
}

struct kind_row {
  order_kind kind;
  transition row;
};
std::ostream& operator<<(std::ostream& os, const kind_row& r) { return os << r.kind << " " << r.row; }

std::vector<kind_row> every_row() {
  std::vector<kind_row> out;
  for (auto k : {order_kind::port_in, order_kind::port_out})
    for (const auto& r : transitions(k)) out.push_back({k, r});
  return out;
}

}  // namespace

BOOST_TEST_DONT_PRINT_LOG_VALUE(step)

BOOST_AUTO_TEST_SUITE(core_transitions)

// Each row, an order in its state given its trigger (where its guard holds) moves as it says.
BOOST_DATA_TEST_CASE(every_row_is_a_step_decide_takes, boost::unit_test::data::make(every_row()), r) {
  bool seen = false;
  for (const auto& s : steps_taken()) seen = seen || names(r.row, r.kind, s);
  BOOST_TEST(seen, "no order in " << r.row.from << " moves so on " << r.row.on);
}

// decide ⊆ table: every state change or call decide() makes is a row.
BOOST_AUTO_TEST_CASE(every_step_decide_takes_is_a_row) {
  std::size_t unlisted = 0;
  for (const auto& s : steps_taken()) {
    bool listed = false;
    for (const auto& row : transitions(s.kind)) listed = listed || names(row, s.kind, s);
    if (!listed) {
      ++unlisted;
      BOOST_ERROR("decide() takes a step its table does not have: " << str(s));
    }
  }
  BOOST_TEST(steps_taken().size() > 150u, "the exploration reached the whole machine");
  BOOST_TEST(unlisted == 0u);
}

// Rows of one state, trigger and answered call differ in their guard, and at most one is the
// `otherwise` row (an `always` row is alone); nothing leaves an end state.
BOOST_AUTO_TEST_CASE(one_row_per_guard_and_none_out_of_an_end_state) {
  for (auto k : {order_kind::port_in, order_kind::port_out}) {
    std::map<std::tuple<order_state, trigger, std::optional<call_kind>>, std::set<guard>> guards;
    for (const auto& r : transitions(k)) {
      auto& of_key = guards[{r.from, r.on, r.answers}];
      BOOST_TEST(of_key.insert(r.when).second, "two rows with one guard: " << k << " " << r);
      BOOST_TEST(!is_terminal(r.from), "a row out of an end state: " << r);
      BOOST_TEST(r.answers.has_value() == (r.on == trigger::ok || r.on == trigger::transient || r.on == trigger::refused));
    }
    for (const auto& [key, of_key] : guards)
      BOOST_TEST((!of_key.contains(guard::always) || of_key.size() == 1u),
                 "an always row beside others: " << k << " " << std::get<0>(key) << " " << std::get<1>(key));
  }
}

BOOST_AUTO_TEST_SUITE_END()
