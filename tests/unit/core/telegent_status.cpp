// Every Telegent status spelling of telegent-api.md §9 maps to the state the contract names.
#include <portd/core/status.hpp>

#include <boost/test/unit_test.hpp>

#include <utility>

using portd::core::interpret_status;
using portd::core::normalise_status;
using portd::core::order_kind;
using portd::core::order_state;
using portd::core::status_meaning;

BOOST_AUTO_TEST_SUITE(telegent_status)

BOOST_AUTO_TEST_CASE(every_listed_spelling_maps_to_its_state) {
  const std::pair<const char*, order_state> table[] = {
      {"Pending", order_state::submitted},
      {"Submitted", order_state::submitted},
      {"Pending Port In", order_state::submitted},
      {"Port Out Pending", order_state::submitted},
      {"Pending Carrier Approval", order_state::carrier_approval},
      {"InProgress", order_state::carrier_approval},
      {"Processing", order_state::carrier_approval},
      {"Approved", order_state::carrier_approval},
      {"Port Out Processing", order_state::carrier_approval},
      {"Scheduled", order_state::scheduled},
      {"Completed", order_state::completed},
      {"Complete", order_state::completed},
      {"Port Out Complete", order_state::completed},
      {"Rejected", order_state::rejected},
      {"ResolutionRequired", order_state::rejected},
      {"Port Out Rejected", order_state::rejected},
      {"Cancelled", order_state::cancelled},
      {"Canceled", order_state::cancelled},
      {"Error", order_state::rejected},
      {"Failed", order_state::rejected},
  };
  for (const auto& [raw, want] : table) {
    BOOST_TEST_CONTEXT(raw) {
      BOOST_TEST((normalise_status(raw, order_kind::port_in) == want));
      const auto m = interpret_status(raw, order_kind::port_out);
      BOOST_TEST(m.what == status_meaning::kind::state);
      BOOST_TEST(m.state == want);
    }
  }
}

BOOST_AUTO_TEST_CASE(case_spaces_underscores_and_dashes_are_ignored) {
  for (const char* raw : {"in progress", "IN_PROGRESS", "In-Progress", "inprogress", " InProgress ",
                          "pending_carrier_approval", "PENDING-CARRIER-APPROVAL"}) {
    BOOST_TEST_CONTEXT(raw) {
      BOOST_TEST((normalise_status(raw, order_kind::port_in) == order_state::carrier_approval));
    }
  }
  BOOST_TEST((normalise_status("port_out_complete", order_kind::port_out) == order_state::completed));
  BOOST_TEST((normalise_status("resolution required", order_kind::port_in) == order_state::rejected));
}

BOOST_AUTO_TEST_CASE(error_and_failed_are_rejections_flagged_as_errors) {
  for (const char* raw : {"Error", "FAILED", "failed"}) {
    const auto m = interpret_status(raw, order_kind::port_in);
    BOOST_TEST(m.what == status_meaning::kind::state);
    BOOST_TEST(m.state == order_state::rejected);
    BOOST_TEST(m.is_error);
  }
  BOOST_TEST(!interpret_status("Rejected", order_kind::port_in).is_error);
}

BOOST_AUTO_TEST_CASE(updated_is_only_an_acknowledgement) {
  const auto m = interpret_status("Updated", order_kind::port_in);
  BOOST_TEST(m.what == status_meaning::kind::acknowledgement);
  BOOST_TEST(!normalise_status("updated", order_kind::port_in).has_value());
}

BOOST_AUTO_TEST_CASE(anything_else_is_unknown_and_never_throws) {
  for (const char* raw : {"", "Provisioning", "Pending Review", "???", "Completed!"}) {
    BOOST_TEST_CONTEXT(raw) {
      BOOST_TEST(interpret_status(raw, order_kind::port_in).what == status_meaning::kind::unknown);
      BOOST_TEST(!normalise_status(raw, order_kind::port_in).has_value());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
