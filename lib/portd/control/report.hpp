// The daemon's own reports as the protocol shows them: daemon.status's result object, the
// Prometheus text of daemon.metrics and GET /metrics, and outbox.list's deliveries, rendered
// from the service's values.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/service/queries.hpp>
#include <portd/service/status.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace portd::control {

// daemon.status's result (PROTOCOL.md, README "Monitoring").
boost::json::object render_status(const service::daemon_status&);
// The Prometheus text exposition (format 0.0.4), process_* read from /proc here.
std::string render_metrics(const service::daemon_metrics&);
// One delivery of outbox.list, with its event (null once retention has removed it).
boost::json::object render_outbox_row(const service::outbox_row&,
                                      const std::optional<porting::stored_event>&);

}  // namespace portd::control
