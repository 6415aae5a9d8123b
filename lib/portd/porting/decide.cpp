// The order state machine (DESIGN.md §4) as a pure function. decide() looks the input up in the
// order kind's transition table (transitions.cpp): of the rows for the order's state, the
// input's trigger and the call it answers, the first whose guard holds (holds(), below), or the
// `otherwise` row. The row says the next state and the call to start; the code here does what a
// row cannot say, keyed by the row it found: the history and its wording, attention, counters
// and intents, and when to act again.
#include <portd/porting/decide.hpp>
#include <portd/porting/status.hpp>
#include <portd/porting/transitions.hpp>

#include <algorithm>
#include <string>
#include <variant>

namespace portd::porting {
namespace {

// Telegent may change an order in these states; portd checks on them (polls, or resends a cancel).
constexpr bool watched(order_state s) { return is_polled(s) || s == order_state::cancelling; }

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
  machine(const order& cur, const input& in, time_point now, const policy& pol)
      : cur_(cur), in_(in), now_(now), pol_(pol) {
    d_.next = cur;
  }

  // The input's row in the table, its guards evaluated on the order as it is now; nullptr when
  // none applies (the input changes no state and starts no call).
  const transition* row() const { return find_row(situation{cur_, d_.next, in_, now_, pol_}); }

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

  // Starts a call. It carries the intent it fulfils: a pending cancel goes out now (a new call:
  // earlier failures were another call's, and a correction no longer matters), an update
  // carries every correction made so far.
  void call(call_kind k) {
    order& n = d_.next;
    if (k == call_kind::cancel) {
      if (n.pending == pending_intent::cancel) n.attempts = 0;
      n.pending = pending_intent::none;
    }
    if (k == call_kind::update && n.pending == pending_intent::update) n.pending = pending_intent::none;
    d_.call = k;
  }
  void wake(time_point t) { d_.wake_at = t; }
  bool calling() const { return d_.call.has_value(); }
  bool waking() const { return d_.wake_at.has_value(); }

  // What a row says: the order moves to `to` (when it is another state) and starts the row's call.
  void take(const transition& row, order_state to, const std::string& actor, std::string message,
            std::string raw = {}) {
    enter(to, actor, std::move(message), std::move(raw));
    if (row.call) call(*row.call);
  }

  void schedule_poll() {
    if (watched(d_.next.state)) wake(next_poll_at(d_.next, now_, pol_.poll));
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
  const input& in_;
  time_point now_;
  const policy& pol_;
  decision d_;
  order_state cur_state_for_event_ = order_state::received;
  bool operator_poll_ = false;
};

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

bool is_submit(call_kind k) { return k == call_kind::submit_port_in || k == call_kind::submit_port_out; }

// ---- what follows a row -----------------------------------------------------------------------

void unknown_order(machine& m, const transition& row, const api_result& r) {
  m.take(row, *row.to, telegent_actor,
          "Telegent does not know order " + m.next().remote_order_id + " (" + describe(r) +
              "): ask Telegent support about the number, then close the order here (order.close) "
              "or resolve what they say",
          r.raw);
}

// The first submission that may have reached Telegent is older than the resend window: the
// duplicate guard may no longer cover it (the first order may have completed), so a resend
// could port the number twice.
void late_resend_to_operator(machine& m, const transition& row) {
  m.next().next_check_at.reset();  // nothing is due until an operator acts
  m.take(row, *row.to, daemon_actor,
          "an earlier submission may have reached Telegent at " + format_time(*m.next().ambiguous_since) +
              ", longer ago than the resend window: Telegent's duplicate guard may no longer cover it, so "
              "portd does not resend; resolve with the OrderId or resubmit");
}

// The first step of a received order (or of a failed one that starts over).
std::string first_step(const transition& row) {
  if (row.call == call_kind::eligibility) return "checking eligibility with Telegent";
  if (row.call == call_kind::submit_port_out) return "issuing the port-out PIN to Telegent";
  return "submitting to Telegent (eligibility check skipped)";
}

// A cancel that waited (for the call out, or for the restart) goes on where its row says: to an
// operator when an earlier submission may have created an order that only its OrderId can
// cancel (rule 3), cancelled when nothing reached Telegent, else the cancel call.
void pending_cancel(machine& m, const transition& row) {
  const order& n = m.next();
  const order_state to = row.to.value_or(n.state);
  if (to == order_state::submit_unknown)
    m.take(row, to, daemon_actor,
           "cancel requested while an earlier submission may have reached Telegent: resolve with its "
           "OrderId to cancel it there, or cancel again to drop the order locally");
  else if (to == order_state::cancelled)
    m.take(row, to, daemon_actor,
           "cancelled before anything reached Telegent" +
               (n.cancel_reason.empty() ? std::string{} : ": " + n.cancel_reason));
  else
    m.take(row, to, daemon_actor, "sending the cancel to Telegent");
}

// The rows that start the next step of an order with no call out (a timer, a restart).
void next_step(machine& m, const transition& row) {
  switch (row.when) {
    case guard::resend_window_passed: late_resend_to_operator(m, row); return;
    case guard::may_have_reached:
      m.take(row, *row.to, daemon_actor,
             "portd restarted while the port-out submission was in flight; it may have reached "
             "Telegent: resolve with the OrderId or resubmit");
      return;
    case guard::maybe_created:
    case guard::cancel_pending: pending_cancel(m, row); return;
    default: m.take(row, row.to.value_or(m.next().state), daemon_actor, first_step(row));
  }
}

// Stale-order alarm: raised once per state (the reason names the state's start), cleared by
// the next state change like any other attention.
void check_stale(machine& m) {
  order& n = m.next();
  if (n.needs_attention() || !is_polled(n.state) || n.state == order_state::rejected) return;
  const std::string why = stale_reason(n, m.now(), m.pol());
  if (!why.empty()) m.attention(attention_kind::stale, why, daemon_actor);
}

// ---- the inputs ---------------------------------------------------------------------------------
// Each handler takes its input in (what it records and counts), finds the input's row, and
// applies it with its wording.

void on(machine& m, const start& s) {
  m.created(s.actor);
  if (const auto* row = m.row()) next_step(m, *row);
}

void on(machine& m, const timer_fired&) {
  // A timer is set only while no call is out; one that fires after a call left is stale.
  if (m.cur().in_flight) return;
  if (const auto* row = m.row()) next_step(m, *row);
}

void on(machine& m, const recovered&) {
  order& n = m.next();
  const order& cur = m.cur();
  if (!cur.in_flight && cur.next_check_at) {  // nothing was lost: the schedule holds
    m.wake(std::max(*cur.next_check_at, m.now()));
    return;
  }
  bool now_ambiguous = false;
  if (cur.in_flight) {  // the call is lost; read-only and idempotent ones are simply redone
    n.in_flight.reset();
    if (*cur.in_flight == call_kind::update && n.pending != pending_intent::cancel) n.pending = pending_intent::update;
    if (*cur.in_flight == call_kind::submit_port_in && cur.request_sent && n.submit == submit_certainty::known) {
      n.submit = submit_certainty::ambiguous;  // rule 3: only the duplicate guard makes the resend safe
      // The request left after the order's last write (its send mark), perhaps long ago.
      n.ambiguous_since = cur.updated_at;
      now_ambiguous = true;
    }
  }
  const auto* row = m.row();
  if (!row) return;
  if (now_ambiguous && row->call == call_kind::submit_port_in)
    m.record(event_type::error, daemon_actor,
             "portd restarted while the submission was in flight; resubmitting under Telegent's "
             "duplicate guard");
  next_step(m, *row);
}

// Takes in what an ok status answer says (its status, message and port date), then follows
// its row: the state Telegent reports is entered first, and a pending command goes after it.
void on_status(machine& m, const api_result& r) {
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
  if (!r.remote_status.empty() && r.meaning.what == status_meaning::kind::unknown)
    m.attention(attention_kind::unknown_status, unknown_status_prefix + r.remote_status + "\"", telegent_actor);

  const auto* row = m.row();
  const order_state from = n.state;
  const auto told = reported_state(n, r);
  const std::string why = r.status_message.empty() ? "Telegent reports \"" + r.remote_status + "\"" : r.status_message;
  if (row && told && (!row->to || *row->to != from)) {
    if (row->when == guard::reports_end) {  // cancelling: Telegent ended the order first
      m.enter(*told, telegent_actor,
              *told == order_state::cancelled   ? "cancelled at Telegent"
              : *told == order_state::completed ? "completed before the cancel could take effect"
                                                : "the port-out was rejected before the cancel could take effect: " + why,
              *told == order_state::port_out_rejected ? r.raw : std::string{});
    } else if (row->when == guard::settling) {
      // Telegent refused the cancel: this one status check settles the order on what Telegent
      // reports. An order still open there goes on, with the refusal for an operator to see.
      const std::string refusal = n.attention_reason;
      m.enter(*told, telegent_actor,
              "Telegent refused the cancel and reports \"" + r.remote_status + "\"" +
                  (r.status_message.empty() ? std::string{} : ": " + r.status_message),
              r.raw);
      if (!is_terminal(*told) && !needs_operator(*told))
        m.attention(attention_kind::cancel_refused,
                    refusal.empty() ? "Telegent refused the cancel; the order goes on there"
                                    : refusal + "; the order goes on there",
                    telegent_actor);
    } else if (*told != from) {
      m.enter(*told, telegent_actor, why, r.raw);
    } else if (!needs_operator(from) &&
               (n.attention == attention_kind::unknown_status || n.attention == attention_kind::poll_refused)) {
      // A good poll after an unknown status or a refused poll: that alarm is over (a stale
      // alarm is not: only a change of state ends it).
      n.attention = attention_kind::none;
      n.attention_reason.clear();
    }
  }
  if (from != n.state && n.state == order_state::port_out_rejected)
    // The order has ended; an operator is told why (the carrier's reason), and that a new
    // port-out for the number is accepted.
    m.record(event_type::needs_attention, telegent_actor,
             "Telegent rejected the port-out (" + (r.status_message.empty() ? r.remote_status : r.status_message) +
                 "): final at Telegent; the gaining carrier must start over with a fresh PIN, and a new "
                 "port-out for this number is accepted");
  check_stale(m);
  if (!row) return;
  if (row->when == guard::cancel_pending)
    pending_cancel(m, *row);
  else if (row->call)
    m.call(*row->call);
}

void on_ok(machine& m, const api_result& r) {
  order& n = m.next();
  n.attempts = 0;
  n.last_error.reset();
  if (r.call == call_kind::status) {
    on_status(m, r);
    return;
  }
  if (is_submit(r.call)) {
    n.remote_order_id = r.remote_order_id;
    n.remote_status = r.remote_status;
    n.submit = submit_certainty::known;
  } else if (!r.remote_status.empty() && r.call != call_kind::eligibility) {
    n.remote_status = r.remote_status;
  }
  const auto* row = m.row();
  switch (r.call) {
    case call_kind::eligibility:
      if (!row) return;
      m.take(*row, *row->to, telegent_actor,
             row->when == guard::eligible
                 ? "eligible" + (r.status_message.empty() ? std::string{} : ": " + r.status_message) + "; submitting"
             : r.status_message.empty() ? "Telegent says the number cannot be ported in"
                                        : r.status_message,
             r.raw);
      return;
    case call_kind::submit_port_in:
    case call_kind::submit_port_out:
    {
      const std::string accepted = "Telegent accepted the order as " + r.remote_order_id +
                                   (r.remote_status.empty() ? std::string{} : " (" + r.remote_status + ")");
      if (n.pending == pending_intent::none) m.wake(m.now() + m.pol().poll.first_after_submit);
      if (!row) return;
      if (row->when == guard::cancel_pending) {
        // The order exists at Telegent now: the history says so before the cancel that waited goes out.
        m.enter(order_state::submitted, telegent_actor, accepted, r.raw);
        pending_cancel(m, *row);
      } else {
        m.take(*row, *row->to, telegent_actor, accepted, r.raw);
      }
      return;
    }
    case call_kind::update:
      m.record(event_type::updated, telegent_actor, "Telegent accepted the correction", r.raw);
      if (n.pending == pending_intent::none) m.wake(m.now() + m.pol().poll.first_after_submit);
      if (row) m.take(*row, *row->to, telegent_actor, "correction sent; the losing carrier reviews it again");
      return;
    case call_kind::cancel:
      if (row)
        m.take(*row, *row->to, telegent_actor,
               "Telegent cancelled the order" + (n.cancel_reason.empty() ? std::string{} : ": " + n.cancel_reason),
               r.raw);
      return;
    case call_kind::status: return;  // on_status, above
  }
}

void on_transient(machine& m, const api_result& r) {
  order& n = m.next();
  n.attempts += 1;
  n.last_error = error_info{r.reason.empty() ? "transient_error" : r.reason, r.message, m.now()};
  if (r.call == call_kind::submit_port_in && r.maybe_processed && n.submit == submit_certainty::known) {
    n.submit = submit_certainty::ambiguous;
    n.ambiguous_since = m.now();  // the first attempt left no later than this
  }
  if (r.call == call_kind::update && n.pending != pending_intent::cancel)
    n.pending = pending_intent::update;  // the correction is still to be sent
  if (r.call == call_kind::status) {
    // Polls are never given up on: back off, but never wait longer than the cadence.
    const auto retry = m.now() + std::max(m.pol().retry.next_delay(n.attempts, static_cast<std::uint64_t>(n.id)),
                                          r.retry_after.value_or(milliseconds{0}));
    const auto cadence = next_poll_at(n, m.now(), m.pol().poll);
    if (n.attempts == 1)
      m.record(event_type::error, telegent_actor, "status poll failed: " + describe(r) + "; will retry");
    check_stale(m);  // an API that keeps failing must not hide a stuck order
    if (const auto* row = m.row()) {
      n.attempts = 0;  // the poll's failures are not the command's; a pending command goes first
      if (row->when == guard::cancel_pending)
        pending_cancel(m, *row);
      else
        m.take(*row, *row->to, daemon_actor, {});
      return;
    }
    // An order.poll of a failed order: nothing is polled in that state, so no retry either.
    if (watched(n.state)) m.wake(std::max(std::min(retry, cadence), m.now() + r.retry_after.value_or(milliseconds{0})));
    return;
  }
  const auto* row = m.row();
  const std::string gave_up =
      call_name(r.call) + " gave up after " + std::to_string(n.attempts) + " attempts: " + describe(r);
  if (row) {
    switch (row->when) {
      case guard::may_have_reached:  // no duplicate guard protects a port-out resend (rule 3)
        m.take(*row, *row->to, daemon_actor,
               "the port-out submission may have reached Telegent (" + describe(r) +
                   "); resolve with the OrderId or resubmit");
        return;
      case guard::maybe_created:
        m.take(*row, *row->to, daemon_actor,
               "cancel requested while a submission may have reached Telegent (" + describe(r) +
                   "); resolve with the OrderId to cancel it");
        return;
      case guard::cancel_pending: pending_cancel(m, *row); return;  // nothing (more) was created
      case guard::gave_up_maybe_created:
        m.take(*row, *row->to, daemon_actor, gave_up + "; an earlier attempt may have created an order");
        return;
      default: m.take(*row, *row->to, daemon_actor, gave_up); return;
    }
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
  if (r.call == call_kind::update && n.pending == pending_intent::update) n.pending = pending_intent::none;
  const auto* row = m.row();
  const bool settles = row && (row->when == guard::settling || row->when == guard::settling_unknown);
  if (r.call == call_kind::status && !settles)
    m.attention(attention_kind::poll_refused, poll_refused_prefix + describe(r), telegent_actor);
  if (!row) return;
  switch (row->when) {
    case guard::cancel_pending:
    case guard::maybe_created: pending_cancel(m, *row); return;
    case guard::unknown_at_telegent:
    case guard::settling_unknown: unknown_order(m, *row, r); return;
    case guard::settling:  // the check after a refused cancel: it cannot settle
      m.take(*row, *row->to, telegent_actor,
             "Telegent refused the cancel and then the status check (" + describe(r) +
                 "): an operator decides (ask Telegent support; order.close ends it here)",
             r.raw);
      return;
    case guard::duplicate_after_ambiguous:
      n.pending = pending_intent::none;  // a requested cancel needs the OrderId: the operator decides
      m.take(*row, *row->to, telegent_actor,
             "Telegent refused the resubmission as a duplicate, so an earlier attempt created an "
             "order portd never heard of: adopt its OrderId (order.resolve) or cancel",
             r.raw);
      return;
    default: break;
  }
  switch (r.call) {
    case call_kind::eligibility:
      m.take(*row, *row->to, telegent_actor, "eligibility check refused: " + describe(r), r.raw);
      return;
    case call_kind::submit_port_in:
    case call_kind::submit_port_out:
      m.take(*row, *row->to, telegent_actor,
             (r.reason == "duplicate_order"
                  ? "Telegent already holds an active port-in for this number that this order did not create: "
                  : call_name(r.call) + " refused: ") +
                 describe(r),
             r.raw);
      return;
    case call_kind::update: m.take(*row, *row->to, telegent_actor, "update refused: " + describe(r), r.raw); return;
    case call_kind::cancel:
      // Refused (409: final already, or another conflict): one status check settles it.
      n.pending = pending_intent::settle;
      m.attention(attention_kind::cancel_refused, "Telegent refused the cancel: " + describe(r), telegent_actor);
      m.take(*row, *row->to, telegent_actor, {});
      return;
    case call_kind::status: m.take(*row, *row->to, telegent_actor, {}); return;
  }
}

void on(machine& m, const api_result& r) {
  // A result for a call that is no longer out (the order was cancelled locally meanwhile, or a
  // restart intervened) changes nothing.
  if (!m.cur().in_flight || *m.cur().in_flight != r.call) return;
  m.next().in_flight.reset();
  switch (r.outcome) {
    case call_outcome::ok: on_ok(m, r); break;
    case call_outcome::transient: on_transient(m, r); break;
    case call_outcome::refused: on_refused(m, r); break;
  }
  // Nothing follows at once: check again at the state's cadence.
  if (!m.calling() && !m.waking()) m.schedule_poll();
}

// ---- commands -------------------------------------------------------------------------------

bool update_allowed(order_state s) {
  return s == order_state::received || is_polled(s) || s == order_state::failed;
}

std::string state_text(order_state s) { return std::string(to_string(s)); }
std::string order_text(const order& o) { return "order " + std::to_string(o.id); }

// Why the command cannot be taken (nothing changes), or nullopt.
std::optional<refusal> refused(const order& cur, const input& in) {
  const auto invalid_state = [](std::string message) { return refusal{refusal_kind::invalid_state, std::move(message), {}}; };
  const auto invalid_params = [](std::string message, std::string field) {
    return refusal{refusal_kind::invalid_params, std::move(message), std::move(field)};
  };
  const std::string is = order_text(cur) + " is " + state_text(cur.state);
  if (const auto* c = std::get_if<cmd_update>(&in)) {
    if (cur.kind != order_kind::port_in) return invalid_state("a port-out order has no details to correct");
    if (!update_allowed(cur.state))
      return invalid_state(is + ": it can be updated only when received, submitted, carrier_approval, "
                                "scheduled, rejected or failed");
    if (c->patch.empty()) return invalid_params("nothing to update: give at least one field", "id");
  } else if (std::holds_alternative<cmd_cancel>(in)) {
    if (is_terminal(cur.state)) return invalid_state(order_text(cur) + " is already " + state_text(cur.state));
  } else if (const auto* r = std::get_if<cmd_resolve>(&in)) {
    if (cur.state != order_state::submit_unknown) return invalid_state(is + ": only a submit_unknown order can be resolved");
    if (r->adopt_remote_order_id.empty() == !r->resubmit)
      return invalid_params("give either remote_order_id (adopt) or resubmit: true, not both",
                            r->resubmit ? "resubmit" : "remote_order_id");
  } else if (std::holds_alternative<cmd_retry>(in)) {
    if (cur.state != order_state::failed) return invalid_state(is + ": only a failed order can be retried");
  } else if (std::holds_alternative<cmd_poll_now>(in)) {
    if (is_terminal(cur.state) || cur.remote_order_id.empty())
      return invalid_state(is + ": there is no Telegent order to poll");
  } else if (const auto* cl = std::get_if<cmd_close>(&in)) {
    if (is_terminal(cur.state)) return invalid_state(order_text(cur) + " is already " + state_text(cur.state));
    if (cl->reason.empty()) return invalid_params("give the reason for closing the order", "reason");
    // A command call out may change Telegent's side (create, correct or cancel the order): its
    // answer must be recorded before the order can end. Reads (a status poll, the eligibility
    // check) change nothing there; their answers are simply ignored once the order is closed.
    if (cur.in_flight && *cur.in_flight != call_kind::status && *cur.in_flight != call_kind::eligibility)
      return invalid_state(order_text(cur) + " has a " + call_name(*cur.in_flight) +
                           " in flight to Telegent: try again in a moment, when its answer is recorded");
  } else if (const auto* note = std::get_if<cmd_note>(&in)) {
    if (note->text.empty()) return invalid_params("the note is empty", "text");
  }
  return std::nullopt;
}

void on(machine& m, const cmd_update& c) {
  order& n = m.next();
  std::vector<std::string> fields;
  apply_patch(n, c.patch, fields);
  // Telegent holds the order: the update call carries the details as they are now; a correction
  // that arrives while a call is out is sent after it.
  const bool send = !n.remote_order_id.empty() && is_polled(m.cur().state);
  m.record(event_type::updated, c.actor, "corrected " + join(fields) + (send ? "; sending the correction to Telegent" : ""));
  if (send && n.pending != pending_intent::cancel) n.pending = pending_intent::update;  // a cancel wins
  if (const auto* row = m.row()) {
    n.next_check_at.reset();
    n.attempts = 0;  // failed polls before it do not count against the update
    m.take(*row, *row->to, c.actor, "sending the correction to Telegent");
  }
}

void on(machine& m, const cmd_cancel& c) {
  order& n = m.next();
  const order& cur = m.cur();
  // Already on its way: cancel is final and idempotent. (In submit_unknown a cancel requested
  // earlier waits for the operator, and this command is the operator's answer.)
  if (cur.state == order_state::cancelling ||
      (cur.pending == pending_intent::cancel && cur.state != order_state::submit_unknown))
    return;
  n.cancel_reason = c.reason;
  const std::string why = c.reason.empty() ? std::string{} : ": " + c.reason;
  const auto* row = m.row();
  if (!row && !cur.in_flight) return;
  if (!row || row->when == guard::call_out) {
    // The call out goes first: the cancel is sent once it returns.
    n.pending = pending_intent::cancel;  // a correction still to be sent is dropped
    m.record(event_type::updated, c.actor,
             "cancel requested" + why + "; it is sent once the " + call_name(*cur.in_flight) + " in flight returns");
    if (row) m.take(*row, *row->to, c.actor, "cancel requested" + why);
    return;
  }
  if (row->when == guard::maybe_created) {
    // An earlier attempt may have created an order that only its OrderId can cancel (rule 3):
    // the operator resolves it, or cancels again to drop it locally.
    n.pending = pending_intent::cancel;
    n.next_check_at.reset();
    m.take(*row, *row->to, c.actor,
           "cancel requested" + why +
               " while an earlier submission may have reached Telegent: resolve with its OrderId to "
               "cancel it there, or cancel again to drop the order locally");
    return;
  }
  if (row->to == order_state::cancelled) {
    m.take(*row, *row->to, c.actor,
           cur.state == order_state::submit_unknown
               ? "cancelled locally" + why + " (Telegent may still hold an order portd never heard of)"
               : "cancelled before anything reached Telegent" + why);
    return;
  }
  m.take(*row, *row->to, c.actor, "cancel requested" + why);
}

void on(machine& m, const cmd_resolve& c) {
  order& n = m.next();
  n.submit = submit_certainty::known;
  if (!c.adopt_remote_order_id.empty()) n.remote_order_id = c.adopt_remote_order_id;
  const auto* row = m.row();
  if (!row) return;
  m.take(*row, *row->to, c.actor,
         c.resubmit ? "resubmitting at the operator's request"
                    : "adopted Telegent order " + c.adopt_remote_order_id +
                          (c.checked.empty() ? std::string{} : " (" + c.checked + ")"));
}

void on(machine& m, const cmd_retry& c) {
  order& n = m.next();
  n.last_error.reset();
  const auto* row = m.row();
  if (!row) return;
  if (row->when == guard::not_at_telegent || row->when == guard::not_at_telegent_skip_eligibility) {
    m.take(*row, *row->to, c.actor, "retrying: " + first_step(*row));  // start over
    return;
  }
  // A port-out has no details to send again (update is a port-in call): watch it again.
  m.take(*row, *row->to, c.actor,
         n.kind == order_kind::port_out ? "retrying: checking Telegent's order again"
                                        : "retrying: sending the order's details to Telegent again");
  // An order.poll is out (rule 2): the update follows it.
  if (row->when == guard::call_out && n.kind == order_kind::port_in && n.pending != pending_intent::cancel)
    n.pending = pending_intent::update;
}

void on(machine& m, const cmd_poll_now&) {
  m.operator_poll();
  if (const auto* row = m.row()) m.take(*row, *row->to, daemon_actor, "checking Telegent's order at an operator's request");
}

void on(machine& m, const cmd_close& c) {
  const order& cur = m.cur();
  if (const auto* row = m.row())
    m.take(*row, *row->to, c.actor,
           "closed by an operator: " + c.reason +
               (cur.remote_order_id.empty() ? std::string{}
                                            : " (Telegent order " + cur.remote_order_id + " was not cancelled there)"));
}

void on(machine& m, const cmd_note& c) { m.record(event_type::note_added, c.actor, c.text); }

}  // namespace

decision decide(const order& current, const input& in, time_point now, const policy& pol) {
  machine m(current, in, now, pol);
  if (auto no = refused(current, in)) return std::move(m).refuse(no->kind, std::move(no->message), std::move(no->field));
  // Nothing moves an order that has ended (a late start still records its creation, a note its text).
  if (!is_terminal(current.state) || std::holds_alternative<start>(in) || std::holds_alternative<cmd_note>(in))
    std::visit([&](const auto& x) { on(m, x); }, in);
  return std::move(m).finish();
}

bool guarded_resend(const order& o) {
  return o.kind == order_kind::port_in && o.state == order_state::submitting &&
         o.submit == submit_certainty::ambiguous && o.remote_order_id.empty();
}

}  // namespace portd::porting
