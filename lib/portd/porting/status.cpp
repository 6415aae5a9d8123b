// The names of a status meaning's kinds.
#include <portd/porting/status.hpp>

#include <iterator>

namespace portd::porting {

std::string_view to_string(status_meaning::kind k) {
  // In the order of the enumerators (the assert catches one added at the end, not a reorder).
  static constexpr std::string_view names[] = {"state", "acknowledgement", "unknown"};
  static_assert(std::size(names) == static_cast<std::size_t>(status_meaning::kind::unknown) + 1);
  const auto i = static_cast<std::size_t>(k);
  return i < std::size(names) ? names[i] : "?";
}

std::ostream& operator<<(std::ostream& os, status_meaning::kind k) { return os << to_string(k); }

}  // namespace portd::porting
