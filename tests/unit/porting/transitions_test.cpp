// The transition tables (porting/transitions.cpp) against this test's own copy of them, and
// decide() against the tables, both ways, over every order decide() can reach
// (decide_explorer.hpp): each row is a test row and a step decide() takes (one data-driven case
// per row), each test row is a row, and each step decide() takes that changes the state or
// starts a call is a row. Changing what a state does on a trigger is changing its row in the
// table and its test row below; a row changed alone fails its data-driven case, by name.
#include "common/decide_explorer.hpp"

#include <portd/porting/transitions.hpp>

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <iterator>
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

// ---- the test rows: the table as this test expects it ----------------------------------------
// "state trigger(answered call) [guard] -> next state + call", as a failure message prints a row
// ("reported": the state a status answer reports; "-": no call). Rows both kinds have, then each
// kind's own, as in transitions.cpp.

const char* const shared[] = {
    "received cancel [always] -> cancelled + -",
    "received close [always] -> closed + -",
    "submit_unknown cancel [always] -> cancelled + -",
    "submit_unknown resolve_adopt [always] -> submitted + status",
    "submit_unknown close [always] -> closed + -",
    "submitted timer [otherwise] -> submitted + status",
    "submitted recovered [cancel_pending] -> cancelling + cancel",
    "submitted recovered [otherwise] -> submitted + status",
    "submitted cancel [call_out] -> cancelling + -",
    "submitted cancel [otherwise] -> cancelling + cancel",
    "submitted poll [idle] -> submitted + status",
    "submitted close [always] -> closed + -",
    "submitted ok(status) [cancel_pending] -> cancelling + cancel",
    "submitted ok(status) [otherwise] -> reported + -",
    "submitted transient(status) [cancel_pending] -> cancelling + cancel",
    "submitted refused(status) [cancel_pending] -> cancelling + cancel",
    "carrier_approval timer [otherwise] -> carrier_approval + status",
    "carrier_approval recovered [otherwise] -> carrier_approval + status",
    "carrier_approval cancel [call_out] -> cancelling + -",
    "carrier_approval cancel [otherwise] -> cancelling + cancel",
    "carrier_approval poll [idle] -> carrier_approval + status",
    "carrier_approval close [always] -> closed + -",
    "carrier_approval ok(status) [otherwise] -> reported + -",
    "scheduled timer [otherwise] -> scheduled + status",
    "scheduled recovered [otherwise] -> scheduled + status",
    "scheduled cancel [call_out] -> cancelling + -",
    "scheduled cancel [otherwise] -> cancelling + cancel",
    "scheduled poll [idle] -> scheduled + status",
    "scheduled close [always] -> closed + -",
    "scheduled ok(status) [otherwise] -> reported + -",
    "rejected timer [otherwise] -> rejected + status",
    "rejected recovered [otherwise] -> rejected + status",
    "rejected cancel [call_out] -> cancelling + -",
    "rejected cancel [otherwise] -> cancelling + cancel",
    "rejected poll [idle] -> rejected + status",
    "rejected close [always] -> closed + -",
    "rejected ok(status) [otherwise] -> reported + -",
    "cancelling timer [settling] -> cancelling + status",
    "cancelling timer [otherwise] -> cancelling + cancel",
    "cancelling recovered [settling] -> cancelling + status",
    "cancelling recovered [otherwise] -> cancelling + cancel",
    "cancelling poll [idle] -> cancelling + status",
    "cancelling close [always] -> closed + -",
    "cancelling ok(cancel) [always] -> cancelled + -",
    "cancelling ok(status) [settling] -> reported + -",
    "cancelling ok(status) [reports_end] -> reported + -",
    "cancelling ok(status) [otherwise] -> cancelling + cancel",
    "cancelling transient(status) [cancel_pending] -> cancelling + cancel",
    "cancelling refused(cancel) [unknown_at_telegent] -> failed + -",
    "cancelling refused(cancel) [otherwise] -> cancelling + status",
    "cancelling refused(status) [settling_unknown] -> failed + -",
    "cancelling refused(status) [settling] -> failed + -",
    "cancelling refused(status) [otherwise] -> cancelling + cancel",
    "failed cancel [not_at_telegent] -> cancelled + -",
    "failed cancel [call_out] -> cancelling + -",
    "failed cancel [otherwise] -> cancelling + cancel",
    "failed retry [call_out] -> submitted + -",
    "failed poll [idle] -> failed + status",
    "failed close [always] -> closed + -",
    "failed ok(status) [otherwise] -> reported + -",
};

const char* const port_in_only[] = {
    "received start [skips_eligibility] -> submitting + submit_port_in",
    "received start [checks_eligibility] -> checking_eligibility + eligibility",
    "received timer [skips_eligibility] -> submitting + submit_port_in",
    "received timer [checks_eligibility] -> checking_eligibility + eligibility",
    "received recovered [skips_eligibility] -> submitting + submit_port_in",
    "received recovered [checks_eligibility] -> checking_eligibility + eligibility",
    "checking_eligibility timer [always] -> checking_eligibility + eligibility",
    "checking_eligibility recovered [always] -> checking_eligibility + eligibility",
    "checking_eligibility cancel [maybe_created] -> submit_unknown + -",
    "checking_eligibility cancel [otherwise] -> cancelled + -",
    "checking_eligibility close [always] -> closed + -",
    "checking_eligibility ok(eligibility) [eligible] -> submitting + submit_port_in",
    "checking_eligibility ok(eligibility) [not_eligible] -> ineligible + -",
    "checking_eligibility transient(eligibility) [attempts_exhausted] -> failed + -",
    "checking_eligibility refused(eligibility) [always] -> failed + -",
    "submitting timer [resend_window_passed] -> submit_unknown + -",
    "submitting timer [otherwise] -> submitting + submit_port_in",
    "submitting recovered [maybe_created] -> submit_unknown + -",
    "submitting recovered [cancel_pending] -> cancelled + -",
    "submitting recovered [resend_window_passed] -> submit_unknown + -",
    "submitting recovered [otherwise] -> submitting + submit_port_in",
    "submitting cancel [maybe_created] -> submit_unknown + -",
    "submitting cancel [not_at_telegent] -> cancelled + -",
    "submitting close [always] -> closed + -",
    "submitting ok(submit_port_in) [cancel_pending] -> cancelling + cancel",
    "submitting ok(submit_port_in) [otherwise] -> submitted + -",
    "submitting transient(submit_port_in) [maybe_created] -> submit_unknown + -",
    "submitting transient(submit_port_in) [cancel_pending] -> cancelled + -",
    "submitting transient(submit_port_in) [gave_up_maybe_created] -> submit_unknown + -",
    "submitting transient(submit_port_in) [attempts_exhausted] -> failed + -",
    "submitting refused(submit_port_in) [duplicate_after_ambiguous] -> submit_unknown + -",
    "submitting refused(submit_port_in) [maybe_created] -> submit_unknown + -",
    "submitting refused(submit_port_in) [cancel_pending] -> cancelled + -",
    "submitting refused(submit_port_in) [otherwise] -> failed + -",
    "submit_unknown resolve_resubmit [always] -> submitting + submit_port_in",
    "submitted timer [update_pending] -> submitted + update",
    "submitted recovered [update_pending] -> submitted + update",
    "submitted update [idle] -> submitted + update",
    "submitted ok(status) [update_pending] -> reported + update",
    "submitted ok(update) [update_pending] -> submitted + update",
    "submitted transient(status) [update_pending] -> submitted + update",
    "submitted transient(update) [attempts_exhausted] -> failed + -",
    "submitted refused(status) [update_pending] -> submitted + update",
    "submitted refused(update) [always] -> failed + -",
    "carrier_approval timer [update_pending] -> carrier_approval + update",
    "carrier_approval recovered [update_pending] -> carrier_approval + update",
    "carrier_approval update [idle] -> carrier_approval + update",
    "carrier_approval ok(status) [update_pending] -> reported + update",
    "carrier_approval ok(update) [update_pending] -> submitted + update",
    "carrier_approval ok(update) [otherwise] -> submitted + -",
    "carrier_approval transient(status) [update_pending] -> carrier_approval + update",
    "carrier_approval transient(update) [attempts_exhausted] -> failed + -",
    "carrier_approval refused(status) [update_pending] -> carrier_approval + update",
    "carrier_approval refused(update) [always] -> failed + -",
    "scheduled timer [update_pending] -> scheduled + update",
    "scheduled recovered [update_pending] -> scheduled + update",
    "scheduled update [idle] -> scheduled + update",
    "scheduled ok(status) [update_pending] -> reported + update",
    "scheduled ok(update) [update_pending] -> submitted + update",
    "scheduled ok(update) [otherwise] -> submitted + -",
    "scheduled transient(status) [update_pending] -> scheduled + update",
    "scheduled transient(update) [attempts_exhausted] -> failed + -",
    "scheduled refused(status) [update_pending] -> scheduled + update",
    "scheduled refused(update) [always] -> failed + -",
    "rejected timer [update_pending] -> rejected + update",
    "rejected recovered [update_pending] -> rejected + update",
    "rejected update [idle] -> rejected + update",
    "rejected ok(status) [update_pending] -> reported + update",
    "rejected ok(update) [update_pending] -> submitted + update",
    "rejected ok(update) [otherwise] -> submitted + -",
    "rejected transient(status) [update_pending] -> rejected + update",
    "rejected transient(update) [attempts_exhausted] -> failed + -",
    "rejected refused(status) [update_pending] -> rejected + update",
    "rejected refused(update) [always] -> failed + -",
    "cancelling ok(update) [cancel_pending] -> cancelling + cancel",
    "cancelling transient(update) [cancel_pending] -> cancelling + cancel",
    "cancelling refused(update) [cancel_pending] -> cancelling + cancel",
    "failed cancel [maybe_created] -> submit_unknown + -",
    "failed retry [not_at_telegent_skip_eligibility] -> submitting + submit_port_in",
    "failed retry [not_at_telegent] -> checking_eligibility + eligibility",
    "failed retry [otherwise] -> submitted + update",
    "failed ok(status) [update_pending] -> reported + update",
};

const char* const port_out_only[] = {
    "received start [always] -> issuing_pin + submit_port_out",
    "received timer [always] -> issuing_pin + submit_port_out",
    "received recovered [always] -> issuing_pin + submit_port_out",
    "issuing_pin timer [always] -> issuing_pin + submit_port_out",
    "issuing_pin recovered [may_have_reached] -> submit_unknown + -",
    "issuing_pin recovered [cancel_pending] -> cancelled + -",
    "issuing_pin recovered [otherwise] -> issuing_pin + submit_port_out",
    "issuing_pin cancel [not_at_telegent] -> cancelled + -",
    "issuing_pin close [always] -> closed + -",
    "issuing_pin ok(submit_port_out) [cancel_pending] -> cancelling + cancel",
    "issuing_pin ok(submit_port_out) [otherwise] -> submitted + -",
    "issuing_pin transient(submit_port_out) [may_have_reached] -> submit_unknown + -",
    "issuing_pin transient(submit_port_out) [cancel_pending] -> cancelled + -",
    "issuing_pin transient(submit_port_out) [attempts_exhausted] -> failed + -",
    "issuing_pin refused(submit_port_out) [cancel_pending] -> cancelled + -",
    "issuing_pin refused(submit_port_out) [otherwise] -> failed + -",
    "submit_unknown resolve_resubmit [always] -> issuing_pin + submit_port_out",
    "failed retry [not_at_telegent] -> issuing_pin + submit_port_out",
    "failed retry [otherwise] -> submitted + status",
};

std::set<std::string> test_rows(order_kind kind) {
  std::set<std::string> out(std::begin(shared), std::end(shared));
  if (kind == order_kind::port_in) out.insert(std::begin(port_in_only), std::end(port_in_only));
  else out.insert(std::begin(port_out_only), std::end(port_out_only));
  return out;
}

std::string text(const transition& row) {
  std::ostringstream os;
  os << row;
  return os.str();
}

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
        const status_meaning& m = r->meaning;
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

// A row of one kind's table (R = transition) or one of its test rows (R = std::string).
template <class R>
struct of_kind {
  order_kind kind;
  R row;
};
template <class R>
std::ostream& operator<<(std::ostream& os, const of_kind<R>& r) {
  return os << r.kind << " " << r.row;
}

template <class R, class Rows>
std::vector<of_kind<R>> both_kinds(Rows rows_of) {
  std::vector<of_kind<R>> out;
  for (auto k : {order_kind::port_in, order_kind::port_out})
    for (const auto& r : rows_of(k)) out.push_back({k, R(r)});
  return out;
}
const auto every_row = [] { return both_kinds<transition>([](order_kind k) { return transitions(k); }); };
const auto every_test_row = [] { return both_kinds<std::string>(test_rows); };

}  // namespace

BOOST_TEST_DONT_PRINT_LOG_VALUE(step)

BOOST_AUTO_TEST_SUITE(porting_transitions)

// Each row is a test row, and an order in its state given its trigger (where its guard holds)
// moves as it says.
BOOST_DATA_TEST_CASE(every_row_is_a_test_row_and_a_step_decide_takes, boost::unit_test::data::make(every_row()), r) {
  BOOST_TEST(test_rows(r.kind).contains(text(r.row)), "the table has a row the test does not: " << r);
  bool seen = false;
  for (const auto& s : steps_taken()) seen = seen || names(r.row, r.kind, s);
  BOOST_TEST(seen, "no order in " << r.row.from << " moves so on " << r.row.on);
}

// Each test row is a row of its kind's table.
BOOST_DATA_TEST_CASE(every_test_row_is_a_row, boost::unit_test::data::make(every_test_row()), r) {
  bool found = false;
  for (const auto& row : transitions(r.kind)) found = found || text(row) == r.row;
  BOOST_TEST(found, "the table has no such row: " << r);
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
