// Who calls the service, and with which role the socket granted.
#pragma once
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace portd::service {

// What the socket granted the peer: readers read, operators also change orders.
enum class role : std::uint8_t { none, reader, operator_ };
inline std::string_view to_string(role r) {
  // In the order of the enumerators (the assert catches one added at the end, not a reorder).
  static constexpr std::string_view names[] = {"none", "reader", "operator"};
  static_assert(std::size(names) == static_cast<std::size_t>(role::operator_) + 1);
  const auto i = static_cast<std::size_t>(r);
  return i < std::size(names) ? names[i] : "?";
}
inline std::ostream& operator<<(std::ostream& os, role r) { return os << to_string(r); }

// Who asks (the peer's credentials); the history names the operator by uid.
struct caller {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int32_t pid = 0;
  // Qualified: GCC rejects a member that changes the meaning of the type's name.
  service::role role = service::role::none;
  std::string actor() const { return "operator:uid=" + std::to_string(uid); }
};

}  // namespace portd::service
