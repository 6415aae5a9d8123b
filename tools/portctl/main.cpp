// portctl: the operator's command line for portd. Every command is one or a few JSON-RPC calls
// on the control socket (PROTOCOL.md); human output by default (-o table), the raw result with
// -o json (--json), rows for spreadsheets and scripts with -o csv.
// Exit codes: 0 ok, 1 the daemon answered with an error, 2 usage, 3 cannot reach the daemon,
// 4 `attention --exit-code` found orders that need a human.
// Secrets (carrier account PIN, port-out PIN) are read from a file or stdin, never from argv,
// where any user could read them in the process list.
#include "csv.hpp"
#include "render.hpp"

#include <portd/wire/client.hpp>
#include <portd/wire/jsonrpc.hpp>
#include <portd/runtime/text.hpp>

#include <CLI/CLI.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace json = boost::json;
using portd::wire::rpc_error;

namespace {

// The daemon answered with an error object.
struct rpc_failure {
  rpc_error error;
};
// Bad input noticed before anything was sent (exit 2).
struct usage_failure {
  std::string message;
};

struct globals {
  std::string socket = portd::wire::default_socket_path();
  bool json = false;    // -o json, --json
  bool csv = false;     // -o csv
  std::string output;   // -o as given
  portctl::style style;
  double timeout = 30;  // seconds: connecting and each reply (not watch's stream); 0 = none
  std::unique_ptr<portd::wire::client> conn;

  portd::wire::client& client() {
    if (!conn)
      conn = std::make_unique<portd::wire::client>(
          socket, std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000)));
    return *conn;
  }
  json::value call(std::string_view method, json::object params = {}) {
    auto r = client().call(method, std::move(params));
    if (!r.ok()) throw rpc_failure{std::move(r.error())};
    return std::move(r.value());
  }
  void print_json(const json::value& v) const { std::cout << json::serialize(v) << "\n"; }
  void print_csv(const std::vector<std::string>& fields) const { std::cout << portctl::csv_record(fields); }
};

// The commands that have a CSV form (one row per order, event or state).
bool has_csv(std::string_view command) {
  return command == "list" || command == "attention" || command == "events" || command == "group";
}

// Whether the command line asks for JSON, from what CLI11 parsed: for a usage error, which may
// come before the options hold their values (a "--json" that is an argument's text is not one).
bool wants_json(CLI::App& app) {
  if (app.get_option("--json")->count() > 0) return true;
  const auto& out = app.get_option("--output")->results();
  return !out.empty() && out.back() == "json";
}

// An error as portctl prints it under -o json: a JSON-RPC error object on stderr,
// {"error":{"code","message","data"}}. `code` is the daemon's JSON-RPC code when the daemon
// answered, otherwise portctl's exit status (2 usage, 3 cannot reach portd); data.reason
// names the error either way.
void print_json_error(std::int64_t code, std::string_view reason, std::string_view message,
                      json::object data = {}) {
  data["reason"] = reason;
  json::object e;
  e["code"] = code;
  e["message"] = message;
  e["data"] = std::move(data);
  std::cerr << json::serialize(json::object{{"error", std::move(e)}}) << "\n";
}

const json::object& as_obj(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.as_object() : empty;
}
// o[key] as an object ({} when missing or not an object).
const json::object& member(const json::value& v, std::string_view key) {
  static const json::object empty;
  const auto& o = as_obj(v);
  auto* m = o.if_contains(key);
  return m && m->is_object() ? m->as_object() : empty;
}

std::string read_secret(const std::string& file, bool from_stdin, const char* what) {
  std::string s;
  if (from_stdin) {
    std::getline(std::cin, s);
  } else {
    std::ifstream in(file);
    if (!in) throw usage_failure{std::string("cannot read the ") + what + " file " + file};
    std::getline(in, s);
  }
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  if (s.empty()) throw usage_failure{std::string("the ") + what + " is empty"};
  return s;
}

// Flags shared by submit-portin and update: every detail of a port-in.
struct detail_flags {
  std::string carrier, account_number, pin_file, street1, street2, city, state, zip,
      subscriber_name, iccid, classification, port_in_date;
  bool pin_stdin = false;
  std::vector<CLI::Option*> address_opts;
  CLI::Option *carrier_o, *account_o, *pin_file_o, *pin_stdin_o, *name_o, *iccid_o, *class_o,
      *date_o, *street2_o;

  void add(CLI::App* c, bool submit) {
    carrier_o = c->add_option("--carrier", carrier, "losing carrier (e.g. Verizon)");
    account_o = c->add_option("--account-number", account_number, "account number at the losing carrier");
    pin_file_o = c->add_option("--account-pin-file", pin_file,
                               "file whose first line is the carrier account PIN/password");
    pin_stdin_o = c->add_flag("--account-pin-stdin", pin_stdin, "read the account PIN from stdin");
    pin_file_o->excludes(pin_stdin_o);
    address_opts.push_back(c->add_option("--street1", street1, "billing address, first line"));
    street2_o = c->add_option("--street2", street2, "billing address, second line");
    address_opts.push_back(street2_o);
    address_opts.push_back(c->add_option("--city", city, "billing address city"));
    address_opts.push_back(c->add_option("--state", state, "billing address USPS state code (UT)"));
    address_opts.push_back(c->add_option("--zip", zip, "billing address ZIP (84043 or 84043-1234)"));
    name_o = c->add_option("--subscriber-name", subscriber_name, "subscriber's name");
    iccid_o = c->add_option("--iccid", iccid, "SIM ICCID (19-20 digits)");
    class_o = c->add_option("--classification", classification, "mvno (default) or iot");
    date_o = c->add_option("--port-in-date", port_in_date, "requested port date, YYYY-MM-DD");
    if (submit) {
      carrier_o->required();
      account_o->required();
      for (auto* o : address_opts)
        if (o != street2_o) o->required();
    }
  }
  bool any_address() const {
    for (auto* o : address_opts)
      if (o->count()) return true;
    return false;
  }
  // The params these flags give; `base` supplies address lines not given (update).
  void fill(json::object& p, const json::object* base_address) const {
    if (carrier_o->count()) p["carrier"] = carrier;
    if (account_o->count()) p["account_number"] = account_number;
    if (pin_file_o->count() || pin_stdin)
      p["account_pin"] = read_secret(pin_file, pin_stdin, "account PIN");
    if (any_address()) {
      json::object a;
      if (base_address) a = *base_address;
      auto set = [&](CLI::Option* o, const char* key, const std::string& v) {
        if (o->count()) a[key] = v;
      };
      set(address_opts[0], "street1", street1);
      set(address_opts[1], "street2", street2);
      set(address_opts[2], "city", city);
      set(address_opts[3], "state", state);
      set(address_opts[4], "zip", zip);
      p["billing_address"] = std::move(a);
    }
    if (name_o->count()) p["subscriber_name"] = subscriber_name;
    if (iccid_o->count()) p["iccid"] = iccid;
    if (class_o->count()) p["classification"] = classification;
    if (date_o->count()) p["port_in_date"] = port_in_date;
  }
};

std::string examples(std::initializer_list<std::string_view> lines) {
  std::string s = "\nExamples:\n";
  for (auto l : lines) s += "  " + std::string(l) + "\n";
  return s;
}

void print_submitted(globals& g, const json::value& r) {
  if (g.json) return g.print_json(r);
  const auto& o = as_obj(r);
  const auto& order = member(r, "order");
  bool created = o.contains("created") && o.at("created").is_bool() && o.at("created").as_bool();
  std::cout << (created ? "created" : "already present (same client_ref, same content): not created again")
            << "\n"
            << portctl::render_order_block(order, g.style);
}

// An order as a command left it; first what portd does next (a queued correction, a status
// check), which the order alone does not show.
void print_order(globals& g, const json::value& r) {
  if (g.json) return g.print_json(r);
  if (auto* next = as_obj(r).if_contains("next"); next && next->is_string())
    std::cout << "next: " << portd::runtime::escape_controls(next->as_string()) << "\n";
  std::cout << portctl::render_order_block(member(r, "order"), g.style);
}

// Ctrl-C on `watch`: says where to resume without a gap, then exits 130 like any program
// stopped by SIGINT. The handler only formats digits and write(2)s: async-signal-safe.
namespace resume_point {
std::atomic<std::int64_t> last{0};
std::int64_t order = 0;

void append_number(char* buf, std::size_t& n, std::int64_t v) {
  char digits[24];
  std::size_t k = 0;
  do {
    digits[k++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 && k < sizeof digits);
  while (k > 0) buf[n++] = digits[--k];
}

void append(char* buf, std::size_t& n, const char* text) {
  while (*text) buf[n++] = *text++;
}

extern "C" void on_interrupt(int) {
  char buf[160];
  std::size_t n = 0;
  append(buf, n, "\nstopped; resume with: portctl watch --after ");
  append_number(buf, n, last.load());
  if (order) {
    append(buf, n, " --order ");
    append_number(buf, n, order);
  }
  buf[n++] = '\n';
  (void)!::write(2, buf, n);
  ::_exit(130);
}

void arm(std::int64_t after, std::int64_t order_id) {
  last.store(after);
  order = order_id;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}
}  // namespace resume_point

// portd runs, but this user may not open its socket: say who may (the socket's group) and
// where what they may then do is decided.
std::string not_allowed_hint(const std::string& socket) {
  std::string name;
  struct stat st {};
  if (::stat(socket.c_str(), &st) == 0) {
    if (const struct group* gr = ::getgrgid(st.st_gid)) name = gr->gr_name;
    else name = std::to_string(st.st_gid);
  }
  std::string hint = "  you are not allowed to use portd's socket: connecting needs membership in ";
  hint += name.empty() ? "the socket's group" : "its group " + name;
  hint += " (e.g. sudo usermod -aG " + (name.empty() ? std::string("portd-clients") : name) +
          " $USER, then log in again); [control] readers and operators in portd.toml then decide "
          "what you may do\n";
  return hint;
}

}  // namespace

int main(int argc, char** argv) {
  globals g;
  g.style.color = ::isatty(1) && !std::getenv("NO_COLOR");
  if (winsize ws{}; ::isatty(1) && ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    g.style.width = ws.ws_col;

  CLI::App app{"portctl: look at and steer portd's number-port orders"};
  app.footer(
      "The daemon's socket is --socket, else $PORTD_SOCKET, else /run/portd/portd.sock.\n"
      "Exit codes: 0 ok, 1 the daemon refused (error on stderr), 2 usage, 3 cannot reach portd\n"
      "or it did not answer within --timeout, 4 attention --exit-code found orders needing a human.\n"
      "Under -o json an error is a JSON object on stderr: {\"error\":{\"code\",\"message\",\"data\"}}.\n"
      "PINs are never taken on the command line: use --*-pin-file FILE or --*-pin-stdin.\n"
      "Run 'portctl COMMAND --help' for a command's options and examples.");
  app.add_option("--socket", g.socket, "control socket path")->capture_default_str();
  if (const char* t = std::getenv("PORTCTL_TIMEOUT"); t && *t) {
    char* end = nullptr;
    const double v = std::strtod(t, &end);
    if (*end == '\0' && v >= 0) g.timeout = v;
  }
  app.add_option("--timeout", g.timeout,
                 "give up when portd has not accepted or answered a request within this many "
                 "seconds (exit 3; 0: never; default $PORTCTL_TIMEOUT, else 30); not watch's stream")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 86400.0).description(""))
      ->capture_default_str();
  app.add_flag("--json", g.json, "the same as -o json");
  app.add_option("-o,--output", g.output,
                 "json: the daemon's raw JSON result (for scripts); csv: RFC 4180 rows with a header "
                 "(list, attention, events, group); table: for people (the default)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"json", "csv", "table"}));
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("portctl ") + PORTD_VERSION);
  app.fallthrough();  // --json, --socket and --timeout also after the command

  std::function<void()> action;
  int exit_code = 0;
  auto command = [&](const char* name, const char* desc, std::string ex) {
    auto* c = app.add_subcommand(name, desc);
    c->footer(ex);
    return c;
  };

  // ---- submit-portin ----
  detail_flags sp;
  std::string number, account_id, subscriber_id, client_ref, group;
  bool skip_eligibility = false;
  {
    auto* c = command("submit-portin", "submit a port-in (bring a number to us)",
                      examples({"portctl submit-portin --number +18015551234 --carrier Verizon \\",
                                "  --account-number 11112222 --account-pin-file pin.txt \\",
                                "  --street1 '1 Main St' --city Lehi --state UT --zip 84043 \\",
                                "  --client-ref crm-7781 --group acme-migration",
                                "echo 9876 | portctl submit-portin ... --account-pin-stdin"}));
    c->add_option("--number", number, "the number, E.164 (+18015551234)")->required();
    sp.add(c, true);
    c->add_flag("--skip-eligibility", skip_eligibility, "do not check eligibility first");
    c->add_option("--account-id", account_id, "Telegent Account the number will belong to (AID-…)");
    c->add_option("--subscriber-id", subscriber_id, "Telegent Subscriber (TSUID-…)");
    c->add_option("--client-ref", client_ref, "your idempotency key: re-running never duplicates");
    c->add_option("--group", group, "a label for a batch of orders");
    c->callback([&] {
      action = [&] {
        if (!sp.pin_file_o->count() && !sp.pin_stdin)
          throw usage_failure{"the account PIN is required: --account-pin-file FILE or --account-pin-stdin"};
        json::object p;
        p["number"] = number;
        sp.fill(p, nullptr);
        if (skip_eligibility) p["skip_eligibility"] = true;
        if (!account_id.empty()) p["account_id"] = account_id;
        if (!subscriber_id.empty()) p["subscriber_id"] = subscriber_id;
        if (!client_ref.empty()) p["client_ref"] = client_ref;
        if (!group.empty()) p["group"] = group;
        print_submitted(g, g.call("portin.submit", std::move(p)));
      };
    });
  }

  // ---- submit-portout ----
  std::string po_number, po_pin_file, po_ref, po_group;
  bool po_pin_stdin = false;
  {
    auto* c = command("submit-portout", "issue a port-out PIN for a number (let it leave)",
                      examples({"portctl submit-portout --number +18015551234 --pin-file pin.txt",
                                "echo 4321 | portctl submit-portout --number +18015551234 --pin-stdin"}));
    c->add_option("--number", po_number, "the number, E.164")->required();
    auto* f = c->add_option("--pin-file", po_pin_file, "file whose first line is the port-out PIN");
    auto* s = c->add_flag("--pin-stdin", po_pin_stdin, "read the PIN from stdin");
    f->excludes(s);
    c->add_option("--client-ref", po_ref, "your idempotency key");
    c->add_option("--group", po_group, "a label for a batch of orders");
    c->callback([&, f] {
      action = [&, f] {
        if (!f->count() && !po_pin_stdin)
          throw usage_failure{"the PIN is required: --pin-file FILE or --pin-stdin"};
        json::object p;
        p["number"] = po_number;
        p["pin"] = read_secret(po_pin_file, po_pin_stdin, "PIN");
        if (!po_ref.empty()) p["client_ref"] = po_ref;
        if (!po_group.empty()) p["group"] = po_group;
        print_submitted(g, g.call("portout.submit", std::move(p)));
      };
    });
  }

  // ---- list ----
  std::vector<std::string> l_states;
  std::string l_kind, l_number, l_group;
  bool l_active = false, l_attention = false, l_all = false;
  int l_limit = 100;
  std::int64_t l_after = 0;
  {
    auto* c = command("list", "list orders (by id, paged)",
                      examples({"portctl list --active", "portctl list --state rejected --state failed",
                                "portctl list --number +18015551234", "portctl list --limit 50 --after-id 200",
                                "portctl list --all -o csv > orders.csv   # every order, page after page"}));
    c->add_option("--state", l_states, "only this state (repeatable)");
    c->add_option("--kind", l_kind, "port_in or port_out");
    c->add_option("--number", l_number, "only this number");
    c->add_option("--group", l_group, "only this group");
    c->add_flag("--active", l_active, "only orders not yet finished");
    c->add_flag("--needs-attention", l_attention, "only orders that need a human");
    auto* limit = c->add_option("--limit", l_limit, "at most this many (1-1000); with --all: per page (default then 1000)")
                      ->capture_default_str();
    c->add_option("--after-id", l_after, "orders with an id above this (paging)");
    c->add_flag("--all", l_all,
                "every matching order: asks for page after page and prints each as it comes (constant "
                "memory); stops quietly, exit 0, when the reader goes away (| head)");
    c->callback([&, limit] {
      action = [&, limit] {
        json::object p;
        if (l_states.size() == 1) p["state"] = l_states[0];
        if (l_states.size() > 1) {
          json::array a;
          for (auto& s : l_states) a.push_back(json::value(s));
          p["state"] = std::move(a);
        }
        if (!l_kind.empty()) p["kind"] = l_kind;
        if (!l_number.empty()) p["number"] = l_number;
        if (!l_group.empty()) p["group"] = l_group;
        if (l_active) p["active"] = true;
        if (l_attention) p["needs_attention"] = true;
        p["limit"] = l_all && !limit->count() ? 1000 : l_limit;
        static const json::array none;
        auto orders_of = [](const json::value& r) -> const json::array& {
          const auto& o = as_obj(r);
          return o.contains("orders") && o.at("orders").is_array() ? o.at("orders").as_array() : none;
        };
        auto next_of = [](const json::value& r) -> std::optional<std::int64_t> {
          auto* n = as_obj(r).if_contains("next_after_id");
          if (n && n->is_int64()) return n->as_int64();
          return std::nullopt;
        };
        if (!l_all) {
          if (l_after) p["after_id"] = l_after;
          auto r = g.call("order.list", std::move(p));
          if (g.json) return g.print_json(r);
          const auto next = next_of(r);
          if (g.csv) {
            g.print_csv(portctl::order_columns);
            for (const auto& v : orders_of(r)) g.print_csv(portctl::order_fields(as_obj(v)));
            // The hint on stderr: stdout stays CSV.
            if (next) std::cerr << "more: add --after-id " << *next << " (or --all)\n";
            return;
          }
          std::cout << portctl::render_order_table(orders_of(r), g.style);
          if (next) std::cout << "more: add --after-id " << *next << " (or --all)\n";
          return;
        }
        // --all: one page in memory at a time, printed and flushed before the next is asked
        // for. The JSON form is the one page's {"orders": [...]} with every order in it.
        std::optional<std::int64_t> after;
        if (l_after) after = l_after;
        bool first = true;
        if (g.json) std::cout << "{\"orders\":[";
        for (;;) {
          json::object q = p;
          if (after) q["after_id"] = *after;
          const json::value r = g.call("order.list", std::move(q));
          const auto& orders = orders_of(r);
          if (g.json) {
            for (const auto& v : orders) {
              std::cout << (first ? "" : ",") << json::serialize(v);
              first = false;
            }
          } else if (g.csv) {
            if (first) g.print_csv(portctl::order_columns);
            first = false;
            for (const auto& v : orders) g.print_csv(portctl::order_fields(as_obj(v)));
          } else {
            std::cout << portctl::render_order_table(orders, g.style, first);
            first = false;
          }
          std::cout.flush();
          if (!std::cout) return;  // the reader went away (EPIPE): nothing more to ask for
          after = next_of(r);
          if (!after) break;
        }
        if (g.json) std::cout << "]}\n";
      };
    });
  }

  // ---- show / history ----
  std::int64_t s_id = 0;
  std::string s_number, s_ref, s_remote;
  {
    auto* c = command("show", "an order and its history as a timeline",
                      examples({"portctl show 42", "portctl show --number +18015551234",
                                "portctl show --client-ref crm-7781", "portctl show --remote-order-id JNUOID-6c05"}));
    auto* id = c->add_option("ID", s_id, "order id");
    auto* n = c->add_option("--number", s_number, "the latest order for this number");
    auto* r = c->add_option("--client-ref", s_ref, "the order with this client ref");
    auto* x = c->add_option("--remote-order-id", s_remote, "the order with this Telegent OrderId");
    c->callback([&, id, n, r, x] {
      action = [&, id, n, r, x] {
        json::object p;
        int given = static_cast<int>(id->count() + n->count() + r->count() + x->count());
        if (given != 1)
          throw usage_failure{"give exactly one of ID, --number, --client-ref, --remote-order-id"};
        if (id->count()) p["id"] = s_id;
        if (n->count()) p["number"] = s_number;
        if (r->count()) p["client_ref"] = s_ref;
        if (x->count()) p["remote_order_id"] = s_remote;
        auto order = g.call("order.get", std::move(p));
        auto oid = as_obj(as_obj(order).at("order")).at("id").as_int64();
        json::object hp;
        hp["id"] = oid;
        auto history = g.call("order.history", std::move(hp));
        if (g.json) {
          json::object both;
          both["order"] = as_obj(order).at("order");
          both["events"] = as_obj(history).at("events");
          return g.print_json(both);
        }
        std::cout << portctl::render_order_block(as_obj(as_obj(order).at("order")), g.style) << "\n"
                  << portctl::render_timeline(as_obj(history).at("events").as_array(), g.style);
      };
    });
  }
  std::int64_t h_id = 0;
  {
    auto* c = command("history", "an order's history as a timeline", examples({"portctl history 42"}));
    c->add_option("ID", h_id, "order id")->required();
    c->callback([&] {
      action = [&] {
        json::object p;
        p["id"] = h_id;
        auto r = g.call("order.history", std::move(p));
        if (g.json) return g.print_json(r);
        std::cout << portctl::render_timeline(as_obj(r).at("events").as_array(), g.style);
      };
    });
  }

  // ---- update ----
  detail_flags up;
  std::int64_t u_id = 0;
  {
    auto* c = command("update", "correct a port-in's details (in rejected: sends them to Telegent)",
                      examples({"portctl update 42 --account-number 11113333",
                                "portctl update 42 --zip 84043-1234     # the rest of the address is kept",
                                "portctl update 42 --account-pin-file newpin.txt"}));
    c->add_option("ID", u_id, "order id")->required();
    up.add(c, false);
    c->callback([&] {
      action = [&] {
        json::object p;
        p["id"] = u_id;
        json::object base;
        if (up.any_address()) {  // the daemon wants the whole address: keep what was not given
          json::object q;
          q["id"] = u_id;
          auto cur = g.call("order.get", std::move(q));
          const auto& order = member(cur, "order");
          if (auto* d = order.if_contains("details"))
            base = member(*d, "billing_address");
        }
        up.fill(p, &base);
        if (p.size() == 1) throw usage_failure{"nothing to update: give at least one detail flag"};
        print_order(g, g.call("order.update", std::move(p)));
      };
    });
  }

  // ---- cancel / resolve / retry / poll / note ----
  std::int64_t c_id = 0;
  std::string c_reason;
  {
    auto* c = command("cancel", "cancel an order (final)",
                      examples({"portctl cancel 42 --reason 'customer changed their mind'"}));
    c->add_option("ID", c_id, "order id")->required();
    c->add_option("--reason", c_reason, "why (kept in the history)");
    c->callback([&] {
      action = [&] {
        json::object p;
        p["id"] = c_id;
        if (!c_reason.empty()) p["reason"] = c_reason;
        print_order(g, g.call("order.cancel", std::move(p)));
      };
    });
  }
  std::int64_t r_id = 0;
  std::string r_remote;
  bool r_resubmit = false;
  {
    auto* c = command("resolve", "settle an order in submit_unknown: adopt Telegent's order or resubmit",
                      examples({"portctl resolve 42 --remote-order-id JNUOID-6c05",
                                "portctl resolve 42 --resubmit"}));
    c->footer(examples({"portctl resolve 42 --remote-order-id JNUOID-6c05", "portctl resolve 42 --resubmit"}) +
        "\nThe OrderId: look the number up in Telegent's portal, or ask Telegent support, giving the number and\n"
        "the submission time that 'portctl show ID' prints. portd asks Telegent about the OrderId before\n"
        "adopting it: an order Telegent does not know, of another number or kind, or already held by another\n"
        "order is refused and the order stays in submit_unknown.");
    c->add_option("ID", r_id, "order id")->required();
    auto* a = c->add_option("--remote-order-id", r_remote, "the OrderId Telegent holds for it (checked with Telegent)");
    auto* b = c->add_flag("--resubmit", r_resubmit, "Telegent holds nothing: submit again");
    a->excludes(b);
    c->callback([&, a] {
      action = [&, a] {
        if (!a->count() && !r_resubmit)
          throw usage_failure{"give --remote-order-id ID or --resubmit"};
        json::object p;
        p["id"] = r_id;
        if (a->count()) p["remote_order_id"] = r_remote;
        if (r_resubmit) p["resubmit"] = true;
        print_order(g, g.call("order.resolve", std::move(p)));
      };
    });
  }
  std::int64_t x_id = 0;
  std::string x_reason;
  bool x_yes = false;
  {
    auto* c = command("close",
                      "end an order here, telling Telegent nothing (when Telegent has settled it, or support said so)",
                      examples({"portctl close 42 --reason 'Telegent support: order JNUOID-6c05 was withdrawn'",
                                "portctl close 42 --reason 'duplicate of order 41' --yes"}));
    c->add_option("ID", x_id, "order id")->required();
    c->add_option("--reason", x_reason, "why (kept in the history with who closed it)")->required();
    c->add_flag("--yes", x_yes, "do not ask for confirmation");
    c->callback([&] {
      action = [&] {
        if (x_reason.empty()) throw usage_failure{"--reason must say why the order is closed"};
        if (!x_yes) {
          // Name what closing does NOT do, from the order as portd holds it.
          json::object q;
          q["id"] = x_id;
          const json::value got = g.call("order.get", std::move(q));
          const auto& o = as_obj(as_obj(got).at("order"));
          const auto text = [&](const char* k) {
            auto* v = o.if_contains(k);
            return v && v->is_string() ? std::string(v->as_string()) : std::string();
          };
          const std::string remote = text("remote_order_id");
          std::cerr << "order " << x_id << " (" << text("kind") << " " << text("number") << ", " << text("state") << ") ";
          if (!remote.empty())
            std::cerr << "has Telegent order " << remote << "; closing does not cancel it at Telegent.\n";
          else if (text("state") == "submit_unknown" || text("state") == "submitting" || text("state") == "issuing_pin")
            std::cerr << "may have reached Telegent as an order portd never heard of; closing does not cancel it there.\n";
          else
            std::cerr << "has no Telegent order; closing ends it here.\n";
          std::cerr << "Nothing is sent to Telegent. Close order " << x_id << "? [y/N] " << std::flush;
          std::string answer;
          if (!std::getline(std::cin, answer) || (answer != "y" && answer != "Y" && answer != "yes")) {
            std::cerr << "portctl: order " << x_id << " not closed\n";
            exit_code = 1;
            return;
          }
        }
        json::object p;
        p["id"] = x_id;
        p["reason"] = x_reason;
        print_order(g, g.call("order.close", std::move(p)));
      };
    });
  }
  std::int64_t simple_id = 0;
  for (auto [name, method, desc] :
       {std::tuple{"retry", "order.retry", "try a failed order again (after an update)"},
        std::tuple{"poll", "order.poll", "ask Telegent for the order's status now"}}) {
    auto* c = command(name, desc, examples({std::string("portctl ") + name + " 42"}));
    c->add_option("ID", simple_id, "order id")->required();
    std::string m = method;
    c->callback([&, m] {
      action = [&, m] {
        json::object p;
        p["id"] = simple_id;
        print_order(g, g.call(m, std::move(p)));
      };
    });
  }
  std::int64_t n_id = 0;
  std::string n_text;
  {
    auto* c = command("note", "add an operator's note to an order's history",
                      examples({"portctl note 42 'customer says the PIN changed; waiting for it'"}));
    c->add_option("ID", n_id, "order id")->required();
    c->add_option("TEXT", n_text, "the note")->required();
    c->callback([&] {
      action = [&] {
        json::object p;
        p["id"] = n_id;
        p["text"] = n_text;
        auto r = g.call("order.note", std::move(p));
        if (g.json) return g.print_json(r);
        std::cout << portctl::render_event_line(as_obj(as_obj(r).at("event")), g.style, true);
      };
    });
  }

  // ---- events / watch ----
  std::int64_t e_after = 0, e_order = 0;
  int e_limit = 100;
  bool e_failed = false;
  std::string e_sink;
  {
    auto* c = command("events", "list events (all orders, by event id), or dead letters with --failed",
                      examples({"portctl events --after 1000", "portctl events --order 42",
                                "portctl events --failed            # webhook deliveries given up on",
                                "portctl events --failed --sink webhook:0"}));
    c->add_option("--after", e_after, "events (with --failed: outbox rows) with an id above this");
    c->add_option("--order", e_order, "only this order's events");
    c->add_option("--limit", e_limit, "at most this many (1-1000)")->capture_default_str();
    c->add_flag("--failed", e_failed, "dead letters: events a sink gave up on (portctl redeliver sends them again)");
    c->add_option("--sink", e_sink, "with --failed: only this sink (webhook:0, …)");
    c->callback([&] {
      action = [&] {
        if (e_failed) {
          json::object p;
          p["state"] = "dead";
          if (e_after) p["after"] = e_after;
          if (e_order) p["order_id"] = e_order;
          if (!e_sink.empty()) p["sink"] = e_sink;
          p["limit"] = e_limit;
          auto r = g.call("outbox.list", std::move(p));
          if (g.json) return g.print_json(r);
          if (g.csv) {
            g.print_csv({"outbox_id", "sink", "event_id", "order_id", "attempts", "last_error", "event_type", "message"});
            for (auto& d : as_obj(r).at("deliveries").as_array()) {
              const auto& o = as_obj(d);
              const auto& ev = member(d, "event");
              g.print_csv({portctl::csv_field(o, "id"), portctl::csv_field(o, "sink"), portctl::csv_field(o, "event_id"),
                           portctl::csv_field(o, "order_id"), portctl::csv_field(o, "attempts"),
                           portctl::csv_field(o, "last_error"), portctl::csv_field(ev, "type"),
                           portctl::csv_field(ev, "message")});
            }
            if (auto* n = as_obj(r).if_contains("next_after"); n && n->is_int64())
              std::cerr << "more: add --after " << n->as_int64() << "\n";
            return;
          }
          const auto& rows = as_obj(r).at("deliveries").as_array();
          if (rows.empty()) std::cout << "no dead letters\n";
          for (auto& d : rows) {
            const auto& o = as_obj(d);
            std::cout << "outbox " << o.at("id").as_int64() << "  " << o.at("sink").as_string().c_str() << "  event "
                      << o.at("event_id").as_int64() << "  order " << o.at("order_id").as_int64() << "  "
                      << o.at("attempts").as_int64() << " attempts";
            if (o.at("last_error").is_string()) std::cout << "  last: " << portd::runtime::escape_controls(o.at("last_error").as_string());
            std::cout << "\n";
            if (o.at("event").is_object())
              std::cout << "    " << portctl::render_event_line(o.at("event").as_object(), g.style, true);
          }
          if (auto* n = as_obj(r).if_contains("next_after"); n && n->is_int64())
            std::cout << "more: add --after " << n->as_int64() << "\n";
          if (!rows.empty()) std::cout << "send again: portctl redeliver ID, or portctl redeliver --all\n";
          return;
        }
        json::object p;
        if (e_after) p["after"] = e_after;
        if (e_order) p["order_id"] = e_order;
        p["limit"] = e_limit;
        auto r = g.call("events.list", std::move(p));
        if (g.json) return g.print_json(r);
        if (g.csv) {
          g.print_csv(portctl::event_columns);
          for (auto& e : as_obj(r).at("events").as_array()) g.print_csv(portctl::event_fields(as_obj(e)));
          if (auto* n = as_obj(r).if_contains("next_after"); n && n->is_int64())
            std::cerr << "more: add --after " << n->as_int64() << "\n";
          return;
        }
        for (auto& e : as_obj(r).at("events").as_array())
          std::cout << "#" << e.at("id").as_int64() << " "
                    << portctl::render_event_line(as_obj(e), g.style, true);
        if (auto* n = as_obj(r).if_contains("next_after"); n && n->is_int64())
          std::cout << "more: add --after " << n->as_int64() << "\n";
      };
    });
  }
  std::int64_t w_after = 0, w_order = 0;
  {
    auto* c = command("watch", "follow events live (Ctrl-C to stop; it prints the --after to resume with)",
                      examples({"portctl watch", "portctl watch --after 1000   # resume without a gap",
                                "portctl watch --order 42 --json   # the order's history, then live"}));
    auto* a = c->add_option("--after", w_after, "first send events with an id above this");
    c->add_option("--order", w_order, "only this order's events; its whole history first (unless --after)");
    c->callback([&, a] {
      action = [&, a] {
        auto& cl = g.client();
        std::optional<std::int64_t> after;
        if (a->count()) after = w_after;
        if (w_order) {
          // An order that does not exist would be waited for silently, for ever.
          auto known = cl.call("order.get", json::object{{"id", w_order}});
          if (!known.ok()) {
            if (known.error().reason == "not_found") known.error().message = "no order " + std::to_string(w_order);
            throw rpc_failure{std::move(known.error())};
          }
          if (!after) after = 0;  // its history first, then live
        }
        auto r = cl.watch(after, w_order);
        if (!r.ok()) throw rpc_failure{std::move(r.error())};
        if (!g.json) std::cerr << "watching events after " << r.value() << "\n";
        std::cout.setf(std::ios::unitbuf);
        std::int64_t last = r.value();
        resume_point::arm(last, w_order);
        while (auto n = cl.next_notification()) {
          if (n->method == "watch.ended") {
            const auto& p = as_obj(n->params);
            rpc_error e;
            e.reason = p.contains("reason") ? std::string(p.at("reason").as_string()) : "ended";
            e.message = p.contains("message") ? std::string(p.at("message").as_string()) : "watch ended";
            throw rpc_failure{e};
          }
          if (n->method != "event") continue;
          if (auto* id = as_obj(n->params).if_contains("id"); id && id->is_int64()) {
            last = id->as_int64();
            resume_point::last.store(last);
          }
          if (g.json)
            g.print_json(n->params);
          else
            std::cout << portctl::render_event_line(as_obj(n->params), g.style, true);
        }
        // The daemon went away (restart, shutdown): say how to pick up without a gap.
        throw portd::wire::transport_error(
            "the daemon closed the event stream; resume with: portctl watch --after " +
            std::to_string(last));
      };
    });
  }

  // ---- redeliver ----
  std::int64_t rd_id = 0, rd_event = 0;
  std::string rd_sink;
  bool rd_all = false;
  {
    auto* c = command("redeliver", "send a dead letter (or any event) to a webhook again",
                      examples({"portctl redeliver 17                           # outbox row 17 (see events --failed)",
                                "portctl redeliver --all                        # every dead letter",
                                "portctl redeliver --all --sink webhook:0",
                                "portctl redeliver --event 1017 --sink webhook:0  # an event, delivered or not"}));
    auto* id = c->add_option("ID", rd_id, "the outbox row (portctl events --failed shows it)");
    auto* ev = c->add_option("--event", rd_event, "an event id to send again (needs --sink)");
    c->add_option("--sink", rd_sink, "the sink (webhook:0, …); also re-enables a sink that answered 410");
    auto* all = c->add_flag("--all", rd_all, "every dead letter (of --sink when given)");
    id->excludes(ev)->excludes(all);
    ev->excludes(all);
    c->callback([&] {
      action = [&] {
        json::object p;
        if (rd_id) p["id"] = rd_id;
        if (rd_event) p["event_id"] = rd_event;
        if (rd_all) p["all"] = true;
        if (!rd_sink.empty()) p["sink"] = rd_sink;
        auto r = g.call("outbox.redeliver", std::move(p));
        if (g.json) return g.print_json(r);
        std::cout << "queued " << as_obj(r).at("queued").as_int64() << " deliveries again\n";
      };
    });
  }

  // ---- backup ----
  std::string b_file;
  bool b_force = false;
  {
    auto* c = command("backup", "a consistent copy of portd's database, made while it runs (operators)",
                      examples({"portctl backup /var/lib/portd/backups/portd-$(date +%F).db",
                                "portctl backup --force /var/lib/portd/backups/latest.db"}));
    c->add_option("FILE", b_file, "where portd writes the copy (portd's user writes it; made 0600)")->required();
    c->add_flag("--force", b_force, "replace FILE if it exists");
    c->footer(c->get_footer() +
              "\nRestore: stop portd, copy the backup over its database (and remove the -wal and -shm\n"
              "files next to it), start portd. Without --timeout, portctl waits up to an hour.");
    c->callback([&] {
      action = [&] {
        // portd writes the file, in its own working directory: send an absolute path.
        const auto file = std::filesystem::absolute(b_file).lexically_normal().string();
        if (app.get_option("--timeout")->count() == 0 && !std::getenv("PORTCTL_TIMEOUT")) g.timeout = 3600;
        json::object p;
        p["path"] = file;
        if (b_force) p["force"] = true;
        auto r = g.call("daemon.backup", std::move(p));
        if (g.json) return g.print_json(r);
        const auto& o = as_obj(r);
        const auto bytes = o.contains("bytes") && o.at("bytes").is_int64() ? o.at("bytes").as_int64() : 0;
        std::cout << "backup written to " << portd::runtime::escape_controls(o.contains("path") && o.at("path").is_string()
                                                                                ? std::string(o.at("path").as_string())
                                                                                : file)
                  << " (" << bytes << " bytes)\n";
      };
    });
  }

  // ---- group / status / metrics / attention ----
  std::string grp;
  bool a_exit_code = false;
  {
    auto* c = command("group", "roll-up of a group of orders per state, and what needs a human",
                      examples({"portctl group acme-migration"}));
    c->add_option("NAME", grp, "group label")->required();
    c->callback([&] {
      action = [&] {
        json::object p;
        p["group"] = grp;
        auto r = g.call("group.summary", std::move(p));
        if (g.json) return g.print_json(r);
        if (g.csv) {  // one row per state; the orders that need a human: portctl attention, list
          g.print_csv({"group", "state", "orders"});
          for (const auto& kv : member(r, "by_state"))
            g.print_csv({grp, std::string(kv.key()), portctl::csv_field(&kv.value())});
          return;
        }
        std::cout << portctl::render_group(as_obj(r), g.style);
        json::object q;
        q["group"] = grp;
        q["needs_attention"] = true;
        q["limit"] = 1000;
        auto l = g.call("order.list", std::move(q));
        auto& orders = as_obj(l).at("orders").as_array();
        if (!orders.empty())
          std::cout << "\n" << portctl::render_attention(orders, g.style);
      };
    });
  }
  {
    auto* c = command("status", "the daemon's state: orders, API budget, outbox, database",
                      examples({"portctl status", "portctl --json status"}));
    c->callback([&] {
      action = [&] {
        auto r = g.call("daemon.status");
        if (g.json) return g.print_json(r);
        std::cout << portctl::render_status(as_obj(r), g.style);
      };
    });
  }
  {
    auto* c = command("metrics", "Prometheus metrics text", examples({"portctl metrics"}));
    c->callback([&] {
      action = [&] {
        auto r = g.call("daemon.metrics");
        if (g.json) return g.print_json(r);
        const auto& o = as_obj(r);
        if (o.contains("text") && o.at("text").is_string()) std::cout << o.at("text").as_string().c_str();
      };
    });
  }
  {
    auto* c = command("attention", "orders that need a human, oldest first, with the next step",
                      examples({"portctl attention",
                                "portctl attention --exit-code -o csv   # cron, Nagios: exit 4 when there are any"}));
    c->add_flag("--exit-code", a_exit_code,
                "exit 4 when any order needs a human, 0 when none (for cron and monitoring checks)");
    c->callback([&] {
      action = [&] {
        json::array all;
        std::int64_t after = 0;
        for (;;) {
          json::object p;
          p["needs_attention"] = true;
          p["limit"] = 1000;
          if (after) p["after_id"] = after;
          auto r = g.call("order.list", std::move(p));
          for (auto& o : as_obj(r).at("orders").as_array()) all.push_back(o);
          auto* n = as_obj(r).if_contains("next_after_id");
          if (!n || !n->is_int64()) break;
          after = n->as_int64();
        }
        if (a_exit_code && !all.empty()) exit_code = 4;
        if (g.json) {
          json::object o;
          o["orders"] = std::move(all);
          return g.print_json(o);
        }
        if (g.csv) {
          auto columns = portctl::order_columns;
          columns.push_back("next");
          g.print_csv(columns);
          for (const auto& v : all) {
            auto fields = portctl::order_fields(as_obj(v));
            fields.push_back(portctl::suggested_command(as_obj(v)));
            g.print_csv(fields);
          }
          return;
        }
        std::cout << portctl::render_attention(std::move(all), g.style);
      };
    });
  }

  // ---- import ----
  std::string im_file, im_group;
  int im_window = 32;
  {
    std::string cols;
    for (auto& c : portctl::import_columns) cols += (cols.empty() ? "" : ", ") + c;
    std::string req;
    for (auto& c : portctl::import_required) req += (req.empty() ? "" : ", ") + c;
    auto* c = command(
        "import", "submit many port-ins from a CSV file; re-running it never duplicates",
        "\nThe first row names the columns, in any order:\n" + portctl::wrap(cols, "  ", 78) +
            "Required: " + req + ".\n"
            "Each row's client_ref is its idempotency key: after an interruption, run the same\n"
            "command again; rows already submitted report 'already present'. The file holds\n"
            "account PINs: keep it private (chmod 600) and delete it when done.\n" +
            examples({"portctl import orders.csv", "portctl import --group acme-migration orders.csv",
                      "portctl --json import orders.csv > summary.json"}));
    c->add_option("FILE", im_file, "the CSV file ('-' for stdin)")->required();
    c->add_option("--group", im_group, "group for rows that name none");
    c->add_option("--window", im_window, "requests in flight at once (1-512)")
        ->capture_default_str()
        ->check(CLI::Range(1, 512));
    c->callback([&] {
      action = [&] {
        std::ifstream file;
        std::istream* in = &std::cin;
        if (im_file != "-") {
          file.open(im_file);
          if (!file) throw usage_failure{"cannot read " + im_file};
          in = &file;
        }
        auto header = portctl::read_csv_record(*in);
        if (!header) throw usage_failure{im_file + " is empty"};
        portctl::strip_utf8_bom(header->front());  // Excel's "CSV UTF-8"
        for (auto& h : *header) {
          while (!h.empty() && (h.back() == ' ' || h.back() == '\r')) h.pop_back();
          if (std::find(portctl::import_columns.begin(), portctl::import_columns.end(), h) ==
              portctl::import_columns.end())
            throw usage_failure{"unknown column \"" + h + "\" in " + im_file + " (see portctl import --help)"};
        }
        for (auto& r : portctl::import_required)
          if (std::find(header->begin(), header->end(), r) == header->end())
            throw usage_failure{"column \"" + r + "\" is missing from " + im_file};

        struct pending {
          std::int64_t row;
          std::string ref;
        };
        std::deque<pending> window;
        std::int64_t rows = 0, created = 0, present = 0, answered = 0;
        json::array rejected;
        bool tty = ::isatty(2);
        auto reject = [&](std::int64_t row, const std::string& ref, const rpc_error& e) {
          json::object r;
          r["row"] = row;
          r["client_ref"] = ref;
          r["code"] = e.code;
          r["reason"] = e.reason;
          r["message"] = e.message;
          if (auto* f = e.data.if_contains("field")) r["field"] = *f;
          rejected.push_back(std::move(r));
        };
        auto progress = [&](bool last) {
          if (g.json) return;
          if (tty)
            std::cerr << "\rimport: " << rows << " rows read, " << answered << " answered" << (last ? "\n" : "")
                      << std::flush;
          else if (last || answered % 1000 == 0)
            std::cerr << "import: " << answered << " rows answered\n";
        };
        auto& cl = g.client();
        auto read_one = [&] {
          auto line = cl.read_line();
          if (!line) throw portd::wire::transport_error("the daemon closed the connection during the import");
          boost::system::error_code ec;
          auto v = json::parse(*line, ec);
          if (ec || !v.is_object()) throw portd::wire::transport_error("the daemon sent a line that is not JSON");
          pending p = window.front();
          window.pop_front();
          ++answered;
          const auto& o = v.as_object();
          if (auto* e = o.if_contains("error"))
            reject(p.row, p.ref, portd::wire::error_from_json(*e));
          else if (member(v, "result").contains("created") && member(v, "result").at("created").as_bool())
            ++created;
          else
            ++present;
          if (answered % 100 == 0) progress(false);
        };
        std::int64_t row_no = 1;
        while (auto rec = portctl::read_csv_record(*in)) {
          ++row_no;
          if (rec->size() == 1 && rec->front().empty()) continue;  // blank line
          ++rows;
          if (rec->size() != header->size()) {
            rpc_error e = portd::wire::make_error(portd::wire::code::invalid_params, "invalid_params",
                "row has " + std::to_string(rec->size()) + " cells, the header " + std::to_string(header->size()));
            reject(row_no, "", e);
            continue;
          }
          json::object params = portctl::row_to_params(*header, *rec, im_group);
          std::string ref = params.contains("client_ref") ? std::string(params.at("client_ref").as_string()) : "";
          if (ref.empty()) {
            reject(row_no, "", portd::wire::invalid_params("client_ref", "client_ref is required for an import row"));
            continue;
          }
          json::object r;
          r["jsonrpc"] = "2.0";
          r["id"] = row_no;
          r["method"] = "portin.submit";
          r["params"] = std::move(params);
          cl.send_line(json::serialize(r));
          window.push_back({row_no, ref});
          if (static_cast<int>(window.size()) >= im_window) read_one();
        }
        while (!window.empty()) read_one();
        progress(true);
        if (g.json) {
          json::object o;
          o["rows"] = rows;
          o["created"] = created;
          o["already_present"] = present;
          o["rejected"] = rejected;
          g.print_json(o);
        } else {
          std::cout << rows << " rows: " << created << " created, " << present << " already present, "
                    << rejected.size() << " rejected\n";
          for (auto& v : rejected) {
            const auto& r = v.as_object();
            std::string where = "row " + std::to_string(r.at("row").as_int64());
            if (!r.at("client_ref").as_string().empty())
              where += " (" + std::string(r.at("client_ref").as_string()) + ")";
            std::string why = std::string(r.at("message").as_string()) + " (" +
                              std::string(r.at("reason").as_string());
            if (auto* f = r.if_contains("field")) why += ", field " + std::string(f->as_string());
            std::cout << portctl::wrap(where + ": " + why + ")", "  ", g.style.width);
          }
        }
        if (!rejected.empty()) exit_code = 1;
      };
    });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (wants_json(app))
      print_json_error(2, "usage", e.what());
    else
      std::cerr << "portctl: " << e.what() << "\n(run 'portctl --help')\n";
    return 2;
  }
  if (g.json && !g.output.empty() && g.output != "json") {
    print_json_error(2, "usage", "--json and -o " + g.output + " contradict each other");
    return 2;
  }
  if (g.output == "json") g.json = true;
  g.csv = g.output == "csv";
  // A reader that goes away (| head) is seen as a failed write (EPIPE), not a signal: list --all
  // stops asking for pages and exits 0. The socket's writes use MSG_NOSIGNAL already.
  ::signal(SIGPIPE, SIG_IGN);

  try {
    if (g.csv) {
      const auto used = app.get_subcommands();
      const std::string name = used.empty() ? "" : used.front()->get_name();
      if (!has_csv(name))
        throw usage_failure{"-o csv is for list, attention, events and group, not " + name + " (use -o json)"};
    }
    if (action) action();
    return exit_code;
  } catch (const usage_failure& u) {
    if (g.json) {
      print_json_error(2, "usage", u.message);
      return 2;
    }
    std::cerr << "portctl: " << u.message << "\n";
    return 2;
  } catch (const rpc_failure& f) {
    if (g.json) {
      print_json_error(f.error.code, f.error.reason, f.error.message, f.error.data);
      return 1;
    }
    std::cerr << "portctl: " << f.error.message << " (" << f.error.reason;
    if (auto* field = f.error.data.if_contains("field"); field && field->is_string())
      std::cerr << ", field " << field->as_string().c_str();
    if (auto* id = f.error.data.if_contains("order_id"); id && id->is_int64())
      std::cerr << ", order " << id->as_int64();
    if (auto* st = f.error.data.if_contains("state"); st && st->is_string())
      std::cerr << ", state " << st->as_string().c_str();
    std::cerr << ")\n";
    return 1;
  } catch (const portd::wire::connect_error& e) {
    const bool denied = e.error == EACCES || e.error == EPERM;
    if (g.json) {
      json::object data;
      data["socket"] = g.socket;
      if (denied) data["hint"] = not_allowed_hint(g.socket);
      print_json_error(3, denied ? "permission_denied" : "cannot_connect", e.what(), std::move(data));
      return 3;
    }
    if (denied)
      std::cerr << "portctl: " << e.what() << "\n" << not_allowed_hint(g.socket);
    else
      std::cerr << "portctl: " << e.what() << " (is portd running? see --socket)\n";
    return 3;
  } catch (const portd::wire::timeout_error& e) {
    if (g.json) {
      print_json_error(3, "timeout", e.what());
      return 3;
    }
    std::cerr << "portctl: " << e.what() << "\n";
    return 3;
  } catch (const portd::wire::transport_error& e) {
    if (g.json) {
      print_json_error(3, "transport", e.what());
      return 3;
    }
    std::cerr << "portctl: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    if (g.json) {
      print_json_error(1, "failed", e.what());
      return 1;
    }
    std::cerr << "portctl: " << e.what() << "\n";
    return 1;
  }
}
