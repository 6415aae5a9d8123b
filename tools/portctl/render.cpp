// portctl's human output.
#include "render.hpp"

#include <portd/runtime/text.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace json = boost::json;

namespace portctl {
namespace {

// A field as text for a terminal: strings come from Telegent and carriers too, so their
// control characters are written out (escape_controls); --json shows them raw.
std::string str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return "";
  if (v->is_string()) return portd::runtime::escape_controls(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_bool()) return v->as_bool() ? "yes" : "no";
  if (v->is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v->as_double());
    return buf;
  }
  return json::serialize(*v);
}

bool flag(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

const json::object& sub(const json::object& o, std::string_view key) {
  static const json::object empty;
  auto* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : empty;
}

std::string paint(const style& s, std::string_view code, std::string_view text) {
  if (!s.color) return std::string(text);
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

std::string state_color(std::string_view state) {
  if (state == "completed") return "32";  // green
  if (state == "rejected" || state == "failed" || state == "submit_unknown" ||
      state == "ineligible" || state == "port_out_rejected")
    return "31";  // red
  if (state == "cancelled" || state == "cancelling" || state == "closed") return "90";  // grey
  return "36";  // cyan: moving
}

std::string colored_state(const style& s, std::string_view state) {
  return paint(s, state_color(state), state);
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() > width) {
    if (width == 0) return "";
    text = text.substr(0, width - 1) + "~";
  }
  text.resize(width, ' ');
  return text;
}

// "  label:            value", the value wrapped under itself.
void line(std::ostringstream& out, int width, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  std::string wrapped = wrap(value, "", width - 20);
  std::istringstream lines(wrapped);
  std::string l;
  bool first = true;
  while (std::getline(lines, l)) {
    out << (first ? "  " + pad(std::string(label) + ":", 18) : std::string(20, ' ')) << l << "\n";
    first = false;
  }
}

}  // namespace

std::string short_time(const json::value& v) {
  if (!v.is_string() || v.as_string().empty()) return "-";
  std::string t(v.as_string());
  if (t.size() >= 19 && t[10] == 'T') return t.substr(0, 10) + " " + t.substr(11, 8) + "Z";
  return t;
}

std::string wrap(std::string_view text, std::string_view indent, int width) {
  std::string out;
  std::size_t max = width > static_cast<int>(indent.size()) + 10
                        ? static_cast<std::size_t>(width) - indent.size()
                        : 40;
  std::istringstream words{std::string(text)};
  std::string word, cur;
  auto flush = [&] {
    out += std::string(indent) + cur + "\n";
    cur.clear();
  };
  while (words >> word) {
    while (word.size() > max) {  // a very long token: cut it
      if (!cur.empty()) flush();
      cur = word.substr(0, max);
      flush();
      word = word.substr(max);
    }
    if (!cur.empty() && cur.size() + 1 + word.size() > max) flush();
    if (!cur.empty()) cur += " ";
    cur += word;
  }
  if (!cur.empty()) flush();
  return out;
}

namespace {
// "2026-11-26T17:00:00.000Z" -> "11-26 17:00:00" (UTC; the year is rarely in doubt in a list).
std::string list_time(const json::value& v) {
  std::string t = short_time(v);
  return t.size() >= 19 ? t.substr(5, 14) : t;
}
}  // namespace

// next_check_reason as words.
static std::string check_reason_words(const std::string& why) {
  if (why == "cadence") return "the state's poll cadence";
  if (why == "port_date") return "the port date";
  if (why == "after_submit") return "soon after submission or correction";
  return why;
}

std::string render_order_block(const json::object& o, const style& s) {
  std::ostringstream out;
  std::string state = str(o, "state");
  out << paint(s, "1", "order " + str(o, "id")) << "  " << str(o, "kind") << " "
      << str(o, "number") << "  " << colored_state(s, state);
  if (flag(o, "needs_attention")) out << "  " << paint(s, "1;33", "NEEDS ATTENTION");
  out << "\n";
  if (flag(o, "needs_attention")) line(out, s.width, "attention", str(o, "attention_reason"));
  line(out, s.width, "remote order", str(o, "remote_order_id"));
  line(out, s.width, "remote status", str(o, "remote_status"));
  line(out, s.width, "carrier message", str(o, "remote_message"));
  line(out, s.width, "client ref", str(o, "client_ref"));
  line(out, s.width, "group", str(o, "group"));
  line(out, s.width, "created", short_time(o.contains("created_at") ? o.at("created_at") : nullptr));
  line(out, s.width, "updated", short_time(o.contains("updated_at") ? o.at("updated_at") : nullptr));
  if (auto* n = o.if_contains("next_check_at"); n && n->is_string()) {
    // By then at the latest (the cadence's guarantee); a spare check may come sooner.
    std::string when = short_time(*n);
    if (auto why = str(o, "next_check_reason"); !why.empty()) when += " at the latest (" + check_reason_words(why) + ")";
    if (auto* e = o.if_contains("expected_news"); e && e->is_number())
      when += "; chance of news since the last check " + std::to_string(static_cast<int>(e->to_number<double>() * 100 + 0.5)) + "%";
    line(out, s.width, "next check", when);
  }
  if (auto a = str(o, "attempts"); !a.empty() && a != "0") line(out, s.width, "attempts", a);
  const auto& err = sub(o, "last_error");
  if (!err.empty())
    line(out, s.width, "last error",
         str(err, "reason") + ": " + str(err, "message") + " (" +
             short_time(err.contains("at") ? err.at("at") : nullptr) + ")");
  const auto& d = sub(o, "details");
  if (!d.empty()) {
    line(out, s.width, "carrier", str(d, "carrier"));
    line(out, s.width, "account number", str(d, "account_number"));
    line(out, s.width, "subscriber", str(d, "subscriber_name"));
    const auto& a = sub(d, "billing_address");
    std::string addr = str(a, "street1");
    if (!str(a, "street2").empty()) addr += ", " + str(a, "street2");
    addr += ", " + str(a, "city") + ", " + str(a, "state") + " " + str(a, "zip");
    if (!a.empty()) line(out, s.width, "billing address", addr);
    line(out, s.width, "iccid", str(d, "iccid"));
    line(out, s.width, "classification", str(d, "classification"));
    line(out, s.width, "port-in date", str(d, "port_in_date"));
    line(out, s.width, "reported date", str(o, "reported_port_date"));
    line(out, s.width, "account id", str(d, "account_id"));
    line(out, s.width, "subscriber id", str(d, "subscriber_id"));
  }
  return out.str();
}

std::string render_order_table(const json::array& orders, const style& s, bool heading) {
  std::ostringstream out;
  // 67 columns before REF (E.164 is up to 16 characters, a state up to 20); REF takes what
  // the terminal has left (13 on 80).
  const std::size_t ref_width = s.width > 80 ? static_cast<std::size_t>(s.width) - 67 : 13;
  if (heading)
    out << paint(s, "1", "ID     NUMBER           PORT STATE                ! UPDATED        REF") << "\n";
  for (auto& v : orders) {
    if (!v.is_object()) continue;
    const auto& o = v.as_object();
    std::string state = str(o, "state");
    std::string kind = str(o, "kind") == "port_out" ? "out" : "in";
    std::string ref = str(o, "client_ref");
    if (ref.empty()) ref = str(o, "group");
    out << pad(str(o, "id"), 6) << " " << pad(str(o, "number"), 16) << " " << pad(kind, 4) << " "
        << (s.color ? paint(s, state_color(state), pad(state, 20)) : pad(state, 20)) << " "
        << (flag(o, "needs_attention") ? paint(s, "1;33", "!") : " ") << " "
        << pad(list_time(o.contains("updated_at") ? o.at("updated_at") : nullptr), 14) << " "
        << pad(ref, ref_width) << "\n";
  }
  if (orders.empty() && heading) out << "(no orders)\n";
  return out.str();
}

std::string render_event_line(const json::object& e, const style& s, bool with_order) {
  std::ostringstream head;
  std::string type = str(e, "type");
  std::string what;
  if (type == "order.state_changed")
    what = str(e, "from_state") + " -> " + str(e, "to_state");
  else if (type == "order.remote_status_changed")
    what = str(e, "message").find(str(e, "remote_status")) == std::string::npos
               ? "remote status \"" + str(e, "remote_status") + "\""
               : "remote status";
  else if (type.rfind("order.", 0) == 0)
    what = type.substr(6);
  else
    what = type;
  if (type == "order.state_changed") {
    what = str(e, "from_state") + " -> " + colored_state(s, str(e, "to_state"));
  } else if (type == "order.needs_attention" || type == "order.error") {
    what = paint(s, type == "order.error" ? "33" : "1;33", what);
  }
  head << paint(s, "2", short_time(e.contains("at") ? e.at("at") : nullptr)) << "  ";
  if (with_order) head << "order " << str(e, "order_id") << "  ";
  head << what << "  " << paint(s, "2", "by " + str(e, "actor")) << "\n";
  std::string body;
  // The remote status only where it is news: not when the message already quotes it.
  const std::string remote = str(e, "remote_status");
  if (!remote.empty() && type == "order.state_changed" &&
      str(e, "message").find(remote) == std::string::npos)
    body += wrap("Telegent status: " + remote, "      ", s.width);
  if (!str(e, "message").empty()) body += wrap(str(e, "message"), "      ", s.width);
  return head.str() + body;
}

std::string render_timeline(const json::array& events, const style& s) {
  std::string out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!events[i].is_object()) continue;
    const auto& e = events[i].as_object();
    // A remote status that moved the order is told once, by the state change right after it.
    if (str(e, "type") == "order.remote_status_changed" && i + 1 < events.size() && events[i + 1].is_object()) {
      const auto& n = events[i + 1].as_object();
      if (str(n, "type") == "order.state_changed" && str(n, "remote_status") == str(e, "remote_status") &&
          str(n, "at") == str(e, "at"))
        continue;
    }
    out += render_event_line(e, s, false);
  }
  if (events.empty()) out = "(no history)\n";
  return out;
}

namespace {
std::string by_state_line(const json::object& by) {
  std::string out;
  for (auto& kv : by) {
    if (kv.value().is_int64() && kv.value().as_int64() == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::string(kv.key()) + " " + str(by, kv.key());
  }
  return out.empty() ? "none" : out;
}
std::string human_bytes(const std::string& n) {
  if (n.empty()) return "?";
  double b = std::stod(n);
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", b, units[u]);
  return buf;
}
}  // namespace

std::string render_status(const json::object& st, const style& s) {
  std::ostringstream out;
  out << paint(s, "1", "portd " + str(st, "version")) << ", started "
      << short_time(st.contains("started_at") ? st.at("started_at") : nullptr) << "\n";
  const auto& orders = sub(st, "orders");
  out << "orders:  " << (str(orders, "active").empty() ? "?" : str(orders, "active"))
      << " active, " << (str(orders, "needs_attention").empty() ? "?" : str(orders, "needs_attention"))
      << " need attention\n";
  out << wrap(by_state_line(sub(orders, "by_state")), "         ", s.width);
  const auto& api = sub(st, "api");
  if (!api.empty()) {
    out << "api:     budget " << str(api, "budget_per_minute") << "/min, "
        << str(api, "requests_total") << " requests, " << str(api, "in_flight")
        << " in flight";
    std::string paused = str(api, "paused_until");
    out << (paused.empty() ? "" : ", PAUSED until " + short_time(api.at("paused_until"))) << "\n";
    const auto& by = sub(api, "by_status");
    if (!by.empty()) out << wrap("by status: " + by_state_line(by), "         ", s.width);
    // The start-up probe and every token request since: wrong credentials show here before
    // any order fails on them.
    const auto& cred = sub(api, "credentials");
    const std::string cred_state = str(cred, "state");
    const std::string at = short_time(cred.contains("at") ? cred.at("at") : nullptr);
    if (cred_state == "failing")
      out << wrap("telegent: " + str(cred, "problem") + " at " + at + ": " + str(cred, "detail"), "         ", s.width);
    else if (cred_state == "ok")
      out << "         telegent: credentials ok (" << at << ")\n";
    else if (cred_state == "unchecked")
      out << "         telegent: credentials not checked yet\n";
  }
  const auto& ob = sub(st, "outbox");
  if (!ob.empty()) {
    out << "outbox:  " << str(ob, "pending") << " pending, " << str(ob, "dead") << " dead\n";
    // One line per webhook: where it goes and whether it is working.
    if (auto* sinks = ob.if_contains("sinks"); sinks && sinks->is_array())
      for (const auto& v : sinks->as_array()) {
        if (!v.is_object()) continue;
        const auto& k = v.as_object();
        std::string line = str(k, "name") + " " + str(k, "url") + ": " + str(k, "delivered") +
                           " delivered, " + str(k, "failed_attempts") + " failed attempts";
        if (auto* d = k.if_contains("disabled"); d && d->is_bool() && d->as_bool())
          line += ", " + paint(s, "31", "DISABLED (answered 410)");
        if (auto* e = k.if_contains("last_error"); e && e->is_string()) line += ", last error: " + str(k, "last_error");
        out << wrap(line, "  ", s.width);
      }
  }
  const auto& db = sub(st, "db");
  if (!db.empty())
    out << "db:      " << str(db, "path") << " (" << human_bytes(str(db, "size_bytes")) << ")\n";
  if (auto* w = db.if_contains("writable"); w && w->is_bool() && !w->as_bool())
    out << paint(s, "31", "store:   NOT WRITABLE") << ": " << str(db, "problem") << "\n";
  return out.str();
}

std::string render_group(const json::object& g, const style& s) {
  std::ostringstream out;
  out << paint(s, "1", "group " + str(g, "group")) << ": " << str(g, "total") << " orders, "
      << str(g, "needs_attention") << " need attention\n";
  out << wrap("by state: " + by_state_line(sub(g, "by_state")), "  ", s.width);
  out << "  last completion: "
      << short_time(g.contains("completed_at_last") ? g.at("completed_at_last") : nullptr) << "\n";
  return out.str();
}

// Only commands that can work for the order's kind and state (a port-out has no details to
// update); `close` is the exit of last resort everywhere.
std::string suggested_command(const json::object& o) {
  std::string id = str(o, "id");
  std::string state = str(o, "state");
  const bool port_out = str(o, "kind") == "port_out";
  const std::string close = "portctl close " + id + " --reason TEXT";
  if (state == "submit_unknown")
    return "portctl resolve " + id + " --remote-order-id ID  (or --resubmit; or " + close + ")";
  if (state == "rejected")
    return "portctl update " + id + " --<field> VALUE  (or portctl cancel " + id + ")";
  if (state == "failed") {
    if (str(sub(o, "last_error"), "reason") == "not_found")  // Telegent does not know the order
      return "ask Telegent support, then " + close;
    if (port_out) return "portctl retry " + id + "  (or " + close + ")";
    return "portctl update " + id + " ... then portctl retry " + id + "  (or " + close + ")";
  }
  if (state == "cancelling") return "portctl poll " + id + "  (or " + close + ")";
  return "portctl show " + id + "; portctl poll " + id;
}

std::string render_attention(json::array orders, const style& s) {
  auto since = [](const json::value& v) {
    const auto& o = v.as_object();
    auto t = str(o, "state_since");
    return t.empty() ? str(o, "updated_at") : t;
  };
  std::stable_sort(orders.begin(), orders.end(),
                   [&](const json::value& a, const json::value& b) { return since(a) < since(b); });
  std::ostringstream out;
  for (auto& v : orders) {
    const auto& o = v.as_object();
    out << paint(s, "1", "order " + str(o, "id")) << "  " << str(o, "number") << "  "
        << colored_state(s, str(o, "state")) << "  since "
        << short_time(json::value(since(v))) << "\n";
    std::string reason = str(o, "attention_reason");
    if (reason.empty()) reason = str(o, "remote_message");
    if (reason.empty() && !sub(o, "last_error").empty())
      reason = str(sub(o, "last_error"), "message");
    if (!reason.empty()) out << wrap("why: " + reason, "    ", s.width);
    out << "    next: " << suggested_command(o) << "\n";
  }
  if (orders.empty()) out << "nothing needs attention\n";
  return out.str();
}

}  // namespace portctl
