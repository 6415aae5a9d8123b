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

class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "portd"; }
  std::string message(int ev) const override { return std::string(to_string(static_cast<errc>(ev))); }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const category c;
  return c;
}

}  // namespace portd
