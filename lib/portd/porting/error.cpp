// portd::errc's names and its error_category.
#include <portd/porting/error.hpp>

#include <string>

namespace portd {

std::string_view to_string(errc e) noexcept {
  // In the order of the enumerators, from not_found = 1 (the assert catches one added at the
  // end, not a reorder).
  static constexpr std::string_view names[] = {"not_found",   "conflict",  "invalid_state", "invalid_params",
                                               "unavailable", "forbidden", "not_supported", "internal"};
  static_assert(std::size(names) == static_cast<std::size_t>(errc::internal));
  const auto i = static_cast<std::size_t>(e) - 1;  // 0 wraps round to "unknown"
  return i < std::size(names) ? names[i] : "unknown";
}

std::ostream& operator<<(std::ostream& os, errc e) { return os << to_string(e); }

namespace {

// Boost's base keeps its destructor protected and non-virtual on purpose (categories are
// static singletons, never deleted through the base); GCC warns about it all the same.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "portd"; }
  std::string message(int ev) const override { return std::string(to_string(static_cast<errc>(ev))); }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace portd
