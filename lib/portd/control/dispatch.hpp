// The dispatch table: method -> {role needed, handler}. Turns a parsed request into the reply
// line by checking the caller's role, validating params and calling the service. Knows nothing
// of sockets; events.watch is recognised and validated here but streamed by the server.
#pragma once
#include <portd/control/access.hpp>
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>
#include <portd/control/params.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace portd::control {

// A handler's result is the JSON text of the reply's `result` member.
using method_handler = boost::asio::awaitable<outcome<std::string>> (*)(
    service::order_service&, const boost::json::object& params, const caller&, const protocol_options&);

struct method_entry {
  std::string_view name;
  role needed;             // reader or operator_
  method_handler handler;  // null for events.watch (streamed by the server)
};

// Every method of PROTOCOL.md, in its table order.
std::span<const method_entry> method_table();
const method_entry* find_method(std::string_view name);
// reader < operator_: an operator may call everything a reader may.
bool allowed(role needed, role have);

// What one line asks the server to do.
struct handled {
  std::optional<std::string> reply;  // the reply line ('\n' included); none for a notification
  std::optional<watch_params> watch;  // an accepted events.watch: the server streams it
  boost::json::value id;              // the request's id (for the watch's first reply)
};

// A request the caller may make: its method, and for events.watch its parameters.
struct admitted {
  const method_entry* method = nullptr;
  std::optional<watch_params> watch;
};

class dispatcher {
 public:
  // `access`, when given, names the groups that grant a role the caller lacks (forbidden's
  // message and data.groups); it must outlive the dispatcher.
  dispatcher(service::order_service& b, protocol_options opts, const access_rules* access = nullptr)
      : service_(b), opts_(opts), access_(access) {}

  // The one check of a request before it runs: the method exists, the caller's role allows
  // it, and events.watch's parameters are valid. The error to answer with otherwise.
  outcome<admitted> admit(const request& req, const caller& who) const;

  // Parses, authorises, validates and runs one line. Never throws for a request's sake: an
  // exception from the service becomes internal_error (its text is not shown to the peer).
  boost::asio::awaitable<handled> handle(std::string line, caller who);

  // The same for an already parsed request.
  boost::asio::awaitable<handled> handle(request req, caller who);

  service::order_service& service() { return service_; }
  const protocol_options& options() const { return opts_; }

 private:
  service::order_service& service_;
  protocol_options opts_;
  const access_rules* access_;
};

}  // namespace portd::control
