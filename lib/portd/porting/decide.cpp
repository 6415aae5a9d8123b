// The order state machine (DESIGN.md §4): every input in every state, as a pure function.
#include <portd/porting/decide.hpp>
#include <portd/porting/status.hpp>

#include <algorithm>
#include <string>

namespace portd::porting {
namespace {

const std::string telegent_actor = "telegent";
const std::string unknown_status_prefix = "Telegent reports a status portd does not know: \"";
const std::string poll_refused_prefix = "status poll refused: ";
const std::string daemon_actor = "daemon";

std::string describe(const api_result& r) {
  std::string s = r.reason.empty() ? std::string(to_string(r.outcome)) : r.reason;
  if (r.http_status != 0) s += " (HTTP " + std::to_string(r.http_status) + ")";
  if (!r.message.empty()) s += ": " + r.message;
  return s;
}

std::string call_name(call_kind k) {
  switch (k) {
    case call_kind::eligibility: return "eligibility check";
    case call_kind::submit_port_in: return "port-in submission";
    case call_kind::submit_port_out: return "port-out PIN submission";
    case call_kind::update: return "update";
    case call_kind::cancel: return "cancel";
    case call_kind::status: return "status poll";
  }
  return "call";
}

std::string seconds_text(milliseconds d) {
  const auto tenths = (d.count() + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

// Builds one decision; the helpers below keep every change and its history entry together.
class machine {
 public:
  machine(const order& cur, time_point now, const policy& pol) : cur_(cur), now_(now), pol_(pol) {
    d_.next = cur;
  }

  decision finish() && {
    order& n = d_.next;
    // Sub-states that only mean something with their state or flag.
    if (n.submit == submit_certainty::known) n.ambiguous_since.reset();
    if (n.state != order_state::cancelling && n.pending == pending_intent::settle) n.pending = pending_intent::none;
    d_.modified = !(n == cur_);
    if (d_.changed()) n.updated_at = now_;
    // A new call has not left yet; with no call out there is nothing to have left.
    if (d_.call || !n.in_flight) n.request_sent = false;
    if (d_.call) {
      n.in_flight = d_.call;
      n.next_check_at.reset();
      d_.wake_at.reset();
    } else if (d_.wake_at) {
      n.next_check_at = d_.wake_at;
    }
    if (is_terminal(n.state)) {
      n.next_check_at.reset();
      d_.wake_at.reset();
    }
    d_.priority = guarded_resend(n)                                              ? call_priority::guarded
                  : d_.call && (is_command_call(*d_.call) || operator_poll_) ? call_priority::command
                                                                              : call_priority::poll;
    d_.durable = d_.created || !d_.events.empty() || (d_.call && is_command_call(*d_.call));
    d_.poll_only = d_.call == call_kind::status && d_.priority == call_priority::poll && d_.events.empty() &&
                   !d_.created && only_poll_bookkeeping(n);
    return std::move(d_);
  }

  decision refuse(refusal_kind k, std::string message, std::string field = {}) && {
    decision d;
    d.next = cur_;
    d.refused = refusal{k, std::move(message), std::move(field)};
    return d;
  }

  // An operator asked for this poll (order.poll): it goes at command priority.
  void operator_poll() { operator_poll_ = true; }

  // A new order's first record, order.created.
  void created(const std::string& actor) {
    event_record e;
    e.type = event_type::created;
    e.actor = actor;
    e.message = std::string(cur_.kind == order_kind::port_in ? "port-in" : "port-out") + " of " + cur_.number +
                " received";
    d_.created = std::move(e);
  }

  order& next() { return d_.next; }
  const order& cur() const { return cur_; }
  time_point now() const { return now_; }
  const policy& pol() const { return pol_; }

  void record(event_type t, const std::string& actor, std::string message, std::string raw = {}) {
    event_record e;
    e.type = t;
    e.from_state = cur_state_for_event_;
    e.to_state = d_.next.state;
    if (t != event_type::state_changed) e.from_state = d_.next.state;
    e.remote_status = d_.next.remote_status;
    e.actor = actor;
    e.message = std::move(message);
    e.raw = std::move(raw);
    d_.events.push_back(std::move(e));
  }

  // Moves to `to` (if different) with one state_changed entry; applies the rules that hang on
  // states: attention for operator states, secrets purged and intents dropped at the end.
  void enter(order_state to, const std::string& actor, std::string message, std::string raw = {}) {
    order& n = d_.next;
    if (n.state == to) return;
    cur_state_for_event_ = n.state;
    n.state = to;
    n.state_since = now_;
    n.attempts = 0;
    if (needs_operator(to)) {
      n.attention = attention_kind::operator_state;
      n.attention_reason = message;
    } else {
      n.attention = attention_kind::none;
      n.attention_reason.clear();
    }
    if (is_terminal(to)) {
      n.secrets = order_secrets{};  // rule 5
      n.in_flight.reset();
      n.pending = pending_intent::none;
      n.submit = submit_certainty::known;
      n.attention = attention_kind::none;
      n.attention_reason.clear();
    }
    record(event_type::state_changed, actor, std::move(message), std::move(raw));
  }

  // Raises needs_attention with a history entry, once per distinct reason.
  void attention(attention_kind kind, const std::string& reason, const std::string& actor) {
    order& n = d_.next;
    if (n.attention == kind && n.attention_reason == reason) return;
    n.attention = kind;
    n.attention_reason = reason;
    record(event_type::needs_attention, actor, reason);
  }

  void call(call_kind k) { d_.call = k; }
  void wake(time_point t) { d_.wake_at = t; }
  bool calling() const { return d_.call.has_value(); }
  bool waking() const { return d_.wake_at.has_value(); }

  void schedule_poll() {
    if (is_polled(d_.next.state) || d_.next.state == order_state::cancelling)
      wake(next_poll_at(d_.next, now_, pol_.poll));
  }

 private:
  // `n` differs from the order given only in what starting a poll changes.
  bool only_poll_bookkeeping(const order& n) const {
    order b = n;
    b.in_flight = cur_.in_flight;
    b.updated_at = cur_.updated_at;
    b.next_check_at = cur_.next_check_at;
    return b == cur_;
  }

  const order& cur_;
  time_point now_;
  const policy& pol_;
  decision d_;
  order_state cur_state_for_event_ = order_state::received;
  bool operator_poll_ = false;
};

call_kind submit_call(const order& o) {
  return o.kind == order_kind::port_in ? call_kind::submit_port_in : call_kind::submit_port_out;
}
order_state submitting_state(const order& o) {
  return o.kind == order_kind::port_in ? order_state::submitting : order_state::issuing_pin;
}

// A 404, or GENS-0041 ("No Port-In request found"): Telegent does not know the order.
bool unknown_at_telegent(const api_result& r) {
  return r.http_status == 404 || r.reason == "not_found" || r.message.find("GENS-0041") != std::string::npos;
}

void unknown_order(machine& m, const api_result& r) {
  m.enter(order_state::failed, telegent_actor,
          "Telegent does not know order " + m.next().remote_order_id + " (" + describe(r) +
              "): ask Telegent support about the number, then close the order here (order.close) "
              "or resolve what they say",
          r.raw);
}

// The first submission that may have reached Telegent is older than the resend window: the
// duplicate guard may no longer cover it (the first order may have completed), so a resend
// could port the number twice.
bool resend_too_late(machine& m) {
  const order& n = m.next();
  return n.submit == submit_certainty::ambiguous && n.ambiguous_since &&
         m.now() - *n.ambiguous_since > m.pol().resend_window;
}

void late_resend_to_operator(machine& m) {
  m.next().next_check_at.reset();  // nothing is due until an operator acts
  m.enter(order_state::submit_unknown, daemon_actor,
          "an earlier submission may have reached Telegent at " + format_time(*m.next().ambiguous_since) +
              ", longer ago than the resend window: Telegent's duplicate guard may no longer cover it, so "
              "portd does not resend; resolve with the OrderId or resubmit");
}

// The next step of an order that has no call in flight. Cancel wins over a pending update.
void advance(machine& m) {
  order& n = m.next();
  if (is_terminal(n.state) || n.in_flight || m.calling()) return;
  // In submit_unknown a requested cancel waits for the operator: Telegent may hold an order
  // that only its OrderId can cancel (resolve adopts it, and the cancel then goes out).
  if (n.pending == pending_intent::cancel && n.state != order_state::submit_unknown) {
    if (n.remote_order_id.empty() && n.submit == submit_certainty::ambiguous) {
      // An earlier submit may have created an order that only its OrderId can cancel (rule
      // 3): a local cancel would leave it running unseen. The operator decides.
      m.enter(order_state::submit_unknown, daemon_actor,
              "cancel requested while an earlier submission may have reached Telegent: resolve "
              "with its OrderId to cancel it there, or cancel again to drop the order locally");
      return;
    }
    n.pending = pending_intent::none;
    n.attempts = 0;  // a new call: earlier failures were another call's
    if (n.remote_order_id.empty()) {
      m.enter(order_state::cancelled, daemon_actor,
              "cancelled before anything reached Telegent" +
                  (n.cancel_reason.empty() ? std::string{} : ": " + n.cancel_reason));
      return;
    }
    m.enter(order_state::cancelling, daemon_actor, "sending the cancel to Telegent");
    m.call(call_kind::cancel);
    return;
  }
  switch (n.state) {
    case order_state::received:
      if (n.kind == order_kind::port_out) {
        m.enter(order_state::issuing_pin, daemon_actor, "issuing the port-out PIN to Telegent");
        m.call(call_kind::submit_port_out);
      } else if (n.skip_eligibility) {
        m.enter(order_state::submitting, daemon_actor, "submitting to Telegent (eligibility check skipped)");
        m.call(call_kind::submit_port_in);
      } else {
        m.enter(order_state::checking_eligibility, daemon_actor, "checking eligibility with Telegent");
        m.call(call_kind::eligibility);
      }
      return;
    case order_state::checking_eligibility: m.call(call_kind::eligibility); return;
    case order_state::submitting:
    case order_state::issuing_pin:
      if (resend_too_late(m)) {
        late_resend_to_operator(m);
        return;
      }
      m.call(submit_call(n));
      return;
    case order_state::cancelling:
      // After a refused cancel we only check the status to settle; otherwise (including a
      // cancel that keeps failing transiently, which also raises attention) the cancel is
      // (re)sent.
      m.call(n.pending == pending_intent::settle ? call_kind::status : call_kind::cancel);
      return;
    case order_state::submitted:
    case order_state::carrier_approval:
    case order_state::scheduled:
    case order_state::rejected:
      // The update call carries the details as they are now; a correction that arrives while
      // it is out makes the update pending again and is sent after it.
      if (n.pending == pending_intent::update) {
        n.pending = pending_intent::none;
        m.call(call_kind::update);
      } else {
        m.call(call_kind::status);
      }
      return;
    default: return;  // submit_unknown, failed: waiting for an operator
  }
}

// After a call returned and was handled: start what is pending, or schedule the next poll.
void follow_up(machine& m) {
  order& n = m.next();
  if (is_terminal(n.state) || m.calling()) return;
  if (n.pending == pending_intent::cancel && n.state != order_state::submit_unknown) {
    advance(m);  // cancel wins over everything else (rule 2)
    return;
  }
  // A handler that chose when to act again (a retry's backoff, a 429's Retry-After, the first
  // poll soon after submit) keeps its time: the state's cadence must not override it.
  if (m.waking()) return;
  if ((n.pending == pending_intent::update && is_polled(n.state)) ||
      (n.state == order_state::cancelling && n.pending != pending_intent::settle)) {
    advance(m);  // a correction or a cancel still to be sent goes before any poll
    return;
  }
  m.schedule_poll();
}

void apply_patch(order& n, const order_patch& p, std::vector<std::string>& fields) {
  auto set = [&](std::optional<std::string> const& v, std::string& dst, const char* name) {
    if (v) { dst = *v; fields.emplace_back(name); }
  };
  set(p.carrier, n.details.carrier, "carrier");
  set(p.account_number, n.details.account_number, "account_number");
  set(p.account_pin, n.secrets.account_pin, "account_pin");
  set(p.subscriber_name, n.details.subscriber_name, "subscriber_name");
  set(p.iccid, n.details.iccid, "iccid");
  set(p.classification, n.details.classification, "classification");
  set(p.port_in_date, n.details.port_in_date, "port_in_date");
  if (p.billing_address) {
    n.details.billing_address = *p.billing_address;
    fields.emplace_back("billing_address");
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// ---- API results ----------------------------------------------------------------------------

void observe_status(machine& m, const api_result& r) {
  order& n = m.next();
  const bool status_changed = !r.remote_status.empty() && r.remote_status != n.remote_status;
  if (status_changed || (!r.status_message.empty() && r.status_message != n.remote_message)) {
    n.remote_status = r.remote_status.empty() ? n.remote_status : r.remote_status;
    n.remote_message = r.status_message;
    if (status_changed)
      m.record(event_type::remote_status_changed, telegent_actor,
               "Telegent reports \"" + n.remote_status + "\"" +
                   (r.status_message.empty() ? std::string{} : ": " + r.status_message),
               r.raw);
  }
  if (!r.port_date.empty() && r.port_date != n.reported_port_date) {
    const std::string before = n.reported_port_date.empty() ? n.details.port_in_date : n.reported_port_date;
    n.reported_port_date = r.port_date;
    if (r.port_date != before)
      m.record(event_type::port_date_changed, telegent_actor,
               "port date " + (before.empty() ? std::string("set to ") : "changed from " + before + " to ") +
                   r.port_date);
  }
  if (r.remote_status.empty()) return;
  const status_meaning meaning = interpret_status(r.remote_status, n.kind);
  if (meaning.what == status_meaning::kind::unknown) {
    m.attention(attention_kind::unknown_status, unknown_status_prefix + r.remote_status + "\"", telegent_actor);
    return;
  }
  if (meaning.what == status_meaning::kind::acknowledgement) return;
  order_state to = meaning.state;
  // A rejected port-out is final at Telegent: the gaining carrier starts over with a fresh PIN
  // (a new port-out order), and nothing portd could send changes it.
  if (to == order_state::rejected && n.kind == order_kind::port_out) to = order_state::port_out_rejected;
  const std::string why = r.status_message.empty() ? "Telegent reports \"" + r.remote_status + "\""
                                                   : r.status_message;
  if (n.state == order_state::cancelling && n.pending != pending_intent::settle) {
    // Waiting for a cancel: only an end state settles it.
    if (to == order_state::cancelled) m.enter(order_state::cancelled, telegent_actor, "cancelled at Telegent");
    else if (to == order_state::completed)
      m.enter(order_state::completed, telegent_actor, "completed before the cancel could take effect");
    else if (to == order_state::port_out_rejected)
      m.enter(to, telegent_actor, "the port-out was rejected before the cancel could take effect: " + why, r.raw);
    return;
  }
  if (n.state == order_state::cancelling) {
    // Telegent refused the cancel: this one status check settles the order on what Telegent
    // reports. An order still open there goes on, with the refusal for an operator to see.
    const std::string refusal = n.attention_reason;
    m.enter(to, telegent_actor, "Telegent refused the cancel and reports \"" + r.remote_status + "\"" +
                                    (r.status_message.empty() ? std::string{} : ": " + r.status_message),
            r.raw);
    if (!is_terminal(to) && !needs_operator(to))
      m.attention(attention_kind::cancel_refused,
                  refusal.empty() ? "Telegent refused the cancel; the order goes on there" : refusal + "; the order goes on there",
                  telegent_actor);
  } else if (to != n.state) {
    m.enter(to, telegent_actor, why, r.raw);
  } else if (!needs_operator(n.state) &&
             (n.attention == attention_kind::unknown_status || n.attention == attention_kind::poll_refused)) {
    // A good poll after an unknown status or a refused poll: that alarm is over (a stale
    // alarm is not: only a change of state ends it).
    n.attention = attention_kind::none;
    n.attention_reason.clear();
  }
}

// Stale-order alarm: raised once per state (the reason names the state's start), cleared by
// the next state change like any other attention.
void check_stale(machine& m) {
  order& n = m.next();
  if (n.needs_attention() || !is_polled(n.state) || n.state == order_state::rejected) return;
  const std::string why = stale_reason(n, m.now(), m.pol().stale);
  if (!why.empty()) m.attention(attention_kind::stale, why, daemon_actor);
}

// After a port-out rejection: the order has ended, and an operator is told why (the carrier's
// reason), and that a new port-out for the number is accepted.
void port_out_rejected_attention(machine& m, const std::string& why) {
  if (m.next().state != order_state::port_out_rejected) return;
  m.record(event_type::needs_attention, telegent_actor,
           "Telegent rejected the port-out (" + why +
               "): final at Telegent; the gaining carrier must start over with a fresh PIN, and a new "
               "port-out for this number is accepted");
}

void on_ok(machine& m, const api_result& r) {
  order& n = m.next();
  n.attempts = 0;
  n.last_error.reset();
  switch (r.call) {
    case call_kind::eligibility:
      if (r.eligible.value_or(false)) {
        if (n.pending == pending_intent::cancel) return;  // follow_up cancels locally
        m.enter(order_state::submitting, telegent_actor,
                "eligible" + (r.status_message.empty() ? std::string{} : ": " + r.status_message) +
                    "; submitting",
                r.raw);
        m.call(call_kind::submit_port_in);
      } else {
        m.enter(order_state::ineligible, telegent_actor,
                r.status_message.empty() ? "Telegent says the number cannot be ported in"
                                         : r.status_message,
                r.raw);
      }
      return;
    case call_kind::submit_port_in:
    case call_kind::submit_port_out:
      n.remote_order_id = r.remote_order_id;
      n.remote_status = r.remote_status;
      n.submit = submit_certainty::known;
      m.enter(order_state::submitted, telegent_actor,
              "Telegent accepted the order as " + r.remote_order_id +
                  (r.remote_status.empty() ? std::string{} : " (" + r.remote_status + ")"),
              r.raw);
      if (n.pending == pending_intent::none)
        m.wake(m.now() + m.pol().poll.first_after_submit);
      return;
    case call_kind::update:
      // The update stays pending if another correction arrived while this one was out.
      if (!r.remote_status.empty()) n.remote_status = r.remote_status;
      m.record(event_type::updated, telegent_actor, "Telegent accepted the correction", r.raw);
      if (n.state != order_state::cancelling && n.state != order_state::submitted)
        m.enter(order_state::submitted, telegent_actor, "correction sent; the losing carrier reviews it again");
      if (n.pending == pending_intent::none) m.wake(m.now() + m.pol().poll.first_after_submit);
      return;
    case call_kind::cancel:
      if (!r.remote_status.empty()) n.remote_status = r.remote_status;
      m.enter(order_state::cancelled, telegent_actor,
              "Telegent cancelled the order" + (n.cancel_reason.empty() ? std::string{} : ": " + n.cancel_reason),
              r.raw);
      return;
    case call_kind::status: {
      const order_state before = n.state;
      observe_status(m, r);
      if (before != n.state)
        port_out_rejected_attention(m, r.status_message.empty() ? r.remote_status : r.status_message);
      check_stale(m);
      return;
    }
  }
}

void on_transient(machine& m, const api_result& r) {
  order& n = m.next();
  n.attempts += 1;
  n.last_error = error_info{r.reason.empty() ? "transient_error" : r.reason, r.message, m.now()};
  const bool ambiguous_submit = r.maybe_processed && (r.call == call_kind::submit_port_in ||
                                                      r.call == call_kind::submit_port_out);
  if (r.call == call_kind::status) {
    // Polls are never given up on: back off, but never wait longer than the cadence.
    const auto retry = m.now() + std::max(m.pol().retry.next_delay(n.attempts, static_cast<std::uint64_t>(n.id)),
                                          r.retry_after.value_or(milliseconds{0}));
    const auto cadence = next_poll_at(n, m.now(), m.pol().poll);
    if (n.attempts == 1)
      m.record(event_type::error, telegent_actor, "status poll failed: " + describe(r) + "; will retry");
    check_stale(m);  // an API that keeps failing must not hide a stuck order
    if (n.pending == pending_intent::cancel || (n.pending == pending_intent::update && is_polled(n.state))) {
      n.attempts = 0;  // the poll's failures are not the command's
      advance(m);      // a pending command goes first; it has its own retries
      return;
    }
    // An order.poll of a failed order: nothing is polled in that state, so no retry either.
    if (!is_polled(n.state) && n.state != order_state::cancelling) return;
    m.wake(std::max(std::min(retry, cadence), m.now() + r.retry_after.value_or(milliseconds{0})));
    return;
  }
  if (ambiguous_submit && n.kind == order_kind::port_out) {
    // No duplicate guard protects a port-out resend (rule 3): an operator decides.
    m.enter(order_state::submit_unknown, daemon_actor,
            "the port-out submission may have reached Telegent (" + describe(r) +
                "); resolve with the OrderId or resubmit");
    return;
  }
  if (ambiguous_submit && n.submit == submit_certainty::known) {
    n.submit = submit_certainty::ambiguous;
    n.ambiguous_since = m.now();  // the first attempt left no later than this
  }
  if (r.call == call_kind::submit_port_in && n.pending == pending_intent::cancel &&
      n.submit == submit_certainty::ambiguous) {
    m.enter(order_state::submit_unknown, daemon_actor,
            "cancel requested while a submission may have reached Telegent (" + describe(r) +
                "); resolve with the OrderId to cancel it");
    return;
  }
  if (n.pending == pending_intent::cancel && r.call != call_kind::cancel) {
    advance(m);  // nothing (more) was created: cancel now
    return;
  }
  if (r.call == call_kind::update) n.pending = pending_intent::update;  // the correction is still to be sent
  if (n.attempts >= m.pol().retry.max_attempts_command && r.call != call_kind::cancel) {
    const std::string why = call_name(r.call) + " gave up after " + std::to_string(n.attempts) +
                            " attempts: " + describe(r);
    if (n.submit == submit_certainty::ambiguous && r.call == call_kind::submit_port_in)
      m.enter(order_state::submit_unknown, daemon_actor, why + "; an earlier attempt may have created an order");
    else
      m.enter(order_state::failed, daemon_actor, why);
    return;
  }
  const milliseconds delay = std::max(m.pol().retry.next_delay(n.attempts, static_cast<std::uint64_t>(n.id)),
                                      r.retry_after.value_or(milliseconds{0}));
  m.record(event_type::error, telegent_actor,
           call_name(r.call) + " failed: " + describe(r) + "; retrying in " + seconds_text(delay));
  if (r.call == call_kind::cancel && n.attempts >= m.pol().retry.max_attempts_command)
    m.attention(attention_kind::cancel_failing, "the cancel keeps failing: " + describe(r), daemon_actor);
  m.wake(m.now() + delay);
}

void on_refused(machine& m, const api_result& r) {
  order& n = m.next();
  n.attempts = 0;
  n.last_error = error_info{r.reason.empty() ? "refused" : r.reason, r.message, m.now()};
  switch (r.call) {
    case call_kind::eligibility:
      if (n.pending == pending_intent::cancel) return;
      m.enter(order_state::failed, telegent_actor, "eligibility check refused: " + describe(r), r.raw);
      return;
    case call_kind::submit_port_in:
    case call_kind::submit_port_out:
      if (r.reason == "duplicate_order" && n.submit == submit_certainty::ambiguous) {
        n.pending = pending_intent::none;  // a requested cancel needs the OrderId: the operator decides
        m.enter(order_state::submit_unknown, telegent_actor,
                "Telegent refused the resubmission as a duplicate, so an earlier attempt created an "
                "order portd never heard of: adopt its OrderId (order.resolve) or cancel",
                r.raw);
        return;
      }
      if (n.pending == pending_intent::cancel) return;  // nothing was created: follow_up cancels locally
      m.enter(order_state::failed, telegent_actor,
              (r.reason == "duplicate_order"
                   ? "Telegent already holds an active port-in for this number that this order did not create: "
                   : call_name(r.call) + " refused: ") +
                  describe(r),
              r.raw);
      return;
    case call_kind::update:
      if (n.pending == pending_intent::update) n.pending = pending_intent::none;
      if (n.pending == pending_intent::cancel) return;
      m.enter(order_state::failed, telegent_actor, "update refused: " + describe(r), r.raw);
      return;
    case call_kind::cancel:
      if (unknown_at_telegent(r)) {
        unknown_order(m, r);
        return;
      }
      // Refused (409: final already, or another conflict): one status check settles it.
      n.pending = pending_intent::settle;
      m.attention(attention_kind::cancel_refused, "Telegent refused the cancel: " + describe(r), telegent_actor);
      m.call(call_kind::status);
      return;
    case call_kind::status:
      if (n.pending == pending_intent::settle) {  // the check after a refused cancel: it cannot settle
        if (unknown_at_telegent(r))
          unknown_order(m, r);
        else
          m.enter(order_state::failed, telegent_actor,
                  "Telegent refused the cancel and then the status check (" + describe(r) +
                      "): an operator decides (ask Telegent support; order.close ends it here)",
                  r.raw);
        return;
      }
      m.attention(attention_kind::poll_refused, poll_refused_prefix + describe(r), telegent_actor);
      return;
  }
}

// ---- commands -------------------------------------------------------------------------------

bool update_allowed(order_state s) {
  switch (s) {
    case order_state::received:
    case order_state::submitted:
    case order_state::carrier_approval:
    case order_state::scheduled:
    case order_state::rejected:
    case order_state::failed: return true;
    default: return false;
  }
}

std::string state_text(order_state s) { return std::string(to_string(s)); }

}  // namespace

decision decide(const order& current, const input& in, time_point now, const policy& pol) {
  machine m(current, now, pol);
  order& n = m.next();

  if (const auto* r = std::get_if<api_result>(&in)) {
    // A result for a call that is no longer out (the order was cancelled locally meanwhile,
    // or a restart intervened) changes nothing.
    if (!current.in_flight || *current.in_flight != r->call) return std::move(m).finish();
    n.in_flight.reset();
    switch (r->outcome) {
      case call_outcome::ok: on_ok(m, *r); break;
      case call_outcome::transient: on_transient(m, *r); break;
      case call_outcome::refused: on_refused(m, *r); break;
    }
    follow_up(m);
    return std::move(m).finish();
  }

  if (const auto* s = std::get_if<start>(&in)) {
    m.created(s->actor);
    if (current.state == order_state::received) advance(m);
    return std::move(m).finish();
  }

  if (std::holds_alternative<timer_fired>(in)) {
    if (!current.in_flight && !is_terminal(current.state)) advance(m);
    return std::move(m).finish();
  }

  if (std::holds_alternative<recovered>(in)) {
    if (is_terminal(current.state)) return std::move(m).finish();
    if (current.in_flight) {
      const call_kind lost = *current.in_flight;
      n.in_flight.reset();
      if ((lost == call_kind::submit_port_in || lost == call_kind::submit_port_out) && !current.request_sent) {
        // The submission was still waiting (for the budget, a token, its turn): this attempt
        // reached nobody, so it is simply made again; nothing becomes ambiguous.
        advance(m);
        return std::move(m).finish();
      }
      if (lost == call_kind::submit_port_out) {
        m.enter(order_state::submit_unknown, daemon_actor,
                "portd restarted while the port-out submission was in flight; it may have reached "
                "Telegent: resolve with the OrderId or resubmit");
        return std::move(m).finish();
      }
      if (lost == call_kind::submit_port_in && n.submit == submit_certainty::known) {
        n.submit = submit_certainty::ambiguous;  // rule 3: only the duplicate guard makes the resend safe
        // The request left after the order's last write (its send mark), perhaps long ago.
        n.ambiguous_since = current.updated_at;
        if (resend_too_late(m)) {
          late_resend_to_operator(m);
          return std::move(m).finish();
        }
        m.record(event_type::error, daemon_actor,
                 "portd restarted while the submission was in flight; resubmitting under Telegent's "
                 "duplicate guard");
      }
      if (lost == call_kind::submit_port_in) {
        if (resend_too_late(m)) {
          late_resend_to_operator(m);
          return std::move(m).finish();
        }
        m.call(call_kind::submit_port_in);
        return std::move(m).finish();
      }
      // Read-only or idempotent calls are simply redone; advance() picks what is due, a
      // pending cancel first.
      if (lost == call_kind::update && n.pending != pending_intent::cancel) n.pending = pending_intent::update;
      advance(m);
      return std::move(m).finish();
    }
    if (current.state == order_state::received) {
      advance(m);
    } else if (current.next_check_at) {
      m.wake(std::max(*current.next_check_at, now));
    } else {
      advance(m);
    }
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_update>(&in)) {
    if (current.kind != order_kind::port_in)
      return std::move(m).refuse(refusal_kind::invalid_state, "a port-out order has no details to correct");
    if (!update_allowed(current.state))
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is " + state_text(current.state) +
                                     ": it can be updated only when received, submitted, carrier_approval, "
                                     "scheduled, rejected or failed");
    if (c->patch.empty())
      return std::move(m).refuse(refusal_kind::invalid_params, "nothing to update: give at least one field", "id");
    std::vector<std::string> fields;
    apply_patch(n, c->patch, fields);
    const bool send = !n.remote_order_id.empty() && is_polled(current.state);
    m.record(event_type::updated, c->actor,
             "corrected " + join(fields) + (send ? "; sending the correction to Telegent" : ""));
    if (send) {
      if (n.pending != pending_intent::cancel) n.pending = pending_intent::update;  // a cancel wins
      if (!current.in_flight) {
        n.next_check_at.reset();
        n.attempts = 0;  // failed polls before it do not count against the update
        advance(m);
      }
    }
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_cancel>(&in)) {
    if (is_terminal(current.state))
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is already " + state_text(current.state));
    // Already on its way: cancel is final and idempotent. (In submit_unknown a cancel requested
    // earlier waits for the operator, and this command is the operator's answer.)
    if (current.state == order_state::cancelling ||
        (current.pending == pending_intent::cancel && current.state != order_state::submit_unknown))
      return std::move(m).finish();
    n.cancel_reason = c->reason;
    const std::string why = c->reason.empty() ? std::string{} : ": " + c->reason;
    if (current.in_flight) {
      const bool submit_out = *current.in_flight == call_kind::submit_port_in ||
                              *current.in_flight == call_kind::submit_port_out;
      if (!submit_out && current.remote_order_id.empty()) {
        // Only a read-only eligibility check is out: nothing exists at Telegent.
        n.in_flight.reset();
        m.enter(order_state::cancelled, c->actor, "cancelled before anything reached Telegent" + why);
        return std::move(m).finish();
      }
      n.pending = pending_intent::cancel;  // a correction still to be sent is dropped
      m.record(event_type::updated, c->actor,
               "cancel requested" + why + "; it is sent once the " + call_name(*current.in_flight) + " in flight returns");
      if (!submit_out) m.enter(order_state::cancelling, c->actor, "cancel requested" + why);
      return std::move(m).finish();
    }
    if (n.pending == pending_intent::update) n.pending = pending_intent::none;
    if (current.remote_order_id.empty() && current.submit == submit_certainty::ambiguous &&
        current.state != order_state::submit_unknown) {
      // Waiting to resend an ambiguous submit (or failed after one): an earlier attempt may
      // have created an order that only its OrderId can cancel (rule 3), exactly as when the
      // cancel arrives while that submit is out. The operator resolves it, or cancels again to
      // drop it locally.
      n.pending = pending_intent::cancel;
      n.next_check_at.reset();
      m.enter(order_state::submit_unknown, c->actor,
              "cancel requested" + why +
                  " while an earlier submission may have reached Telegent: resolve with its OrderId to "
                  "cancel it there, or cancel again to drop the order locally");
      return std::move(m).finish();
    }
    if (current.remote_order_id.empty()) {
      m.enter(order_state::cancelled, c->actor,
              current.state == order_state::submit_unknown
                  ? "cancelled locally" + why + " (Telegent may still hold an order portd never heard of)"
                  : "cancelled before anything reached Telegent" + why);
      return std::move(m).finish();
    }
    m.enter(order_state::cancelling, c->actor, "cancel requested" + why);
    m.call(call_kind::cancel);
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_resolve>(&in)) {
    if (current.state != order_state::submit_unknown)
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is " + state_text(current.state) +
                                     ": only a submit_unknown order can be resolved");
    if (c->adopt_remote_order_id.empty() == !c->resubmit)
      return std::move(m).refuse(refusal_kind::invalid_params,
                                 "give either remote_order_id (adopt) or resubmit: true, not both",
                                 c->resubmit ? "resubmit" : "remote_order_id");
    n.submit = submit_certainty::known;
    if (!c->adopt_remote_order_id.empty()) {
      n.remote_order_id = c->adopt_remote_order_id;
      m.enter(order_state::submitted, c->actor,
              "adopted Telegent order " + c->adopt_remote_order_id +
                  (c->checked.empty() ? std::string{} : " (" + c->checked + ")"));
      m.call(call_kind::status);
    } else {
      m.enter(submitting_state(n), c->actor, "resubmitting at the operator's request");
      m.call(submit_call(n));
    }
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_retry>(&in)) {
    if (current.state != order_state::failed)
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is " + state_text(current.state) +
                                     ": only a failed order can be retried");
    n.last_error.reset();
    if (!n.remote_order_id.empty() && n.kind == order_kind::port_out) {
      // A port-out has no details to send again (update is a port-in call): watch it again.
      m.enter(order_state::submitted, c->actor, "retrying: checking Telegent's order again");
      if (!current.in_flight) m.call(call_kind::status);
    } else if (!n.remote_order_id.empty()) {
      m.enter(order_state::submitted, c->actor, "retrying: sending the order's details to Telegent again");
      if (current.in_flight) {
        // An order.poll is out (rule 2): the update follows it.
        if (n.pending != pending_intent::cancel) n.pending = pending_intent::update;
      } else {
        // The update call carries every detail as it is now.
        if (n.pending == pending_intent::update) n.pending = pending_intent::none;
        m.call(call_kind::update);
      }
    } else {
      n.state = order_state::received;  // start over from the beginning (not recorded twice)
      machine fresh(n, now, pol);
      advance(fresh);
      decision d = std::move(fresh).finish();
      for (auto& e : d.events) {
        e.from_state = order_state::failed;
        e.actor = c->actor;
        e.message = "retrying: " + e.message;
      }
      return d;
    }
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_poll_now>(&in)) {
    if (is_terminal(current.state) || current.remote_order_id.empty())
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is " + state_text(current.state) +
                                     ": there is no Telegent order to poll");
    (void)c;
    m.operator_poll();
    if (!current.in_flight) m.call(call_kind::status);
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_close>(&in)) {
    if (is_terminal(current.state))
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " is already " + state_text(current.state));
    if (c->reason.empty())
      return std::move(m).refuse(refusal_kind::invalid_params, "give the reason for closing the order", "reason");
    // A command call out may change Telegent's side (create, correct or cancel the order): its
    // answer must be recorded before the order can end. Reads (a status poll, the eligibility
    // check) change nothing there; their answers are simply ignored once the order is closed.
    if (current.in_flight && *current.in_flight != call_kind::status &&
        *current.in_flight != call_kind::eligibility)
      return std::move(m).refuse(refusal_kind::invalid_state,
                                 "order " + std::to_string(current.id) + " has a " + call_name(*current.in_flight) +
                                     " in flight to Telegent: try again in a moment, when its answer is recorded");
    m.enter(order_state::closed, c->actor,
            "closed by an operator: " + c->reason +
                (current.remote_order_id.empty()
                     ? std::string{}
                     : " (Telegent order " + current.remote_order_id + " was not cancelled there)"));
    return std::move(m).finish();
  }

  if (const auto* c = std::get_if<cmd_note>(&in)) {
    if (c->text.empty()) return std::move(m).refuse(refusal_kind::invalid_params, "the note is empty", "text");
    m.record(event_type::note_added, c->actor, c->text);
    return std::move(m).finish();
  }

  return std::move(m).finish();
}

bool guarded_resend(const order& o) {
  return o.kind == order_kind::port_in && o.state == order_state::submitting &&
         o.submit == submit_certainty::ambiguous && o.remote_order_id.empty();
}

}  // namespace portd::porting
