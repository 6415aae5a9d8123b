// The error category of sim_errc.
#include <telegent_sim/errors.hpp>

#include <string>

namespace telegent_sim {

std::string_view to_string(sim_errc e) noexcept {
  switch (e) {
    case sim_errc::bad_credentials: return "bad_credentials";
    case sim_errc::token_missing: return "token_missing";
    case sim_errc::token_unknown: return "token_unknown";
    case sim_errc::token_expired: return "token_expired";
    case sim_errc::token_wrong_scope: return "token_wrong_scope";
    case sim_errc::order_not_found: return "order_not_found";
    case sim_errc::order_not_open: return "order_not_open";
    case sim_errc::duplicate_port_in: return "duplicate_port_in";
    case sim_errc::ineligible: return "ineligible";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& os, sim_errc e) { return os << to_string(e); }

namespace {
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "telegent_sim"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<sim_errc>(ev)));
  }
};
}  // namespace

const boost::system::error_category& sim_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace telegent_sim
