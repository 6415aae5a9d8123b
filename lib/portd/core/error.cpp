// portd::errc's names and its error_category.
#include <portd/core/error.hpp>

#include <string>

namespace portd {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::invalid_state: return "invalid_state";
    case errc::invalid_params: return "invalid_params";
    case errc::unavailable: return "unavailable";
    case errc::forbidden: return "forbidden";
    case errc::not_supported: return "not_supported";
    case errc::internal: return "internal";
  }
  return "unknown";
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
