// The losing carrier: orders, their fates (chosen by the number's last digit), and the status
// scripts they follow in each dialect. Statuses are computed lazily from the sim clock whenever
// an order is looked at; there is no timer per order.
#pragma once

#include <telegent_sim/errors.hpp>
#include <telegent_sim/time.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace telegent_sim {

enum class dialect { lifecycle, kb };
enum class order_kind { port_in, port_out };

// Port-in fates by last digit: 0,1,2,3,9 completes; 4 ineligible; 5 rejected once; 6 rejected
// always; 7 cancelled by the carrier; 8 stuck in carrier approval.
enum class port_in_fate { completes, ineligible, rejected_once, rejected_always, carrier_cancels, stuck };

enum class stage {
  pending,
  submitted,
  carrier_approval,
  scheduled,
  completed,
  rejected,
  cancelled,
  port_out_pending,
  port_out_processing,
  port_out_complete,
  port_out_rejected,
};

std::string_view to_string(dialect d) noexcept;
std::optional<dialect> dialect_from(std::string_view s) noexcept;
std::string_view to_string(order_kind k) noexcept;
std::string_view to_string(port_in_fate f) noexcept;
std::string_view to_string(stage s) noexcept;  // the stage's name, e.g. "carrier_approval"
std::ostream& operator<<(std::ostream& os, dialect d);
std::ostream& operator<<(std::ostream& os, order_kind k);
std::ostream& operator<<(std::ostream& os, port_in_fate f);
std::ostream& operator<<(std::ostream& os, stage s);

// The status string an order in `s` shows in dialect `d`.
std::string_view status_name(dialect d, stage s) noexcept;
port_in_fate port_in_fate_of(std::string_view number) noexcept;
bool port_out_rejected(std::string_view number) noexcept;
// Completed, Complete, Cancelled, Canceled, Port Out Complete, Port Out Rejected (ignoring case,
// spaces, '_' and '-'): no update or cancel is possible any more.
bool is_terminal_status(std::string_view status) noexcept;

inline constexpr std::string_view rejection_message = "1P-Other: name or account mismatch";
inline constexpr std::string_view carrier_cancel_message = "Port cancelled by the losing carrier";
inline constexpr std::string_view port_out_reject_message = "6B: transfer PIN mismatch";

// Delays between script steps, in sim time: the median of each when a spread is configured.
struct carrier_delays {
  std::chrono::seconds submitted{600};           // Pending -> Submitted
  std::chrono::seconds carrier_approval{3600};   // Submitted -> Pending Carrier Approval
  std::chrono::seconds scheduled{86400};         // carrier approval -> Scheduled (or rejected/cancelled)
  std::chrono::seconds completed{86400};         // Scheduled -> Completed (unless a PortInDate says otherwise)
  std::chrono::seconds port_date{0};             // start of a requested PortInDate -> Completed
};

// How each step's delay is drawn around its median: fixed (the median itself), lognormal
// (ln of the delay normal with sigma = spread) or uniform (median × (1 ± spread)).
enum class dwell_distribution { fixed, lognormal, uniform };
std::string_view to_string(dwell_distribution d) noexcept;
std::optional<dwell_distribution> dwell_distribution_from(std::string_view s) noexcept;
std::ostream& operator<<(std::ostream& os, dwell_distribution d);

// A losing carrier's timing.
struct carrier_profile {
  carrier_delays delays;
  dwell_distribution distribution = dwell_distribution::fixed;
  double spread = 0;
};

// From `at` (sim time since the start or the last reset) on, the delays of `carrier`'s steps
// ("*": every carrier's) are multiplied by `factor`: a step counts as begun when the order
// entered the state it leaves, so a state entered before the change keeps its delay.
struct dwell_change {
  std::string carrier;
  std::chrono::seconds at{0};
  double factor = 1;
};

// Every carrier's timing: the profile of a port-in's CurrentCarrierName (compared ignoring
// case), or `standard` for a carrier not listed; and the timed changes.
struct dwell_model {
  carrier_profile standard;
  std::map<std::string, carrier_profile, std::less<>> carriers;  // keys in lower case
  std::vector<dwell_change> changes;
};

// One step's delay drawn for `key` (the same key gives the same delay); never negative.
std::chrono::microseconds draw_delay(std::chrono::seconds median, dwell_distribution d, double spread,
                                     std::uint64_t key) noexcept;

// A status that became true at the carrier by the carrier's doing (a scripted step or a forced
// status), with the real time it happened and the real time an order request first saw it.
struct status_flip {
  std::string status;
  std::string message;
  real_time flip_at;
  std::optional<real_time> observed_at;
};

struct scripted_step {
  sim_time at;
  std::string status;
  std::string message;
  bool open;
  bool rejection;
};

struct order {
  std::string id;
  std::string account;
  order_kind kind = order_kind::port_in;
  std::string number;
  std::optional<std::string> iccid;
  sim_time created_sim;
  real_time created_real;
  port_in_fate fate = port_in_fate::completes;
  int rejections = 0;
  std::optional<std::chrono::sys_days> port_in_date;
  std::string carrier;  // CurrentCarrierName as submitted (port-ins)
  int attempts = 0;     // scripts started: 1 after the submit, one more per update
  std::string status;
  std::string message;  // OrderStatusMessage; empty when none
  bool open = true;
  std::vector<scripted_step> script;  // steps not applied yet start at next_step
  std::size_t next_step = 0;
  std::vector<status_flip> flips;
  std::optional<std::size_t> current_flip;  // the flip that made the current status, if any
};

struct port_in_request {
  std::string account;
  std::string number;
  std::optional<std::string> iccid;
  std::optional<std::chrono::sys_days> port_in_date;
  std::string carrier;  // CurrentCarrierName: picks the timing profile
};

class carrier {
 public:
  // Port-in delays come from `model` (its `standard` profile for unlisted carriers); draws are
  // keyed by `seed`, the number, the attempt and the step, so two simulators with the same seed
  // give a number the same delays whatever order its orders arrive in. Port-outs use `delays`.
  carrier(const sim_clock& clock, dialect d, carrier_delays delays);
  carrier(const sim_clock& clock, dialect d, dwell_model model, std::uint64_t seed);

  dialect current_dialect() const noexcept { return dialect_; }
  bool eligible(std::string_view number) const noexcept;

  // Creates a port-in in Pending; duplicate_port_in when the number has an open port-in,
  // ineligible for a number that cannot be ported.
  result<const order*> submit_port_in(port_in_request req, std::string id, real_time now);
  result<const order*> submit_port_out(std::string account, std::string number, std::string id, real_time now);
  // Sends an open port-in back to Pending and restarts its script; order_not_found (also for
  // port-outs and other accounts' orders), order_not_open when completed or cancelled.
  result<const order*> update(std::string_view account, std::string_view id,
                              std::optional<std::chrono::sys_days> port_in_date, real_time now);
  // Cancels an open order (idempotent on a cancelled one); order_not_open when completed.
  result<const order*> cancel(std::string_view account, std::string_view id, real_time now);
  // The order with its status as of `now`.
  result<const order*> observe(std::string_view account, std::string_view id, real_time now);
  // Records that a client saw the order's current status at `now` (first sighting only).
  void mark_observed(std::string_view id, real_time now);
  // Sets any status string; the script stops (an update restarts it).
  result<const order*> force(std::string_view id, std::string status, std::string message, real_time now);

  void settle_all(real_time now);
  const std::map<std::string, order, std::less<>>& orders() const noexcept { return orders_; }
  void clear();

 private:
  void settle(order& o, real_time now);
  void restart_port_in(order& o, sim_time from);
  order* find(std::string_view account, std::string_view id);
  const carrier_profile& profile_of(std::string_view carrier_name) const;
  double factor_at(std::string_view carrier_name, sim_time entered) const;

  const sim_clock& clock_;
  dialect dialect_;
  carrier_delays delays_;
  dwell_model model_;
  std::uint64_t seed_ = 0;
  std::map<std::string, order, std::less<>> orders_;
  std::map<std::string, std::vector<std::string>, std::less<>> by_number_;
};

}  // namespace telegent_sim
