// Telegent's status spellings read into what they mean: one table of every spelling
// telegent-api.md §9 lists.
#include <portd/telegent/status.hpp>

#include <array>
#include <utility>

namespace portd::telegent {

using porting::order_kind;
using porting::order_state;
using porting::status_meaning;

namespace {

struct status_entry {
  std::string_view key;  // status_key() form
  order_state state;
  bool is_error;
};

constexpr std::array<status_entry, 20> status_table{{
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

std::string status_key(std::string_view raw) {
  std::string key;
  key.reserve(raw.size());
  for (char c : raw) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
    key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return key;
}

// `kind` is accepted for symmetry with the callers: Telegent's spellings mean the same for
// port-ins and port-outs.
status_meaning interpret_status(std::string_view raw, order_kind /*kind*/) {
  const std::string key = status_key(raw);
  if (key == "updated") return {status_meaning::kind::acknowledgement, order_state::submitted, false};
  for (const auto& e : status_table) {
    if (e.key == key) return {status_meaning::kind::state, e.state, e.is_error};
  }
  return {};
}

std::optional<order_state> normalise_status(std::string_view raw, order_kind kind) {
  const status_meaning m = interpret_status(raw, kind);
  if (m.what != status_meaning::kind::state) return std::nullopt;
  return m.state;
}

}  // namespace portd::telegent
