// carrier: fates, scripts per dialect, lazy settling, the duplicate guard.
#include <telegent_sim/carrier.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>

namespace telegent_sim {

std::string_view to_string(dialect d) noexcept { return d == dialect::kb ? "kb" : "lifecycle"; }

std::optional<dialect> dialect_from(std::string_view s) noexcept {
  if (s == "lifecycle") return dialect::lifecycle;
  if (s == "kb") return dialect::kb;
  return std::nullopt;
}

std::string_view to_string(order_kind k) noexcept { return k == order_kind::port_out ? "portout" : "portin"; }

std::string_view to_string(port_in_fate f) noexcept {
  switch (f) {
    case port_in_fate::completes: return "completes";
    case port_in_fate::ineligible: return "ineligible";
    case port_in_fate::rejected_once: return "rejected_once";
    case port_in_fate::rejected_always: return "rejected_always";
    case port_in_fate::carrier_cancels: return "carrier_cancels";
    case port_in_fate::stuck: return "stuck";
  }
  return "?";
}

std::string_view to_string(stage s) noexcept {
  switch (s) {
    case stage::pending: return "pending";
    case stage::submitted: return "submitted";
    case stage::carrier_approval: return "carrier_approval";
    case stage::scheduled: return "scheduled";
    case stage::completed: return "completed";
    case stage::rejected: return "rejected";
    case stage::cancelled: return "cancelled";
    case stage::port_out_pending: return "port_out_pending";
    case stage::port_out_processing: return "port_out_processing";
    case stage::port_out_complete: return "port_out_complete";
    case stage::port_out_rejected: return "port_out_rejected";
  }
  return "?";
}

std::string_view to_string(dwell_distribution d) noexcept {
  switch (d) {
    case dwell_distribution::fixed: return "fixed";
    case dwell_distribution::lognormal: return "lognormal";
    case dwell_distribution::uniform: return "uniform";
  }
  return "?";
}

std::optional<dwell_distribution> dwell_distribution_from(std::string_view s) noexcept {
  for (auto d : {dwell_distribution::fixed, dwell_distribution::lognormal, dwell_distribution::uniform}) {
    if (s == to_string(d)) return d;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, dwell_distribution d) { return os << to_string(d); }
std::ostream& operator<<(std::ostream& os, dialect d) { return os << to_string(d); }
std::ostream& operator<<(std::ostream& os, order_kind k) { return os << to_string(k); }
std::ostream& operator<<(std::ostream& os, port_in_fate f) { return os << to_string(f); }
std::ostream& operator<<(std::ostream& os, stage s) { return os << to_string(s); }

std::string_view status_name(dialect d, stage s) noexcept {
  const bool kb = d == dialect::kb;
  switch (s) {
    case stage::pending: return "Pending";
    case stage::submitted: return kb ? "Pending" : "Submitted";
    case stage::carrier_approval: return kb ? "InProgress" : "Pending Carrier Approval";
    case stage::scheduled: return kb ? "InProgress" : "Scheduled";
    case stage::completed: return kb ? "Complete" : "Completed";
    case stage::rejected: return kb ? "ResolutionRequired" : "Rejected";
    case stage::cancelled: return "Cancelled";
    case stage::port_out_pending: return "Port Out Pending";
    case stage::port_out_processing: return "Port Out Processing";
    case stage::port_out_complete: return "Port Out Complete";
    case stage::port_out_rejected: return "Port Out Rejected";
  }
  return "Pending";
}

namespace {
char last_digit(std::string_view number) noexcept {
  for (auto it = number.rbegin(); it != number.rend(); ++it) {
    if (*it >= '0' && *it <= '9') return *it;
  }
  return '0';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

// splitmix64: a well-mixed 64-bit value from any 64-bit input (the draws need no more).
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A uniform in (0, 1), never 0 (its log is taken).
double unit(std::uint64_t x) noexcept { return (double(mix(x) >> 11) + 0.5) * 0x1.0p-53; }

std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// The script's steps, for the draw keys.
enum class script_step : std::uint64_t { submitted, carrier_approval, decision, completion, port_date };

std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out += char(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}
}  // namespace

port_in_fate port_in_fate_of(std::string_view number) noexcept {
  switch (last_digit(number)) {
    case '4': return port_in_fate::ineligible;
    case '5': return port_in_fate::rejected_once;
    case '6': return port_in_fate::rejected_always;
    case '7': return port_in_fate::carrier_cancels;
    case '8': return port_in_fate::stuck;
    default: return port_in_fate::completes;
  }
}

bool port_out_rejected(std::string_view number) noexcept { return last_digit(number) == '6'; }

bool is_terminal_status(std::string_view status) noexcept {
  const std::string s = squash(status);
  return s == "completed" || s == "complete" || s == "cancelled" || s == "canceled" || s == "portoutcomplete" ||
         s == "portoutrejected";
}

std::chrono::microseconds draw_delay(std::chrono::seconds median, dwell_distribution d, double spread,
                                     std::uint64_t key) noexcept {
  const double m = double(std::chrono::microseconds{median}.count());
  double factor = 1;
  switch (d) {
    case dwell_distribution::fixed: break;
    case dwell_distribution::lognormal: {  // Box-Muller from two uniforms of the key
      const double z = std::sqrt(-2 * std::log(unit(key))) * std::cos(2 * std::numbers::pi * unit(key ^ 0x5bd1e995));
      factor = std::exp(spread * z);
      break;
    }
    case dwell_distribution::uniform: factor = 1 + spread * (2 * unit(key) - 1); break;
  }
  return std::chrono::microseconds{std::max<std::int64_t>(0, std::llround(m * factor))};
}

carrier::carrier(const sim_clock& clock, dialect d, carrier_delays delays)
    : clock_(clock), dialect_(d), delays_(delays), model_{carrier_profile{delays}, {}, {}} {}

carrier::carrier(const sim_clock& clock, dialect d, dwell_model model, std::uint64_t seed)
    : clock_(clock), dialect_(d), delays_(model.standard.delays), model_(std::move(model)), seed_(seed) {}

const carrier_profile& carrier::profile_of(std::string_view carrier_name) const {
  const auto it = model_.carriers.find(lower(carrier_name));
  return it == model_.carriers.end() ? model_.standard : it->second;
}

double carrier::factor_at(std::string_view carrier_name, sim_time entered) const {
  double f = 1;
  const std::string name = lower(carrier_name);
  for (const auto& c : model_.changes) {
    if ((c.carrier == "*" || lower(c.carrier) == name) && clock_.origin() + c.at <= entered) f *= c.factor;
  }
  return f;
}

bool carrier::eligible(std::string_view number) const noexcept {
  return port_in_fate_of(number) != port_in_fate::ineligible;
}

void carrier::restart_port_in(order& o, sim_time from) {
  o.status = std::string(status_name(dialect_, stage::pending));
  o.message.clear();
  o.open = true;
  o.script.clear();
  o.next_step = 0;
  o.current_flip.reset();

  std::string last = o.status;
  auto step = [&](sim_time at, stage s, std::string_view message = {}) {
    const std::string name(status_name(dialect_, s));
    if (name == last) return;  // kb folds several lifecycle stages into one status
    last = name;
    const bool terminal = s == stage::completed || s == stage::cancelled;
    o.script.push_back({at, name, std::string(message), !terminal, s == stage::rejected});
  };

  // Each delay is drawn when the script is made, with the factor in effect when the order
  // enters the state the step leaves; keyed by number and attempt, not by OrderId, so every
  // simulator with this seed plays a number the same way.
  const carrier_profile& p = profile_of(o.carrier);
  const std::uint64_t order_key = mix(seed_ ^ fnv1a(o.number)) ^ (std::uint64_t(o.attempts) << 8);
  auto delay = [&](script_step which, std::chrono::seconds median, sim_time entered) {
    const double f = factor_at(o.carrier, entered);
    const auto scaled = std::chrono::seconds{std::llround(double(median.count()) * f)};
    return draw_delay(scaled, p.distribution, p.spread, mix(order_key + std::uint64_t(which)));
  };
  const sim_time submitted = from + delay(script_step::submitted, p.delays.submitted, from);
  const sim_time approval = submitted + delay(script_step::carrier_approval, p.delays.carrier_approval, submitted);
  const sim_time decision = approval + delay(script_step::decision, p.delays.scheduled, approval);
  step(submitted, stage::submitted);
  step(approval, stage::carrier_approval);
  switch (o.fate) {
    case port_in_fate::stuck:
      return;
    case port_in_fate::carrier_cancels:
      step(decision, stage::cancelled, carrier_cancel_message);
      return;
    case port_in_fate::rejected_always:
      step(decision, stage::rejected, rejection_message);
      return;
    case port_in_fate::rejected_once:
      if (o.rejections == 0) {
        step(decision, stage::rejected, rejection_message);
        return;
      }
      break;
    case port_in_fate::completes:
    case port_in_fate::ineligible:
      break;
  }
  step(decision, stage::scheduled);
  sim_time complete = decision + delay(script_step::completion, p.delays.completed, decision);
  if (o.port_in_date) {
    // A requested date is honoured: the port_date delay after its start (UTC), or after
    // Scheduled (one second at least) when that is later.
    const sim_time day = as_sim(std::chrono::sys_time<std::chrono::microseconds>{*o.port_in_date});
    const sim_time from_day = std::max(day, decision + std::chrono::seconds{1});
    complete = from_day + delay(script_step::port_date, p.delays.port_date, from_day);
  }
  step(complete, stage::completed);
}

void carrier::settle(order& o, real_time now) {
  const sim_time sim_now = clock_.to_sim(now);
  while (o.next_step < o.script.size() && o.script[o.next_step].at <= sim_now) {
    const scripted_step& s = o.script[o.next_step++];
    o.status = s.status;
    o.message = s.message;
    o.open = s.open;
    if (s.rejection) ++o.rejections;
    o.flips.push_back({s.status, s.message, std::min(clock_.to_real(s.at), now), std::nullopt});
    o.current_flip = o.flips.size() - 1;
  }
}

order* carrier::find(std::string_view account, std::string_view id) {
  const auto it = orders_.find(id);
  if (it == orders_.end() || it->second.account != account) return nullptr;
  return &it->second;
}

result<const order*> carrier::submit_port_in(port_in_request req, std::string id, real_time now) {
  if (!eligible(req.number)) return sim_errc::ineligible;
  if (const auto it = by_number_.find(req.number); it != by_number_.end()) {
    for (const auto& other_id : it->second) {
      order& other = orders_.at(other_id);
      settle(other, now);
      if (other.kind == order_kind::port_in && other.open) return sim_errc::duplicate_port_in;
    }
  }
  order o;
  o.id = id;
  o.account = std::move(req.account);
  o.kind = order_kind::port_in;
  o.number = req.number;
  o.iccid = std::move(req.iccid);
  o.created_real = now;
  o.created_sim = clock_.to_sim(now);
  o.fate = port_in_fate_of(o.number);
  o.port_in_date = req.port_in_date;
  o.carrier = std::move(req.carrier);
  o.attempts = 1;
  restart_port_in(o, o.created_sim);
  by_number_[o.number].push_back(id);
  return &orders_.insert_or_assign(id, std::move(o)).first->second;
}

result<const order*> carrier::submit_port_out(std::string account, std::string number, std::string id,
                                              real_time now) {
  order o;
  o.id = id;
  o.account = std::move(account);
  o.kind = order_kind::port_out;
  o.number = std::move(number);
  o.created_real = now;
  o.created_sim = clock_.to_sim(now);
  o.status = std::string(status_name(dialect_, stage::port_out_pending));
  const sim_time processing = o.created_sim + delays_.submitted;
  if (port_out_rejected(o.number)) {
    o.script.push_back({processing, std::string(status_name(dialect_, stage::port_out_rejected)),
                        std::string(port_out_reject_message), false, true});
  } else {
    o.script.push_back({processing, std::string(status_name(dialect_, stage::port_out_processing)), "", true, false});
    o.script.push_back({processing + delays_.carrier_approval,
                        std::string(status_name(dialect_, stage::port_out_complete)), "", false, false});
  }
  by_number_[o.number].push_back(id);
  return &orders_.insert_or_assign(id, std::move(o)).first->second;
}

result<const order*> carrier::update(std::string_view account, std::string_view id,
                                     std::optional<std::chrono::sys_days> port_in_date, real_time now) {
  order* o = find(account, id);
  if (o == nullptr || o->kind != order_kind::port_in) return sim_errc::order_not_found;
  settle(*o, now);
  if (!o->open) return sim_errc::order_not_open;
  if (port_in_date) o->port_in_date = port_in_date;
  ++o->attempts;
  restart_port_in(*o, clock_.to_sim(now));
  return o;
}

result<const order*> carrier::cancel(std::string_view account, std::string_view id, real_time now) {
  order* o = find(account, id);
  if (o == nullptr) return sim_errc::order_not_found;
  settle(*o, now);
  const std::string cancelled(status_name(dialect_, stage::cancelled));
  if (o->status == cancelled) return o;
  if (!o->open) return sim_errc::order_not_open;
  o->status = cancelled;
  o->message.clear();
  o->open = false;
  o->script.clear();
  o->next_step = 0;
  o->current_flip.reset();  // the client's own doing, not a carrier flip
  return o;
}

result<const order*> carrier::observe(std::string_view account, std::string_view id, real_time now) {
  order* o = find(account, id);
  if (o == nullptr) return sim_errc::order_not_found;
  settle(*o, now);
  return o;
}

void carrier::mark_observed(std::string_view id, real_time now) {
  const auto it = orders_.find(id);
  if (it == orders_.end() || !it->second.current_flip) return;
  auto& seen = it->second.flips[*it->second.current_flip].observed_at;
  if (!seen) seen = now;
}

result<const order*> carrier::force(std::string_view id, std::string status, std::string message, real_time now) {
  const auto it = orders_.find(id);
  if (it == orders_.end()) return sim_errc::order_not_found;
  order& o = it->second;
  settle(o, now);
  o.open = !is_terminal_status(status);
  o.status = std::move(status);
  o.message = std::move(message);
  o.script.clear();
  o.next_step = 0;
  o.flips.push_back({o.status, o.message, now, std::nullopt});
  o.current_flip = o.flips.size() - 1;
  return &o;
}

void carrier::settle_all(real_time now) {
  for (auto& [id, o] : orders_) settle(o, now);
}

void carrier::clear() {
  orders_.clear();
  by_number_.clear();
}

}  // namespace telegent_sim
