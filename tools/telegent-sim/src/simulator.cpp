// simulator: the request -> response function of the simulated Telegent.
#include <telegent_sim/simulator.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace telegent_sim {

namespace json = boost::json;

std::string_view to_string(transport_action a) noexcept {
  switch (a) {
    case transport_action::respond: return "respond";
    case transport_action::delay: return "delay";
    case transport_action::hang: return "hang";
    case transport_action::reset: return "reset";
  }
  return "?";
}

std::string_view to_string(handling_pass p) noexcept { return p == handling_pass::first ? "first" : "after_delay"; }
std::ostream& operator<<(std::ostream& os, transport_action a) { return os << to_string(a); }
std::ostream& operator<<(std::ostream& os, handling_pass p) { return os << to_string(p); }

struct api_route {
  std::string_view path;  // lower case
  std::string_view method;
  std::string_view name;  // endpoint name in stats and fault profiles
};

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (iequals(percent_decode(pair.substr(0, eq)), name))
      return eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string bearer_token(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  if (header.size() < 7 || !iequals(header.substr(0, 7), "bearer ")) return {};
  header.remove_prefix(7);
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  return std::string(header);
}

bool is_e164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_iccid(std::string_view s) {
  if (s.size() < 19 || s.size() > 20) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool digit = c >= '0' && c <= '9';
    if (!digit && !(i + 1 == s.size() && (c == 'F' || c == 'f'))) return false;
  }
  return true;
}

std::string reason_of(unsigned status) {
  switch (status) {
    case 400: return "One or more validation errors occurred.";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Error";
  }
}

std::string type_uri(unsigned status) {
  switch (status) {
    case 400: return "https://tools.ietf.org/html/rfc9110#section-15.5.1";
    case 401: return "https://tools.ietf.org/html/rfc9110#section-15.5.2";
    case 404: return "https://tools.ietf.org/html/rfc9110#section-15.5.5";
    case 405: return "https://tools.ietf.org/html/rfc9110#section-15.5.6";
    case 408: return "https://tools.ietf.org/html/rfc9110#section-15.5.9";
    case 409: return "https://tools.ietf.org/html/rfc9110#section-15.5.10";
    case 422: return "https://tools.ietf.org/html/rfc9110#section-15.5.21";
    case 429: return "https://tools.ietf.org/html/rfc6585#section-4";
    case 500: return "https://tools.ietf.org/html/rfc9110#section-15.6.1";
    case 502: return "https://tools.ietf.org/html/rfc9110#section-15.6.3";
    case 503: return "https://tools.ietf.org/html/rfc9110#section-15.6.4";
    case 504: return "https://tools.ietf.org/html/rfc9110#section-15.6.5";
    default: return "about:blank";
  }
}

sim_response json_response(unsigned status, const json::value& body) {
  sim_response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

// Collects validation errors over a JSON request body, keyed "$.Field".
class validator {
 public:
  explicit validator(const json::object& body, std::string prefix = "$.") : body_(body), prefix_(std::move(prefix)) {}

  const json::value* find(std::string_view key) const {
    const auto it = body_.find(key);
    return it == body_.end() || it->value().is_null() ? nullptr : &it->value();
  }

  std::optional<std::string> string(std::string_view key, bool required) {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "The " + std::string(key) + " field is required.");
      return std::nullopt;
    }
    if (!v->is_string()) {
      fail(key, "The JSON value could not be converted to System.String.");
      return std::nullopt;
    }
    std::string s(v->get_string());
    if (required && s.empty()) {
      fail(key, "The " + std::string(key) + " field is required.");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> number(std::string_view key, bool required) {
    auto s = string(key, required);
    if (s && !is_e164(*s)) {
      fail(key, "The " + std::string(key) + " field must be an E.164 number, e.g. +15555551234.");
      return std::nullopt;
    }
    return s;
  }

  std::optional<std::string> one_of(std::string_view key, bool required, std::initializer_list<std::string_view> allowed) {
    auto s = string(key, required);
    if (!s) return s;
    for (auto a : allowed) {
      if (iequals(*s, a)) return s;
    }
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(key, "The " + std::string(key) + " field must be one of: " + list + ".");
    return std::nullopt;
  }

  std::optional<std::chrono::sys_days> date(std::string_view key) {
    auto s = string(key, false);
    if (!s) return std::nullopt;
    auto d = parse_date(*s);
    if (!d) fail(key, "The " + std::string(key) + " field must be a date in YYYY-MM-DD format.");
    return d;
  }

  std::optional<std::string> iccid() {
    const std::string_view key = find("ICCID") != nullptr || find("Iccid") == nullptr ? "ICCID" : "Iccid";
    auto s = string(key, false);
    if (s && !is_iccid(*s)) {
      fail(key, "The ICCID field must be 19 or 20 digits (the last may be F).");
      return std::nullopt;
    }
    return s;
  }

  void address(bool required) {
    const std::string_view key = "CurrentBillingAddress";
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "The CurrentBillingAddress field is required.");
      return;
    }
    if (!v->is_object()) {
      fail(key, "The JSON value could not be converted to BillingAddress.");
      return;
    }
    validator inner(v->get_object(), prefix_ + std::string(key) + ".");
    inner.string("Street1", true);
    inner.string("Street2", false);
    inner.string("City", true);
    if (auto st = inner.string("State", true);
        st && (st->size() != 2 || !std::isalpha(static_cast<unsigned char>((*st)[0])) ||
               !std::isalpha(static_cast<unsigned char>((*st)[1]))))
      inner.fail("State", "The State field must be a two-letter state code.");
    if (auto zip = inner.string("Zip", true); zip && (zip->size() < 5 || !std::isdigit(static_cast<unsigned char>((*zip)[0]))))
      inner.fail("Zip", "The Zip field must be a 5-digit ZIP code.");
    errors.insert(errors.end(), inner.errors.begin(), inner.errors.end());
  }

  void fail(std::string_view key, std::string message) { errors.emplace_back(prefix_ + std::string(key), std::move(message)); }

  std::vector<std::pair<std::string, std::string>> errors;

 private:
  const json::object& body_;
  std::string prefix_;
};

std::string_view missing_field_for(std::string_view endpoint) {
  if (endpoint == "tokens") return "token";
  if (endpoint == "eligibility") return "Eligible";
  if (endpoint == "order") return "OrderStatus";
  return "OrderId";
}

std::string to_str(unsigned status) { return std::to_string(status); }

}  // namespace

namespace {
constexpr api_route routes[] = {
    {"/v1.0/oauth2/tokens", "POST", "tokens"},
    {"/v1.0/numbers/portin/eligibility", "POST", "eligibility"},
    {"/v1.0/numbers/portin", "POST", "portin"},
    {"/v1.0/numbers/portin/update", "POST", "update"},
    {"/v1.0/numbers/portin/cancel", "POST", "cancel"},
    {"/v1.0/numbers/order", "GET", "order"},
    {"/v1.0/numbers/portout", "POST", "portout"},
};

std::uint64_t initial_seed(const sim_config& c) {
  if (c.seed) return *c.seed;
  return (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
}

dwell_model dwell_of(const sim_config& c) {
  dwell_model m = c.dwell;
  m.standard.delays = c.delays;  // a program may set `delays` alone
  return m;
}
}  // namespace

simulator::simulator(sim_config config, real_time now)
    : config_(std::move(config)),
      clock_(now, config_.time_scale),
      tokens_(config_.accounts, config_.token_lifetime),
      limiter_(config_.rate_limit),
      carrier_(clock_, config_.carrier_dialect, dwell_of(config_), initial_seed(config_)),
      faults_(config_.faults, 0),
      rng_(initial_seed(config_)) {
  faults_.reseed(rng_());
}

void simulator::reset(real_time now) {
  clock_ = sim_clock(now, config_.time_scale);
  carrier_.clear();
  limiter_ = rate_limiter(config_.rate_limit);
  faults_.set_profile(config_.faults);
  counters_ = sim_counters{};
}

std::string simulator::new_order_id() {
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "JNUOID-";
  for (int i = 0; i < 32; ++i) id += hex[rng_() % 16];
  return id;
}

sim_response simulator::problem(unsigned status, std::string_view title, std::string_view detail,
                                const std::vector<std::pair<std::string, std::string>>& errors,
                                const json::object* extra) {
  const bool pascal = config_.casing == problem_casing::pascal;
  auto key = [&](std::string_view camel) {
    std::string k(camel);
    if (pascal) k[0] = char(std::toupper(static_cast<unsigned char>(k[0])));
    return k;
  };
  json::object o;
  o[key("type")] = type_uri(status);
  o[key("title")] = title.empty() ? reason_of(status) : std::string(title);
  o[key("status")] = status;
  if (!detail.empty()) o[key("detail")] = detail;
  if (!errors.empty()) {
    json::object e;
    for (const auto& [field, message] : errors) {
      auto& slot = e[field];
      if (!slot.is_array()) slot = json::array{};
      slot.as_array().push_back(json::string(message));
    }
    o[key("errors")] = std::move(e);
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string trace = "00-";
  for (int i = 0; i < 32; ++i) trace += hex[rng_() % 16];
  trace += '-';
  for (int i = 0; i < 16; ++i) trace += hex[rng_() % 16];
  trace += "-00";
  o[key("traceId")] = trace;
  if (extra != nullptr) {
    for (const auto& [k, v] : *extra) o[k] = v;
  }
  sim_response r = json_response(status, o);
  r.content_type = "application/problem+json; charset=utf-8";
  return r;
}

sim_response simulator::too_many_requests(std::chrono::seconds wait, real_time now) {
  const auto n = std::to_string(wait.count());
  const std::string detail = "Rate limit exceeded. Try again in " + n + " seconds.";
  if (config_.retry_after == retry_after_style::body) {
    const json::object extra{{"RetryAfter", n}};
    return problem(429, "", detail, {}, &extra);
  }
  sim_response r = problem(429, "", detail);
  if (config_.retry_after == retry_after_style::seconds) {
    r.headers.emplace_back("Retry-After", n);
  } else {
    r.headers.emplace_back("Retry-After",
                           format_http_date(std::chrono::sys_time<std::chrono::microseconds>{
                               (now + std::chrono::microseconds{wait}).time_since_epoch()}));
  }
  return r;
}

sim_response simulator::handle(const sim_request& req, real_time now, handling_pass pass) {
  const auto [path, query] = split_target(req.target);
  if (path == "/_sim" || path.starts_with("/_sim/")) return control(req, path, now);
  const std::string lpath = lower(path);
  const api_route* found = nullptr;
  for (const auto& r : routes) {
    if (r.path == lpath) found = &r;
  }
  if (found == nullptr) {
    counters_.count_request("unknown", "404");
    return problem(404, "", "No such endpoint: " + std::string(path));
  }
  if (req.method != found->method) {
    counters_.count_request(found->name, "405");
    sim_response r = problem(405, "", "Use " + std::string(found->method) + " on " + std::string(found->path));
    r.headers.emplace_back("Allow", std::string(found->method));
    return r;
  }
  return api(*found, req, path, query, now, pass);
}

sim_response simulator::api(const api_route& r, const sim_request& req, std::string_view path, std::string_view query,
                            real_time now, handling_pass pass) {
  // The body, parsed up front: the token endpoint needs it to know whose rate limit applies.
  std::optional<json::object> body;
  std::string body_error;
  if (r.method == "POST") {
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec) {
      body_error = "The request body is not valid JSON: " + ec.message() + ".";
    } else if (!v.is_object()) {
      body_error = "The request body must be a JSON object.";
    } else {
      body = std::move(v.get_object());
    }
  }
  const std::string token = bearer_token(req.authorization);
  std::optional<std::string> account;
  if (r.name == "tokens") {
    if (body) {
      if (const auto* k = body->if_contains("AccountKey"); k != nullptr && k->is_string() &&
                                                            tokens_.knows_account(k->get_string()))
        account = std::string(k->get_string());
    }
  } else {
    account = tokens_.owner(token);
  }

  auto finish = [&](sim_response resp, std::string_view outcome = {}) {
    counters_.count_request(r.name, outcome.empty() ? to_str(resp.status) : outcome);
    if (resp.status == 429 && resp.action == transport_action::respond) ++counters_.rate_limited;
    return resp;
  };

  fault_kind fault = fault_kind::none;
  if (pass == handling_pass::first) {
    if (account) {
      if (const auto wait = limiter_.violation(*account, now)) return finish(too_many_requests(*wait, now));
    }
    fault = faults_.decide(r.name);
    if (fault != fault_kind::none) ++counters_.faults_injected[std::string(to_string(fault))];
    switch (fault) {
      case fault_kind::status_408: return finish(problem(408, "", "The server timed out waiting for the request."));
      case fault_kind::status_500: return finish(problem(500, "", "An unexpected error occurred."));
      case fault_kind::status_502: return finish(problem(502, "", "The upstream carrier gateway failed."));
      case fault_kind::status_503: return finish(problem(503, "", "The service is down for maintenance."));
      case fault_kind::status_504: return finish(problem(504, "", "The upstream carrier gateway timed out."));
      case fault_kind::status_429: {
        const auto wait = faults_.profile().retry_after;
        if (account) limiter_.told_to_wait(*account, now, wait);
        return finish(too_many_requests(wait, now));
      }
      case fault_kind::delay: {
        sim_response d;
        d.action = transport_action::delay;
        d.delay = faults_.profile().delay;
        return d;  // counted when handled after the delay
      }
      case fault_kind::hang: {
        counters_.count_request(r.name, "hang");
        sim_response h;
        h.action = transport_action::hang;
        return h;
      }
      case fault_kind::reset_before: {
        counters_.count_request(r.name, "reset_before");
        sim_response x;
        x.action = transport_action::reset;
        return x;
      }
      default: break;
    }
  }
  if (account) {
    if (const auto wait = limiter_.take(*account, now)) {
      if (counters_.refusal_log.size() < 1000)
        counters_.refusal_log.push_back({epoch_ms(now), std::chrono::duration_cast<std::chrono::milliseconds>(stall_at(now)).count()});
      return finish(too_many_requests(*wait, now));
    }
  }

  sim_response resp;
  std::string observed;  // order whose status the response shows
  if (r.name == "tokens") {
    resp = body ? on_tokens(*body, now) : problem(400, "", "", {{"$", body_error}});
  } else if (auto who = tokens_.authorize(token, path, now); !who) {
    std::string why;
    switch (static_cast<sim_errc>(who.error().value())) {
      case sim_errc::token_missing: why = "Authorization header with a Bearer token is required"; break;
      case sim_errc::token_expired: why = "Token expired"; break;
      case sim_errc::token_wrong_scope: why = "Token is not valid for this endpoint"; break;
      default: why = "Invalid token"; break;
    }
    resp = problem(401, "", why, {{"Auth", why}});
    resp.headers.emplace_back("WWW-Authenticate", "Bearer");
  } else if (r.method == "POST" && !body) {
    resp = problem(400, "", "", {{"$", body_error}});
  } else if (r.name == "eligibility") {
    resp = on_eligibility(*body);
  } else if (r.name == "portin") {
    resp = on_portin(*who, *body, now);
  } else if (r.name == "update") {
    resp = on_update(*who, *body, now);
  } else if (r.name == "cancel") {
    resp = on_cancel(*who, *body, now);
  } else if (r.name == "order") {
    resp = on_order(*who, query, now, observed);
  } else {
    resp = on_portout(*who, *body, now);
  }

  switch (fault) {
    case fault_kind::reset_after:
      counters_.count_request(r.name, "reset_after");
      resp.action = transport_action::reset;
      return resp;
    case fault_kind::truncated_json:
      resp.body.resize(resp.body.size() / 2);
      observed.clear();
      break;
    case fault_kind::unknown_status:
    case fault_kind::missing_field:
      if (resp.status == 200) {
        boost::system::error_code ec;
        json::value v = json::parse(resp.body, ec);
        if (!ec && v.is_object()) {
          auto& o = v.get_object();
          if (fault == fault_kind::missing_field) {
            o.erase(missing_field_for(r.name));
          } else {
            for (std::string_view k : {"OrderStatus", "Status"}) {
              if (o.contains(k)) o[k] = faults_.profile().unknown_status;
            }
          }
          resp.body = json::serialize(v);
          observed.clear();
        }
      }
      break;
    default: break;
  }
  if (!observed.empty()) carrier_.mark_observed(observed, now);
  return finish(std::move(resp));
}

sim_response simulator::on_tokens(const json::object& body, real_time now) {
  validator v(body);
  const auto key = v.string("AccountKey", true);
  const auto secret = v.string("AccountSecret", true);
  const auto endpoint = v.string("ApiEndpoint", true);
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  auto grant = tokens_.issue(*key, *secret, *endpoint, now, rng_);
  if (!grant) return problem(401, "", "Invalid account credentials provided", {{"Auth", "Invalid account credentials provided"}});
  return json_response(200, json::object{{"token", grant->token},
                                         {"successful", true},
                                         {"tokenExpiry", format_us_datetime(grant->expires_at)}});
}

sim_response simulator::on_eligibility(const json::object& body) {
  validator v(body);
  const auto number = v.number("PhoneNumber", true);
  v.one_of("TargetClassification", true, {"mvno", "iot", "Mobile", "Landline"});
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  const bool eligible = carrier_.eligible(*number);
  return json_response(200, json::object{{"PhoneNumber", *number},
                                         {"Eligible", eligible},
                                         {"CurrentCarrier", "Verizon"},
                                         {"NumberType", "mobile"},
                                         {"Message", eligible ? "Number is eligible for port-in"
                                                              : "Number is not eligible for port-in"}});
}

sim_response simulator::on_portin(const std::string& account, const json::object& body, real_time now) {
  validator v(body);
  auto number = v.number("PortInNumber", true);
  auto losing_carrier = v.string("CurrentCarrierName", true);
  v.string("CurrentAccountNumber", true);
  v.string("CurrentAccountPassword", true);
  v.address(true);
  v.one_of("TargetPortinClassification", false, {"mvno", "iot"});
  v.string("SubscriberName", false);
  auto iccid = v.iccid();
  auto date = v.date("PortInDate");
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  auto created = carrier_.submit_port_in({account, *number, iccid, date, *losing_carrier}, new_order_id(), now);
  if (!created) {
    if (created.error() == sim_errc::duplicate_port_in) {
      ++counters_.duplicate_submits;
      return problem(409, "", "An active port-in request already exists for " + *number + ".",
                     {{"$.PortInNumber", "An active port-in request already exists for this number."}});
    }
    return problem(422, "", "The number " + *number + " is not eligible for port-in.",
                   {{"$.PortInNumber", "The number is not eligible for port-in."}});
  }
  const order& o = **created;
  ++counters_.orders_created_per_number[o.number];
  json::object out{{"OrderId", o.id},
                   {"OrderDate", format_iso_7(as_sys(o.created_sim))},
                   {"Status", o.status},
                   {"PhoneNumber", o.number}};
  if (o.iccid) out["ICCID"] = *o.iccid;
  return json_response(200, out);
}

sim_response simulator::on_update(const std::string& account, const json::object& body, real_time now) {
  validator v(body);
  const auto id = v.string("OrderId", true);
  v.string("CurrentCarrierName", false);
  v.string("CurrentAccountNumber", false);
  v.string("CurrentAccountPassword", false);
  v.address(false);
  v.one_of("TargetPortinClassification", false, {"mvno", "iot", "Mobile", "Landline"});
  v.string("SubscriberName", false);
  v.iccid();
  const auto date = v.date("PortInDate");
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  auto updated = carrier_.update(account, *id, date, now);
  if (!updated) {
    if (updated.error() == sim_errc::order_not_open)
      return problem(409, "", "The port-in order is not open and cannot be updated.");
    return problem(404, "", "GENS-0041: No Port-In request found");
  }
  return json_response(200, json::object{{"OrderId", *id},
                                         {"Status", "Updated"},
                                         {"Message", "Port-in order updated successfully"}});
}

sim_response simulator::on_cancel(const std::string& account, const json::object& body, real_time now) {
  validator v(body);
  const auto id = v.string("OrderId", true);
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  auto cancelled = carrier_.cancel(account, *id, now);
  if (!cancelled) {
    if (cancelled.error() == sim_errc::order_not_open)
      return problem(409, "", "The order is " + (*carrier_.observe(account, *id, now))->status + " and cannot be cancelled.");
    return problem(404, "", "GENS-0041: No Port-In request found");
  }
  return json_response(200, json::object{{"OrderId", *id}, {"Status", (*cancelled)->status}});
}

sim_response simulator::on_order(const std::string& account, std::string_view query, real_time now,
                                 std::string& observed_order) {
  const auto id = query_param(query, "OrderId");
  if (!id || id->empty()) return problem(400, "", "", {{"$.OrderId", "The OrderId field is required."}});
  auto found = carrier_.observe(account, *id, now);
  if (!found) return problem(404, "", "No order " + *id + " was found.");
  const order& o = **found;
  json::object out{{"OrderDate", format_iso_2(as_sys(o.created_sim))},
                   {"OrderId", o.id},
                   {"OrderStatus", o.status},
                   {"OrderType", to_string(o.kind)},
                   {"PhoneNumbersOrdered", json::array{json::object{{"Number", o.number}}}}};
  if (!o.message.empty()) out["OrderStatusMessage"] = o.message;
  observed_order = o.id;
  return json_response(200, out);
}

sim_response simulator::on_portout(const std::string& account, const json::object& body, real_time now) {
  validator v(body);
  const bool legacy = v.find("PortOutNumber") == nullptr && v.find("PortOutMsisdn") != nullptr;
  const auto number = v.number(legacy ? "PortOutMsisdn" : "PortOutNumber", true);
  v.string("PortOutPIN", true);
  if (!v.errors.empty()) return problem(400, "", "", v.errors);
  auto created = carrier_.submit_port_out(account, *number, new_order_id(), now);
  const order& o = **created;
  ++counters_.orders_created_per_number[o.number];
  return json_response(200, json::object{{"OrderId", o.id},
                                         {"OrderDate", format_iso_7(as_sys(o.created_sim))},
                                         {"Status", "Pending"},
                                         {"PhoneNumber", o.number}});
}

void simulator::loop_tick(real_time next, std::chrono::microseconds late) {
  next_tick_ = next;
  last_tick_late_ = late;
}

std::chrono::microseconds simulator::stall_at(real_time now) const {
  if (!next_tick_) return std::chrono::microseconds{0};
  return std::max({last_tick_late_, std::chrono::duration_cast<std::chrono::microseconds>(now - *next_tick_),
                   std::chrono::microseconds{0}});
}

stats_snapshot simulator::stats(real_time now) {
  carrier_.settle_all(now);
  stats_snapshot s;
  s.requests = counters_.requests;
  s.requests_total = counters_.requests_total;
  s.violations = limiter_.violations();
  for (const auto& v : limiter_.violation_log())
    s.violation_log.push_back({epoch_ms(v.at), epoch_ms(v.last_told_at), epoch_ms(v.told_until)});
  s.rate_limited = counters_.rate_limited;
  s.refusal_log = counters_.refusal_log;
  s.duplicate_submits = counters_.duplicate_submits;
  s.orders_created_per_number = counters_.orders_created_per_number;
  s.faults_injected = counters_.faults_injected;
  for (const auto& [id, o] : carrier_.orders()) {
    for (const auto& f : o.flips) {
      flip_record rec{o.id, o.number, f.status, epoch_ms(f.flip_at), std::nullopt};
      if (f.observed_at) rec.observed_at_ms = epoch_ms(*f.observed_at);
      s.flips.push_back(std::move(rec));
    }
  }
  std::stable_sort(s.flips.begin(), s.flips.end(),
                   [](const flip_record& a, const flip_record& b) { return a.flip_at_ms < b.flip_at_ms; });
  s.detection_latency = summarize_latency(s.flips);
  return s;
}

sim_response simulator::control(const sim_request& req, std::string_view path, real_time now) {
  auto wrong_method = [&](std::string_view allowed) {
    sim_response r = problem(405, "", "Use " + std::string(allowed) + " on " + std::string(path));
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  };
  auto parse_body = [&](json::object& out) -> std::optional<sim_response> {
    if (req.body.empty()) return std::nullopt;
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec);
    if (ec || !v.is_object()) return problem(400, "", "The request body must be a JSON object.");
    out = std::move(v.get_object());
    return std::nullopt;
  };

  if (path == "/_sim/stats") {
    if (req.method != "GET") return wrong_method("GET");
    return json_response(200, stats_json(now));
  }
  if (path == "/_sim/faults") {
    if (req.method == "GET") return json_response(200, to_json(faults_.profile()));
    if (req.method != "POST") return wrong_method("GET, POST");
    json::object body;
    if (auto bad = parse_body(body)) return *bad;
    if (const auto* seed = body.if_contains("seed")) {
      if (!seed->is_int64() && !seed->is_uint64()) return problem(400, "", "seed must be an integer");
      faults_.reseed(seed->is_uint64() ? seed->get_uint64() : std::uint64_t(seed->get_int64()));
      body.erase("seed");
    }
    std::string error;
    auto profile = parse_fault_profile(body, error);
    if (!profile) return problem(400, "", error);
    faults_.set_profile(std::move(*profile));
    return json_response(200, to_json(faults_.profile()));
  }
  if (path == "/_sim/time") {
    auto describe = [&] {
      const double scale = clock_.scale();
      const json::value scale_json = scale == std::floor(scale) && scale < 9e15 ? json::value(std::int64_t(scale))
                                                                                : json::value(scale);
      return json_response(200, json::object{{"scale", scale_json},
                                             {"sim_now", format_iso_7(as_sys(clock_.to_sim(now)))},
                                             {"real_now_ms", epoch_ms(now)}});
    };
    if (req.method == "GET") return describe();
    if (req.method != "POST") return wrong_method("GET, POST");
    json::object body;
    if (auto bad = parse_body(body)) return *bad;
    const json::value* scale = body.if_contains("scale");
    const json::value* advance = body.if_contains("advance_seconds");
    if (scale == nullptr && advance == nullptr) return problem(400, "", "Give \"scale\" and/or \"advance_seconds\".");
    auto as_number = [](const json::value* v) -> std::optional<double> {
      if (v->is_double()) return v->get_double();
      if (v->is_int64()) return double(v->get_int64());
      if (v->is_uint64()) return double(v->get_uint64());
      return std::nullopt;
    };
    std::optional<double> s, a;
    if (scale != nullptr && (!(s = as_number(scale)) || *s <= 0)) return problem(400, "", "scale must be a number > 0");
    if (advance != nullptr && (!(a = as_number(advance)) || *a < 0))
      return problem(400, "", "advance_seconds must be a number >= 0");
    if (s) clock_.set_scale(*s, now);
    if (a) clock_.advance(std::chrono::microseconds{static_cast<std::int64_t>(*a * 1e6)}, now);
    return describe();
  }
  if (path == "/_sim/reset") {
    if (req.method != "POST") return wrong_method("POST");
    reset(now);
    return json_response(200, json::object{{"reset", true}});
  }
  if (path == "/_sim/orders") {
    if (req.method != "GET") return wrong_method("GET");
    carrier_.settle_all(now);
    json::array list;
    for (const auto& [id, o] : carrier_.orders()) {
      json::object item{{"OrderId", o.id},     {"account", o.account}, {"OrderType", to_string(o.kind)},
                        {"number", o.number},  {"status", o.status},   {"message", o.message},
                        {"open", o.open}};
      if (o.kind == order_kind::port_in) {
        item["fate"] = to_string(o.fate);
        item["carrier"] = o.carrier;
      }
      list.push_back(std::move(item));
    }
    return json_response(200, json::object{{"orders", std::move(list)}});
  }
  constexpr std::string_view orders_prefix = "/_sim/orders/";
  if (path.starts_with(orders_prefix) && path.ends_with("/status")) {
    if (req.method != "POST") return wrong_method("POST");
    const std::string id(path.substr(orders_prefix.size(), path.size() - orders_prefix.size() - 7));
    json::object body;
    if (auto bad = parse_body(body)) return *bad;
    const auto* status = body.if_contains("status");
    if (status == nullptr || !status->is_string() || status->get_string().empty())
      return problem(400, "", "", {{"$.status", "The status field is required."}});
    std::string message;
    if (const auto* m = body.if_contains("message"); m != nullptr && m->is_string()) message = m->get_string();
    auto forced = carrier_.force(id, std::string(status->get_string()), std::move(message), now);
    if (!forced) return problem(404, "", "No order " + id + " was found.");
    return json_response(200, json::object{{"OrderId", (*forced)->id},
                                           {"status", (*forced)->status},
                                           {"message", (*forced)->message},
                                           {"open", (*forced)->open}});
  }
  return problem(404, "", "No such control endpoint: " + std::string(path));
}

}  // namespace telegent_sim
