// The daemon's own reports as the protocol shows them: daemon.status's result object and the
// Prometheus text of daemon.metrics and GET /metrics, rendered from the service's values.
#pragma once
#include <portd/service/status.hpp>

#include <boost/json/object.hpp>

#include <string>

namespace portd::control {

// daemon.status's result (PROTOCOL.md, README "Monitoring").
boost::json::object render_status(const service::daemon_status&);
// The Prometheus text exposition (format 0.0.4), process_* read from /proc here.
std::string render_metrics(const service::daemon_metrics&);

}  // namespace portd::control
