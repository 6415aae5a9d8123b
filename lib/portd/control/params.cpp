// Parameter parsing and validation per method.
#include <portd/control/params.hpp>
#include <portd/control/errors.hpp>
#include <portd/control/vocabulary.hpp>
#include <portd/porting/validate.hpp>

#include <initializer_list>
#include <limits>

namespace json = boost::json;

namespace portd::control {
namespace {

// Reads members of one params object, remembering the first problem. A member that is null
// counts as absent (so a client may echo "next_after_id": null back).
class fields {
 public:
  explicit fields(const json::object& o, std::string prefix = "")
      : o_(o), prefix_(std::move(prefix)) {}

  std::optional<rpc_error> error;

  std::string path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  void fail(std::string_view key, std::string message) {
    if (!error) error = invalid_params(path(key), std::move(message));
  }
  void fail(const porting::invalid_field& f) {
    if (!error) error = invalid_params(f);
  }

  // Refuses any member not in `known`, naming it.
  void only(std::initializer_list<std::string_view> known) {
    for (auto& kv : o_) {
      bool ok = false;
      for (auto k : known) ok = ok || kv.key() == k;
      if (!ok) {
        std::string key(kv.key().substr(0, 64));
        fail(key, "unknown parameter " + path(key));
      }
    }
  }

  bool has(std::string_view key) const {
    auto* v = o_.if_contains(key);
    return v && !v->is_null();
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    auto* v = get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      fail(key, path(key) + " must be a string");
      return std::nullopt;
    }
    return std::string(v->as_string());
  }

  // A string that passes check_text (non-empty, bounded, no control characters).
  std::optional<std::string> text(std::string_view key, bool required,
                                  std::size_t max = porting::max_text_length) {
    auto s = string(key, required);
    if (s)
      if (auto e = porting::check_text(*s, path(key), max)) {
        fail(*e);
        return std::nullopt;
      }
    return s;
  }

  std::optional<std::int64_t> integer(std::string_view key, bool required, std::int64_t min,
                                      std::int64_t max) {
    auto* v = get(key, required);
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    if (v->is_int64()) {
      n = v->as_int64();
    } else if (v->is_uint64()) {
      n = std::numeric_limits<std::int64_t>::max();
    } else {
      fail(key, path(key) + " must be an integer");
      return std::nullopt;
    }
    if (n < min || n > max) {
      if (max == std::numeric_limits<std::int64_t>::max())
        fail(key, path(key) + " must be at least " + std::to_string(min));
      else
        fail(key, path(key) + " must be between " + std::to_string(min) + " and " +
                      std::to_string(max));
      return std::nullopt;
    }
    return n;
  }

  std::optional<std::int64_t> id(std::string_view key = "id", bool required = true) {
    return integer(key, required, 1, std::numeric_limits<std::int64_t>::max());
  }

  std::optional<bool> boolean(std::string_view key, bool required) {
    auto* v = get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_bool()) {
      fail(key, path(key) + " must be true or false");
      return std::nullopt;
    }
    return v->as_bool();
  }

  const json::object* object(std::string_view key, bool required) {
    auto* v = get(key, required);
    if (!v) return nullptr;
    if (!v->is_object()) {
      fail(key, path(key) + " must be an object");
      return nullptr;
    }
    return &v->as_object();
  }

  std::optional<std::string> number(std::string_view key, bool required) {
    auto s = string(key, required);
    if (!s) return s;
    auto r = porting::normalize_e164(*s, path(key));
    if (!r.ok()) {
      fail(*r.error);
      return std::nullopt;
    }
    return r.value;
  }

  // `check` runs on a present string member; its error is recorded.
  template <class Check>
  std::optional<std::string> checked(std::string_view key, bool required, Check check) {
    auto s = string(key, required);
    if (s)
      if (auto e = check(*s, path(key))) {
        fail(*e);
        return std::nullopt;
      }
    return s;
  }

 private:
  const json::value* get(std::string_view key, bool required) {
    if (error) return nullptr;
    auto* v = o_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(key, path(key) + " is required");
      return nullptr;
    }
    return v;
  }

  const json::object& o_;
  std::string prefix_;
};

auto pin_check = [](std::string_view s, std::string_view f) { return porting::check_pin(s, f); };
auto iccid_check = [](std::string_view s, std::string_view f) { return porting::check_iccid(s, f); };
auto date_check = [](std::string_view s, std::string_view f) { return porting::check_date(s, f); };
auto class_check = [](std::string_view s, std::string_view f) {
  return porting::check_classification(s, f);
};
auto account_check = [](std::string_view s, std::string_view f) {
  return porting::check_account_number(s, f);
};
auto aid_check = [](std::string_view s, std::string_view f) {
  return porting::check_prefixed_id(s, "AID-", f);
};
auto tsuid_check = [](std::string_view s, std::string_view f) {
  return porting::check_prefixed_id(s, "TSUID-", f);
};

std::optional<porting::billing_address> parse_address(fields& parent, std::string_view key,
                                                   bool required) {
  const json::object* o = parent.object(key, required);
  if (!o) return std::nullopt;
  fields f(*o, parent.path(key));
  f.only({"street1", "street2", "city", "state", "zip"});
  porting::billing_address a;
  if (auto s = f.text("street1", true)) a.street1 = *s;
  if (auto s = f.string("street2", false)) {
    if (auto e = porting::check_text(*s, f.path("street2"), porting::max_text_length, true)) f.fail(*e);
    a.street2 = *s;
  }
  if (auto s = f.text("city", true)) a.city = *s;
  if (auto s = f.checked("state", true, porting::check_us_state)) a.state = *s;
  if (auto s = f.checked("zip", true, porting::check_zip)) a.zip = *s;
  if (f.error) {
    parent.fail(f.error->data.contains("field") ? std::string(f.error->data["field"].as_string())
                                                : std::string(key),
                f.error->message);
    return std::nullopt;
  }
  return a;
}

}  // namespace

outcome<port_in_request> parse_port_in(const json::object& o, const protocol_options& opts) {
  fields f(o);
  f.only({"number", "carrier", "account_number", "account_pin", "billing_address",
          "subscriber_name", "iccid", "classification", "port_in_date", "skip_eligibility",
          "account_id", "subscriber_id", "client_ref", "group"});
  port_in_request r;
  auto& d = r.details;
  if (auto s = f.number("number", true)) r.number = *s;
  if (auto s = f.text("carrier", true)) d.carrier = *s;
  if (auto s = f.checked("account_number", true, account_check)) d.account_number = *s;
  if (auto s = f.checked("account_pin", true, pin_check)) r.account_pin = *s;
  if (auto a = parse_address(f, "billing_address", true)) d.billing_address = *a;
  if (auto s = f.text("subscriber_name", false)) d.subscriber_name = *s;
  if (auto s = f.checked("iccid", false, iccid_check)) d.iccid = *s;
  if (auto s = f.checked("classification", false, class_check)) d.classification = *s;
  if (auto s = f.checked("port_in_date", false, date_check)) d.port_in_date = *s;
  if (auto b = f.boolean("skip_eligibility", false)) r.skip_eligibility = *b;
  if (auto s = f.checked("account_id", opts.require_owner, aid_check)) d.account_id = *s;
  if (auto s = f.checked("subscriber_id", opts.require_owner, tsuid_check)) d.subscriber_id = *s;
  if (auto s = f.text("client_ref", false)) r.client_ref = *s;
  if (auto s = f.text("group", false)) r.group = *s;
  if (f.error) return *f.error;
  return r;
}

outcome<port_out_request> parse_port_out(const json::object& o) {
  fields f(o);
  f.only({"number", "pin", "client_ref", "group"});
  port_out_request r;
  if (auto s = f.number("number", true)) r.number = *s;
  if (auto s = f.checked("pin", true, pin_check)) r.pin = *s;
  if (auto s = f.text("client_ref", false)) r.client_ref = *s;
  if (auto s = f.text("group", false)) r.group = *s;
  if (f.error) return *f.error;
  return r;
}

outcome<order_key> parse_order_get(const json::object& o) {
  fields f(o);
  f.only({"id", "client_ref", "remote_order_id", "number"});
  if (f.error) return *f.error;
  int given = 0;
  std::string second;
  for (auto k : {"id", "client_ref", "remote_order_id", "number"})
    if (f.has(k) && ++given == 2) second = k;
  if (given == 0)
    return invalid_params("id", "exactly one of id, client_ref, remote_order_id, number is required");
  if (given > 1)
    return invalid_params(second,
                          "give exactly one of id, client_ref, remote_order_id, number");
  order_key k;
  k.id = f.id("id", false);
  if (auto s = f.text("client_ref", false)) k.client_ref = *s;
  if (auto s = f.text("remote_order_id", false)) k.remote_order_id = *s;
  if (auto s = f.number("number", false)) k.number = *s;
  if (f.error) return *f.error;
  return k;
}

outcome<service::order_filter> parse_order_list(const json::object& o) {
  fields f(o);
  f.only({"state", "kind", "number", "group", "active", "needs_attention", "limit", "after_id"});
  if (f.error) return *f.error;
  service::order_filter filter;
  if (auto* v = o.if_contains("state"); v && !v->is_null()) {
    auto add = [&](const json::value& s) -> bool {
      if (!s.is_string()) return false;
      auto st = porting::parse_order_state(s.as_string());
      if (!st) return false;
      filter.states.push_back(*st);
      return true;
    };
    const std::string what =
        "state must be a state name or an array of state names (received, checking_eligibility, "
        "ineligible, submitting, submit_unknown, issuing_pin, submitted, carrier_approval, "
        "scheduled, rejected, cancelling, cancelled, completed, failed, port_out_rejected, closed)";
    if (v->is_array()) {
      if (v->as_array().empty()) return invalid_params("state", "state must not be an empty array");
      for (auto& s : v->as_array())
        if (!add(s)) return invalid_params("state", what);
    } else if (!add(*v)) {
      return invalid_params("state", what);
    }
  }
  if (auto s = f.string("kind", false)) {
    auto k = porting::parse_order_kind(*s);
    if (!k) return invalid_params("kind", "kind must be \"port_in\" or \"port_out\"");
    filter.kind = *k;
  }
  if (auto s = f.number("number", false)) filter.number = *s;
  if (auto s = f.text("group", false)) filter.group = *s;
  filter.active = f.boolean("active", false);
  filter.needs_attention = f.boolean("needs_attention", false);
  if (auto n = f.integer("limit", false, 1, 1000)) filter.limit = static_cast<int>(*n);
  if (auto n = f.integer("after_id", false, 0, std::numeric_limits<std::int64_t>::max()))
    filter.after_id = *n;
  if (f.error) return *f.error;
  return filter;
}

outcome<std::int64_t> parse_id_only(const json::object& o) {
  fields f(o);
  f.only({"id"});
  auto id = f.id();
  if (f.error) return *f.error;
  return *id;
}

outcome<update_params> parse_update(const json::object& o) {
  fields f(o);
  f.only({"id", "carrier", "account_number", "account_pin", "billing_address", "subscriber_name",
          "iccid", "port_in_date", "classification"});
  update_params u;
  if (auto id = f.id()) u.id = *id;
  auto& p = u.patch;
  p.carrier = f.text("carrier", false);
  p.account_number = f.checked("account_number", false, account_check);
  p.account_pin = f.checked("account_pin", false, pin_check);
  p.billing_address = parse_address(f, "billing_address", false);
  if (f.has("subscriber_name")) {
    // May be cleared with "".
    if (auto s = f.string("subscriber_name", false)) {
      if (auto e = porting::check_text(*s, "subscriber_name", porting::max_text_length, true)) f.fail(*e);
      p.subscriber_name = *s;
    }
  }
  p.iccid = f.checked("iccid", false, iccid_check);
  p.port_in_date = f.checked("port_in_date", false, date_check);
  p.classification = f.checked("classification", false, class_check);
  if (f.error) return *f.error;
  if (p.empty())
    return invalid_params("", "nothing to update: give at least one of carrier, account_number, "
                              "account_pin, billing_address, subscriber_name, iccid, "
                              "port_in_date, classification");
  return u;
}

outcome<cancel_params> parse_cancel(const json::object& o) {
  fields f(o);
  f.only({"id", "reason"});
  cancel_params c;
  if (auto id = f.id()) c.id = *id;
  if (auto s = f.text("reason", false, porting::max_long_text_length)) c.reason = *s;
  if (f.error) return *f.error;
  return c;
}

outcome<close_params> parse_close(const json::object& o) {
  fields f(o);
  f.only({"id", "reason"});
  close_params c;
  if (auto id = f.id()) c.id = *id;
  if (auto s = f.text("reason", true, porting::max_long_text_length)) c.reason = *s;
  if (f.error) return *f.error;
  if (c.reason.empty()) return invalid_params("reason", "reason must say why the order is closed");
  return c;
}

outcome<resolve_params> parse_resolve(const json::object& o) {
  fields f(o);
  f.only({"id", "remote_order_id", "resubmit"});
  resolve_params r;
  if (auto id = f.id()) r.id = *id;
  auto remote = f.text("remote_order_id", false);
  auto resubmit = f.boolean("resubmit", false);
  if (f.error) return *f.error;
  if (remote && resubmit)
    return invalid_params("resubmit", "give either remote_order_id (adopt) or resubmit: true, not both");
  if (resubmit && !*resubmit)
    return invalid_params("resubmit", "resubmit must be true when given");
  if (!remote && !resubmit)
    return invalid_params("remote_order_id",
                          "either remote_order_id (adopt Telegent's order) or resubmit: true is required");
  if (remote) r.remote_order_id = *remote;
  r.resubmit = resubmit.value_or(false);
  return r;
}

outcome<note_params> parse_note(const json::object& o) {
  fields f(o);
  f.only({"id", "text"});
  note_params n;
  if (auto id = f.id()) n.id = *id;
  if (auto s = f.text("text", true, porting::max_long_text_length)) n.text = *s;
  if (f.error) return *f.error;
  return n;
}

outcome<events_list_params> parse_events_list(const json::object& o) {
  fields f(o);
  f.only({"after", "order_id", "limit"});
  events_list_params p;
  if (auto n = f.integer("after", false, 0, std::numeric_limits<std::int64_t>::max())) p.after = *n;
  if (auto n = f.id("order_id", false)) p.order_id = *n;
  if (auto n = f.integer("limit", false, 1, 1000)) p.limit = static_cast<int>(*n);
  if (f.error) return *f.error;
  return p;
}

outcome<watch_params> parse_watch(const json::object& o) {
  fields f(o);
  f.only({"after", "order_id"});
  watch_params p;
  p.after = f.integer("after", false, 0, std::numeric_limits<std::int64_t>::max());
  if (auto n = f.id("order_id", false)) p.order_id = *n;
  if (f.error) return *f.error;
  return p;
}

outcome<std::string> parse_group_summary(const json::object& o) {
  fields f(o);
  f.only({"group"});
  auto g = f.text("group", true);
  if (f.error) return *f.error;
  return *g;
}

outcome<service::outbox_query> parse_outbox_list(const json::object& o) {
  fields f(o);
  f.only({"state", "sink", "order_id", "after", "limit"});
  service::outbox_query q;
  q.state = service::delivery_state::dead;
  if (auto s = f.string("state", false)) {
    q.state = service::parse_delivery_state(*s);
    if (!q.state) return invalid_params("state", "state must be \"pending\", \"delivered\" or \"dead\"");
  }
  if (auto s = f.text("sink", false)) q.sink = *s;
  if (auto n = f.id("order_id", false)) q.order_id = *n;
  if (auto n = f.integer("after", false, 0, std::numeric_limits<std::int64_t>::max())) q.after = *n;
  if (auto n = f.integer("limit", false, 1, 1000)) q.limit = static_cast<int>(*n);
  if (f.error) return *f.error;
  return q;
}

outcome<service::redeliver_selector> parse_outbox_redeliver(const json::object& o) {
  fields f(o);
  f.only({"id", "event_id", "sink", "all"});
  service::redeliver_selector r;
  if (auto n = f.id("id", false)) r.id = *n;
  if (auto n = f.id("event_id", false)) r.event_id = *n;
  if (auto s = f.text("sink", false)) r.sink = *s;
  if (auto b = f.boolean("all", false)) r.all_dead = *b;
  if (f.error) return *f.error;
  const int forms = (r.id ? 1 : 0) + (r.event_id ? 1 : 0) + (r.all_dead ? 1 : 0);
  if (forms != 1)
    return invalid_params(r.id ? "event_id" : "id",
                          "give exactly one of id (an outbox row), event_id with sink, or all: true");
  if (r.event_id && r.sink.empty()) return invalid_params("sink", "sink is required with event_id");
  if (r.id && !r.sink.empty()) return invalid_params("sink", "sink goes with event_id or all, not with id");
  return r;
}

outcome<backup_params> parse_backup(const json::object& o) {
  fields f(o);
  f.only({"path", "force"});
  backup_params b;
  // The daemon writes the file: a relative path would be relative to its working directory,
  // not the caller's.
  if (auto s = f.text("path", true, 4096)) {
    if (!s->starts_with('/')) f.fail("path", "path must be absolute (the daemon writes it, not the caller)");
    b.path = *s;
  }
  if (auto v = f.boolean("force", false)) b.force = *v;
  if (f.error) return *f.error;
  return b;
}

std::optional<rpc_error> parse_no_params(const json::object& o) {
  fields f(o);
  f.only({});
  return f.error;
}

}  // namespace portd::control
