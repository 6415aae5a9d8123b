// normalise_status()/interpret_status(): every spelling of telegent-api.md §9, in every casing
// and with every separator the contract allows, for both kinds of order.
#include <portd/telegent/status.hpp>

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <string>
#include <vector>

using namespace portd::porting;
using namespace portd::telegent;

namespace {

struct spelling {
  std::vector<std::string> words;  // the status split into its words
  order_state state;
  bool is_error = false;
};

const std::vector<spelling> table{
    {{"Pending"}, order_state::submitted},
    {{"Submitted"}, order_state::submitted},
    {{"Pending", "Port", "In"}, order_state::submitted},
    {{"Port", "Out", "Pending"}, order_state::submitted},
    {{"Pending", "Carrier", "Approval"}, order_state::carrier_approval},
    {{"In", "Progress"}, order_state::carrier_approval},
    {{"Processing"}, order_state::carrier_approval},
    {{"Approved"}, order_state::carrier_approval},
    {{"Port", "Out", "Processing"}, order_state::carrier_approval},
    {{"Scheduled"}, order_state::scheduled},
    {{"Completed"}, order_state::completed},
    {{"Complete"}, order_state::completed},
    {{"Port", "Out", "Complete"}, order_state::completed},
    {{"Rejected"}, order_state::rejected},
    {{"Resolution", "Required"}, order_state::rejected},
    {{"Port", "Out", "Rejected"}, order_state::rejected},
    {{"Cancelled"}, order_state::cancelled},
    {{"Canceled"}, order_state::cancelled},
    {{"Error"}, order_state::rejected, true},
    {{"Failed"}, order_state::rejected, true},
};

std::string join(const std::vector<std::string>& words, const std::string& sep) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every way Telegent's pages and samples write the same status.
std::vector<std::string> variants(const spelling& s) {
  std::vector<std::string> v;
  for (const std::string sep : {"", " ", "_", "-", " - ", "\t"}) {
    const std::string base = join(s.words, sep);
    v.push_back(base);
    v.push_back(upper(base));
    v.push_back(lower(base));
  }
  v.push_back(" " + join(s.words, " ") + " ");
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(status_normalisation)

BOOST_AUTO_TEST_CASE(every_spelling_in_every_form_for_both_kinds) {
  BOOST_TEST(table.size() == 20u, "telegent-api.md §9 lists 20 status values");
  for (const auto& s : table) {
    for (const auto& raw : variants(s)) {
      for (order_kind kind : {order_kind::port_in, order_kind::port_out}) {
        BOOST_TEST_CONTEXT("\"" << raw << "\" " << kind) {
          const auto n = normalise_status(raw, kind);
          BOOST_TEST_REQUIRE(n.has_value());
          BOOST_TEST(*n == s.state);
          const status_meaning m = interpret_status(raw, kind);
          BOOST_TEST(m.what == status_meaning::kind::state);
          BOOST_TEST(m.state == s.state);
          BOOST_TEST(m.is_error == s.is_error);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(updated_is_an_acknowledgement_in_every_form) {
  for (const char* raw : {"Updated", "updated", "UPDATED", " Updated "}) {
    BOOST_TEST_CONTEXT(raw) {
      const status_meaning m = interpret_status(raw, order_kind::port_in);
      BOOST_TEST(m.what == status_meaning::kind::acknowledgement);
      BOOST_TEST(!normalise_status(raw, order_kind::port_in).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(anything_else_is_unknown) {
  for (const char* raw : {"", " ", "Provisioning", "Pending Review", "Complet", "Completedd", "Port Out",
                          "Cancel", "Reject", "P3nding", "Pending.", "Scheduled/Confirmed", "???", "Completed!"}) {
    BOOST_TEST_CONTEXT("\"" << raw << "\"") {
      const status_meaning m = interpret_status(raw, order_kind::port_in);
      BOOST_TEST(m.what == status_meaning::kind::unknown);
      BOOST_TEST(!normalise_status(raw, order_kind::port_in).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(status_key_is_the_folded_form) {
  BOOST_TEST(status_key("Pending Carrier Approval") == "pendingcarrierapproval");
  BOOST_TEST(status_key("IN_PROGRESS") == "inprogress");
  BOOST_TEST(status_key("Port-Out - Complete") == "portoutcomplete");
  BOOST_TEST(status_key("") == "");
  BOOST_TEST(to_string(status_meaning::kind::state) == "state");
  BOOST_TEST(to_string(status_meaning::kind::acknowledgement) == "acknowledgement");
  BOOST_TEST(to_string(status_meaning::kind::unknown) == "unknown");
}

BOOST_AUTO_TEST_SUITE_END()
