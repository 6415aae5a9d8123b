// Remote status normalisation: every spelling of telegent-api.md §9.
#include <portd/core/status.hpp>

#include <array>
#include <string>
#include <utility>

namespace portd::core {
namespace {

std::string fold(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  for (char c : raw) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
    s.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return s;
}

struct entry {
  std::string_view folded;
  order_state state;
  bool is_error;
};

constexpr std::array<entry, 20> table{{
    {"pending", order_state::submitted, false},
    {"submitted", order_state::submitted, false},
    {"pendingportin", order_state::submitted, false},
    {"portoutpending", order_state::submitted, false},
    {"pendingcarrierapproval", order_state::carrier_approval, false},
    {"inprogress", order_state::carrier_approval, false},
    {"processing", order_state::carrier_approval, false},
    {"approved", order_state::carrier_approval, false},
    {"portoutprocessing", order_state::carrier_approval, false},
    {"scheduled", order_state::scheduled, false},
    {"completed", order_state::completed, false},
    {"complete", order_state::completed, false},
    {"portoutcomplete", order_state::completed, false},
    {"rejected", order_state::rejected, false},
    {"resolutionrequired", order_state::rejected, false},
    {"portoutrejected", order_state::rejected, false},
    {"cancelled", order_state::cancelled, false},
    {"canceled", order_state::cancelled, false},
    {"error", order_state::rejected, true},
    {"failed", order_state::rejected, true},
}};

}  // namespace

status_meaning normalise_status(std::string_view raw, order_kind) {
  const std::string f = fold(raw);
  if (f == "updated") return {status_meaning::acknowledgement, order_state::submitted, false};
  for (const auto& e : table)
    if (e.folded == f) return {status_meaning::known_state, e.state, e.is_error};
  return {};
}

}  // namespace portd::core
