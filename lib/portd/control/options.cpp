// Configuration -> server_options.
#include <portd/control/options.hpp>

namespace portd::control {

server_options make_server_options(const util::config& cfg) {
  server_options o;
  o.socket_path = cfg.control.socket;
  o.access.operator_uids = cfg.control.operators.uids;
  o.access.operator_gids = cfg.control.operators.gids;
  o.access.reader_uids = cfg.control.readers.uids;
  o.access.reader_gids = cfg.control.readers.gids;
  if (cfg.control.max_connections > 0)
    o.max_connections = static_cast<std::size_t>(cfg.control.max_connections);
  if (cfg.control.idle_timeout.count() > 0) o.idle_timeout = cfg.control.idle_timeout;
  o.protocol.require_owner = cfg.orders.require_owner;
  return o;
}

}  // namespace portd::control
