// The server's options from the daemon's configuration ([control] and [orders] of CONFIG.md).
#pragma once
#include <portd/control/server.hpp>
#include <portd/util/config.hpp>

namespace portd::control {

// socket, operators, readers, max_connections, idle_timeout and orders.require_owner; the
// other limits keep their defaults.
server_options make_server_options(const util::config&);

}  // namespace portd::control
