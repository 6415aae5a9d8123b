// Typed, validated parameters of each method (PROTOCOL.md "Methods"). Pure. Unknown members
// are refused naming them, types are checked, values go through core/validate; the first
// problem comes back as invalid_params with data.field.
#pragma once
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace portd::control {

struct protocol_options {
  bool require_owner = false;  // [orders] require_owner: port-ins must name account_id/subscriber_id
};

struct update_params {
  std::int64_t id = 0;
  porting::order_patch patch;
};
struct cancel_params {
  std::int64_t id = 0;
  std::string reason;
};
struct close_params {
  std::int64_t id = 0;
  std::string reason;  // required, non-empty
};
// Exactly one of remote_order_id (adopt) or resubmit.
struct resolve_params {
  std::int64_t id = 0;
  std::string remote_order_id;
  bool resubmit = false;
};
struct note_params {
  std::int64_t id = 0;
  std::string text;
};
struct events_list_params {
  std::int64_t after = 0;
  std::int64_t order_id = 0;  // 0: all orders
  int limit = 100;
};
struct watch_params {
  std::optional<std::int64_t> after;  // absent: from now
  std::int64_t order_id = 0;
};

outcome<port_in_request> parse_port_in(const boost::json::object&, const protocol_options&);
outcome<port_out_request> parse_port_out(const boost::json::object&);
// Exactly one of id, client_ref, remote_order_id, number (normalised to E.164).
outcome<order_key> parse_order_get(const boost::json::object&);
outcome<service::order_filter> parse_order_list(const boost::json::object&);
// {"id": int >= 1} and nothing else: order.history, order.retry, order.poll.
outcome<std::int64_t> parse_id_only(const boost::json::object&);
outcome<update_params> parse_update(const boost::json::object&);
outcome<cancel_params> parse_cancel(const boost::json::object&);
outcome<close_params> parse_close(const boost::json::object&);
outcome<resolve_params> parse_resolve(const boost::json::object&);
outcome<note_params> parse_note(const boost::json::object&);
outcome<events_list_params> parse_events_list(const boost::json::object&);
outcome<watch_params> parse_watch(const boost::json::object&);
outcome<std::string> parse_group_summary(const boost::json::object&);
// outbox.list: state? ("pending" | "delivered" | "dead", default "dead"), sink?, order_id?,
// after?, limit? (1–1000, default 100).
outcome<service::outbox_query> parse_outbox_list(const boost::json::object&);
// outbox.redeliver: exactly one of id (an outbox row), event_id with sink, or all: true (every
// dead letter, of sink? when given).
outcome<service::redeliver_selector> parse_outbox_redeliver(const boost::json::object&);
struct backup_params {
  std::string path;  // absolute
  bool force = false;
};
// daemon.backup: path (absolute, written by the daemon's user), force? (replace a file there).
outcome<backup_params> parse_backup(const boost::json::object&);
// No parameters at all (daemon.status, daemon.metrics).
std::optional<rpc_error> parse_no_params(const boost::json::object&);

}  // namespace portd::control
