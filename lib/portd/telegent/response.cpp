// Mapping and classification of Telegent answers (see response.hpp).
#include <portd/telegent/dates.hpp>
#include <portd/telegent/response.hpp>
#include <portd/telegent/tolerant_json.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace portd::telegent {

namespace json = boost::json;
namespace ja = json_access;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_message = 1000;

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

void cap(std::string& s) {
  if (s.size() > max_message) {
    s.resize(max_message);
    s += "…";
  }
}

std::string value_text(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
  if (v.is_null()) return {};
  return json::serialize(v);
}

}  // namespace

std::optional<response_fields> parse_fields(std::string_view body) {
  auto v = ja::parse(body);
  if (!v || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  response_fields f;
  f.order_id = ja::get_string(o, {"OrderId", "OrderID"}).value_or("");
  f.status = ja::get_string(o, {"Status", "OrderStatus"}).value_or("");
  f.status_message = ja::get_string(o, {"OrderStatusMessage", "StatusMessage", "Message"}).value_or("");
  f.eligible = ja::get_bool(o, {"Eligible", "IsEligible"});
  f.iccid = ja::get_string(o, {"ICCID"}).value_or("");
  f.order_type = ja::get_string(o, {"OrderType"}).value_or("");
  f.order_date = ja::get_string(o, {"OrderDate"}).value_or("");
  f.current_carrier = ja::get_string(o, {"CurrentCarrier", "CurrentCarrierName"}).value_or("");
  if (const auto* n = ja::find_any(o, {"PhoneNumber", "PortInNumber", "PortOutNumber",
                                       "PortOutMsisdn", "Number"})) {
    f.phone_number = ja::to_e164(*n).value_or("");
  } else if (const auto* list = ja::find(o, "PhoneNumbersOrdered")) {
    if (const auto* arr = list->if_array(); arr && !arr->empty()) {
      const auto& first = arr->front();
      if (const auto* obj = first.if_object()) {
        if (const auto* num = ja::find_any(*obj, {"Number", "PhoneNumber"})) {
          f.phone_number = ja::to_e164(*num).value_or("");
        }
      } else {
        f.phone_number = ja::to_e164(first).value_or("");
      }
    }
  }
  if (auto d = ja::get_string(o, {"PortInDate", "PortDate", "PortOutDate", "ScheduledDate",
                                  "ScheduledPortDate", "DueDate"})) {
    f.port_date = remote_date_to_iso(*d).value_or("");
  }
  return f;
}

// ---- problem details ------------------------------------------------------------------------

bool problem_details::names_field(std::string_view field) const {
  auto bare = [](std::string_view k) {
    if (k.starts_with("$.")) k.remove_prefix(2);
    return k;
  };
  const auto want = bare(field);
  for (const auto& [key, msgs] : errors) {
    if (ja::iequals(bare(key), want)) return true;
  }
  auto mentions = [&](const std::string& where) {
    std::string lower_text, lower_want;
    for (char c : where) lower_text.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    for (char c : want) lower_want.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return !lower_want.empty() && lower_text.find(lower_want) != std::string::npos;
  };
  return mentions(title) || mentions(detail) || mentions(text);
}

std::string problem_details::message() const {
  std::string out;
  auto add = [&](std::string_view sep, const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += sep;
    out += part;
  };
  add("", title);
  add(": ", detail);
  for (const auto& [key, msgs] : errors) {
    std::string line = key;
    std::string joined;
    for (const auto& m : msgs) {
      if (!joined.empty()) joined += ", ";
      joined += m;
    }
    if (!joined.empty()) line += (key.empty() ? "" : ": ") + joined;
    add("; ", line);
  }
  for (const auto& c : codes) {
    if (out.find(c) == std::string::npos) add("; ", "code " + c);
  }
  add("; ", text);
  cap(out);
  return out;
}

problem_details parse_problem(std::string_view body) {
  problem_details p;
  auto v = ja::parse(body);
  if (!v) {
    p.text = trimmed(body);
    cap(p.text);
    return p;
  }
  if (const auto* s = v->if_string()) {
    p.text = trimmed(std::string_view(s->data(), s->size()));
    cap(p.text);
    return p;
  }
  const auto* o = v->if_object();
  if (!o) {
    p.text = trimmed(body);
    cap(p.text);
    return p;
  }
  p.title = ja::get_string(*o, {"Title"}).value_or("");
  p.detail = ja::get_string(*o, {"Detail", "Message", "Error", "ErrorMessage", "error_description"})
                 .value_or("");
  p.type = ja::get_string(*o, {"Type"}).value_or("");
  p.trace_id = ja::get_string(*o, {"TraceId"}).value_or("");
  if (auto c = ja::get_string(*o, {"Code", "ErrorCode", "CarrierCode", "ReasonCode"})) {
    p.codes.push_back(*c);
  }
  if (const auto* e = ja::find(*o, "Errors")) {
    if (const auto* eo = e->if_object()) {
      for (const auto& kv : *eo) {
        std::vector<std::string> msgs;
        if (const auto* arr = kv.value().if_array()) {
          for (const auto& m : *arr) msgs.push_back(value_text(m));
        } else {
          msgs.push_back(value_text(kv.value()));
        }
        p.errors.emplace_back(std::string(kv.key()), std::move(msgs));
      }
    } else if (const auto* arr = e->if_array()) {
      for (const auto& item : *arr) {
        if (const auto* io = item.if_object()) {
          const auto field = ja::get_string(*io, {"Field", "Key", "Code"}).value_or("");
          const auto msg = ja::get_string(*io, {"Message", "Detail", "Description"}).value_or("");
          p.errors.emplace_back(field, std::vector<std::string>{msg});
        } else {
          p.errors.emplace_back("", std::vector<std::string>{value_text(item)});
        }
      }
    } else if (const auto* es = e->if_string()) {
      p.errors.emplace_back("", std::vector<std::string>{std::string(es->data(), es->size())});
    }
  }
  return p;
}

// ---- 429 ------------------------------------------------------------------------------------

std::optional<porting::milliseconds> parse_retry_after(std::string_view header, std::string_view body,
                                                    porting::time_point now) {
  constexpr porting::milliseconds max_wait = 24h;
  auto from_seconds = [&](double s) -> std::optional<porting::milliseconds> {
    if (!std::isfinite(s) || s < 0) return std::nullopt;
    if (s > static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(max_wait).count()))
      return max_wait;
    return porting::milliseconds{static_cast<std::int64_t>(std::ceil(s * 1000.0))};
  };
  const std::string h = trimmed(header);
  if (!h.empty()) {
    const bool numeric =
        std::all_of(h.begin(), h.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (numeric) {
      if (auto w = from_seconds(std::strtod(h.c_str(), nullptr))) return w;
    } else if (auto at = parse_http_date(h)) {
      return std::clamp<porting::milliseconds>(*at - now, porting::milliseconds{0}, max_wait);
    }
  }
  if (auto v = ja::parse(body)) {
    if (const auto* o = v->if_object()) {
      if (auto s = ja::get_seconds(*o, {"RetryAfter", "Retry-After", "RetryAfterSeconds"})) {
        return from_seconds(*s);
      }
    }
  }
  return std::nullopt;
}

porting::milliseconds rate_limit_backoff(int consecutive_429s) {
  porting::milliseconds wait = 1s;
  for (int i = 1; i < consecutive_429s && wait < 30s; ++i) wait *= 2;
  return std::min<porting::milliseconds>(wait, 30s);
}

std::optional<porting::milliseconds> rate_limit_tracker::on_answer(const http_answer& a,
                                                                porting::time_point now) {
  if (a.status != 429) {
    consecutive_ = 0;
    return std::nullopt;
  }
  ++consecutive_;
  return parse_retry_after(a.retry_after, a.body, now).value_or(rate_limit_backoff(consecutive_));
}

// ---- classification -------------------------------------------------------------------------

namespace {

porting::api_result base(porting::call_kind call, porting::call_outcome outcome, int status) {
  porting::api_result r;
  r.call = call;
  r.outcome = outcome;
  r.http_status = status;
  return r;
}

porting::api_result unusable(porting::call_kind call, const http_answer& a, std::string message) {
  auto r = base(call, porting::call_outcome::transient, a.status);
  r.reason = "bad_response";
  r.message = std::move(message);
  r.maybe_processed = true;  // the server answered 200: it did act
  r.raw = a.body;
  return r;
}

// A 409 means "conflicts with the order's current state" (telegent-api.md): on a submission
// that is Telegent's duplicate guard; on a cancel it is a refusal to cancel (the order is final
// or already cancelled), not a duplicate.
std::string_view refusal_reason(porting::call_kind call, int status) {
  if (status == 409) {
    switch (call) {
      case porting::call_kind::submit_port_in:
      case porting::call_kind::submit_port_out: return "duplicate_order";
      case porting::call_kind::cancel: return "cancel_refused";
      default: return "conflict";
    }
  }
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 422: return "business_rule";
    default: return "client_error";
  }
}

}  // namespace

porting::api_result classify_answer(porting::call_kind call, const http_answer& a, porting::time_point now) {
  if (a.status >= 200 && a.status < 300) {
    auto f = parse_fields(a.body);
    if (!f) return unusable(call, a, "HTTP " + std::to_string(a.status) + " with a body that is not a JSON object");
    std::string missing;
    switch (call) {
      case porting::call_kind::eligibility:
        if (!f->eligible) missing = "Eligible";
        break;
      case porting::call_kind::submit_port_in:
      case porting::call_kind::submit_port_out:
        if (f->order_id.empty()) missing = "OrderId";
        break;
      case porting::call_kind::status:
        if (f->status.empty()) missing = "OrderStatus";
        break;
      case porting::call_kind::update:
      case porting::call_kind::cancel:
        break;
    }
    if (!missing.empty()) return unusable(call, a, "HTTP " + std::to_string(a.status) + " without " + missing);
    auto r = base(call, porting::call_outcome::ok, a.status);
    r.eligible = f->eligible;
    r.remote_order_id = f->order_id;
    r.remote_status = f->status;
    r.status_message = f->status_message;
    r.port_date = f->port_date;
    r.remote_number = f->phone_number;
    r.remote_type = f->order_type;
    r.raw = a.body;
    return r;
  }

  const auto problem = parse_problem(a.body);
  std::string message = problem.message();
  const std::string status_text = "HTTP " + std::to_string(a.status);
  message = message.empty() ? status_text : status_text + ": " + message;

  porting::api_result r;
  switch (a.status) {
    case 408:
      r = base(call, porting::call_outcome::transient, a.status);
      r.reason = "request_timeout";
      r.maybe_processed = true;
      break;
    case 429:
      r = base(call, porting::call_outcome::transient, a.status);
      r.reason = "rate_limited";
      r.maybe_processed = false;
      r.retry_after = parse_retry_after(a.retry_after, a.body, now);
      break;
    default:
      if (a.status >= 500 && a.status < 600) {
        r = base(call, porting::call_outcome::transient, a.status);
        r.reason = "server_error";
        r.maybe_processed = true;
      } else if (a.status >= 400 && a.status < 500) {
        r = base(call, porting::call_outcome::refused, a.status);
        r.reason = std::string(refusal_reason(call, a.status));
      } else {
        // 1xx/3xx: Telegent never sends these; what the server did is unknown.
        r = base(call, porting::call_outcome::transient, a.status);
        r.reason = "unexpected_status";
        r.maybe_processed = true;
      }
  }
  r.message = std::move(message);
  // GENS-0041 ("No Port-In request found") is Telegent's "no such order", whatever the HTTP
  // status it comes with (telegent-api.md §5): one reason for it, as for a 404.
  if (r.outcome == porting::call_outcome::refused && r.message.find("GENS-0041") != std::string::npos)
    r.reason = "not_found";
  r.raw = a.body;
  return r;
}

std::string_view to_string(failure_phase p) {
  // In the order of the enumerators (the assert catches one added at the end, not a reorder).
  static constexpr std::string_view names[] = {"resolve", "connect", "tls", "write", "read", "local"};
  static_assert(std::size(names) == static_cast<std::size_t>(failure_phase::local) + 1);
  const auto i = static_cast<std::size_t>(p);
  return i < std::size(names) ? names[i] : "?";
}

std::ostream& operator<<(std::ostream& os, failure_phase p) { return os << to_string(p); }

porting::api_result classify_failure(porting::call_kind call, const transport_failure& f) {
  auto r = base(call, porting::call_outcome::transient, 0);
  r.maybe_processed = f.sent;
  if (f.too_large) {
    r.reason = "response_too_large";
  } else if (f.timed_out) {
    r.reason = "timeout";
  } else {
    switch (f.phase) {
      case failure_phase::resolve: r.reason = "resolve_failed"; break;
      case failure_phase::connect: r.reason = "connect_failed"; break;
      case failure_phase::tls: r.reason = "tls_failed"; break;
      case failure_phase::write: r.reason = "connection_reset"; break;
      case failure_phase::read: r.reason = f.ec ? "connection_reset" : "bad_response"; break;
      case failure_phase::local: r.reason = "shutdown"; break;
    }
  }
  r.message = std::string(to_string(f.phase)) + " failed";
  if (f.timed_out) r.message += " (timed out)";
  if (f.too_large) r.message = "response larger than the configured limit";
  if (!f.detail.empty()) r.message += ": " + f.detail;
  else if (f.ec) r.message += ": " + f.ec.message();
  r.message += f.sent ? " after the request was sent" : " before the request was sent";
  return r;
}

// ---- secrets --------------------------------------------------------------------------------

void redact(std::string& text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    const std::string escaped = json::serialize(json::value(secret));
    for (const std::string& form : {secret, escaped.substr(1, escaped.size() - 2)}) {
      if (form.empty()) continue;
      std::size_t pos = 0;
      while ((pos = text.find(form, pos)) != std::string::npos) {
        text.replace(pos, form.size(), "***");
        pos += 3;
      }
    }
  }
}

void redact(porting::api_result& r, const std::vector<std::string>& secrets) {
  redact(r.message, secrets);
  redact(r.raw, secrets);
  redact(r.status_message, secrets);
}

}  // namespace portd::telegent
