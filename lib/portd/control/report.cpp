// daemon.status JSON, Prometheus text and outbox deliveries from the service's values.
#include <portd/control/report.hpp>
#include <portd/wire/objects.hpp>

#include <boost/json/array.hpp>

#include <sstream>

namespace json = boost::json;

namespace portd::control {
namespace {

json::value time_or_null(const std::optional<porting::time_point>& t) {
  return t ? json::value(porting::format_time(*t)) : json::value(nullptr);
}

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// The start-up probe and every token request since.
json::object credentials_json(const service::credentials_status& c) {
  json::object o;
  o["state"] = !c.problem.empty() ? "failing" : c.verified ? "ok" : "unchecked";
  o["problem"] = text_or_null(c.problem);
  o["detail"] = text_or_null(c.detail);
  o["at"] = time_or_null(c.at);
  return o;
}

json::array sinks_json(const std::vector<service::sink_status>& sinks) {
  json::array a;
  for (const auto& s : sinks) {
    json::object o;
    o["name"] = s.name;
    o["url"] = s.url;
    o["disabled"] = s.disabled;
    o["in_flight"] = s.in_flight;
    o["delivered"] = s.delivered;
    o["failed_attempts"] = s.failed_attempts;
    o["last_error"] = text_or_null(s.last_error);
    a.push_back(std::move(o));
  }
  return a;
}

}  // namespace

json::object render_status(const service::daemon_status& s) {
  json::object r;
  r["version"] = s.version;
  r["started_at"] = porting::format_time(s.started_at);
  json::object by_state;
  std::int64_t active = 0;
  for (int i = 0; i < porting::order_state_count; ++i) {
    const auto st = static_cast<porting::order_state>(i);
    const auto n = s.orders.by_state[static_cast<std::size_t>(i)];
    by_state[porting::to_string(st)] = n;
    if (!porting::is_terminal(st)) active += n;
  }
  r["orders"] = {{"by_state", by_state}, {"active", active}, {"needs_attention", s.orders.needs_attention}};
  json::object by_status;
  for (auto& [k, v] : s.api.by_status) by_status[k] = v;
  r["api"] = {{"budget_per_minute", s.api.budget_per_minute},
              {"requests_total", s.api.requests_total},
              {"by_status", by_status},
              {"paused_until", time_or_null(s.api.paused_until)},
              {"in_flight", s.api.in_flight},
              {"credentials", credentials_json(s.api.credentials)}};
  r["outbox"] = {{"pending", s.outbox.pending}, {"dead", s.outbox.dead}};
  if (s.outbox.sinks) r["outbox"].as_object()["sinks"] = sinks_json(*s.outbox.sinks);
  r["db"] = {{"path", s.db.path}, {"size_bytes", s.db.size_bytes}, {"writable", s.db.problem.empty()}};
  if (!s.db.problem.empty()) r["db"].as_object()["problem"] = s.db.problem;
  return r;
}

std::string render_metrics(const service::daemon_metrics& m) {
  std::ostringstream os;
  os << "# HELP portd_build_info The running portd's version (always 1).\n# TYPE portd_build_info gauge\n"
     << "portd_build_info{version=\"" << runtime::label_value(m.version) << "\"} 1\n";
  runtime::write_process_metrics(os);
  os << "# HELP portd_database_size_bytes The database's files on disk (database, WAL and shared-memory index).\n"
     << "# TYPE portd_database_size_bytes gauge\nportd_database_size_bytes " << m.database_size_bytes << "\n";
  os << "# HELP portd_orders Orders by state.\n# TYPE portd_orders gauge\n";
  for (int i = 0; i < porting::order_state_count; ++i)
    os << "portd_orders{state=\"" << porting::to_string(static_cast<porting::order_state>(i)) << "\"} "
       << m.orders.by_state[static_cast<std::size_t>(i)] << "\n";
  os << "# HELP portd_orders_needs_attention Orders that need an operator.\n# TYPE portd_orders_needs_attention gauge\n"
     << "portd_orders_needs_attention " << m.orders.needs_attention << "\n";
  os << "# HELP portd_transitions_total Committed order state changes.\n# TYPE portd_transitions_total counter\n";
  for (const auto& [k, n] : m.transitions)
    os << "portd_transitions_total{from=\"" << porting::to_string(k.first) << "\",to=\"" << porting::to_string(k.second)
       << "\"} " << n << "\n";
  os << "# HELP portd_api_requests_total Telegent requests by HTTP status.\n# TYPE portd_api_requests_total counter\n";
  for (auto& [k, v] : m.api_requests) os << "portd_api_requests_total{status=\"" << k << "\"} " << v << "\n";
  os << "# HELP portd_api_request_duration_seconds Telegent requests, from taking a connection to the answer (a "
        "submission's includes writing its intent to disk), by path and status class.\n"
     << "# TYPE portd_api_request_duration_seconds histogram\n";
  for (const auto& [k, h] : m.api_latency)
    h.write(os, "portd_api_request_duration_seconds",
            "endpoint=\"" + runtime::label_value(k.first) + "\",status_class=\"" + runtime::label_value(k.second) + "\"");
  os << "# HELP portd_api_in_flight Telegent requests in flight.\n# TYPE portd_api_in_flight gauge\n"
     << "portd_api_in_flight " << m.api_in_flight << "\n";
  os << "# HELP portd_budget_waiting Requests waiting for the budget.\n# TYPE portd_budget_waiting gauge\n"
     << "portd_budget_waiting " << m.budget_waiting << "\n";
  os << "# HELP portd_commits_total Group commits.\n# TYPE portd_commits_total counter\n"
     << "portd_commits_total " << m.commits << "\n";
  os << "# HELP portd_scheduler_wakeups_total Times the scheduler's timer woke the loop.\n"
     << "# TYPE portd_scheduler_wakeups_total counter\nportd_scheduler_wakeups_total " << m.scheduler_wakeups << "\n";
  os << "# HELP portd_commit_failures_total Group commits that failed (disk full, I/O).\n"
     << "# TYPE portd_commit_failures_total counter\nportd_commit_failures_total " << m.commit_failures << "\n";
  os << "# HELP portd_outbox_pending Notifications waiting for delivery.\n# TYPE portd_outbox_pending gauge\n"
     << "portd_outbox_pending " << m.outbox_pending << "\n"
     << "# HELP portd_outbox_dead Notifications given up on (dead letters).\n# TYPE portd_outbox_dead gauge\n"
     << "portd_outbox_dead " << m.outbox_dead << "\n";
  if (m.sinks) {
    auto family = [&](std::string_view name, std::string_view help, std::string_view type) {
      os << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    };
    auto per_sink = [&](std::string_view name, std::string_view help, auto value) {
      family(name, help, "counter");
      for (const auto& s : *m.sinks) os << name << "{sink=\"" << runtime::label_value(s.name) << "\"} " << value(s) << "\n";
    };
    per_sink("portd_deliveries_delivered_total", "Notifications delivered, by sink (since start).",
             [](const service::sink_metrics& s) { return s.delivered; });
    per_sink("portd_deliveries_failed_total", "Delivery attempts that failed and will be retried or given up on, by sink.",
             [](const service::sink_metrics& s) { return s.failed; });
    per_sink("portd_deliveries_dead_total", "Notifications given up on (dead letters), by sink (since start).",
             [](const service::sink_metrics& s) { return s.dead; });
    family("portd_delivery_attempt_duration_seconds", "One delivery attempt: the webhook request or the command's run.",
           "histogram");
    for (const auto& s : *m.sinks)
      s.attempt_seconds.write(os, "portd_delivery_attempt_duration_seconds", "sink=\"" + runtime::label_value(s.name) + "\"");
    family("portd_delivery_latency_seconds", "From an event's commit to its delivery, by sink.", "histogram");
    for (const auto& s : *m.sinks)
      s.latency_seconds.write(os, "portd_delivery_latency_seconds", "sink=\"" + runtime::label_value(s.name) + "\"");
  }
  os << "# HELP portd_api_paused_seconds Time left in a pause Telegent asked for (429).\n"
     << "# TYPE portd_api_paused_seconds gauge\nportd_api_paused_seconds " << m.api_paused_seconds << "\n";
  os << "# HELP portd_oldest_active_order_age_seconds Age of the oldest order still moving.\n"
     << "# TYPE portd_oldest_active_order_age_seconds gauge\nportd_oldest_active_order_age_seconds "
     << m.oldest_active_order_age_seconds << "\n";
  os << "# HELP portd_dispatch_lateness_seconds How long due orders waited past their time for the budget.\n"
     << "# TYPE portd_dispatch_lateness_seconds histogram\n";
  for (std::size_t i = 0; i < m.lateness_bounds.size(); ++i)
    os << "portd_dispatch_lateness_seconds_bucket{le=\"" << m.lateness_bounds[i] << "\"} " << m.lateness_buckets[i]
       << "\n";
  os << "portd_dispatch_lateness_seconds_bucket{le=\"+Inf\"} " << m.lateness_count << "\n"
     << "portd_dispatch_lateness_seconds_sum " << m.lateness_sum << "\n"
     << "portd_dispatch_lateness_seconds_count " << m.lateness_count << "\n";
  os << "# HELP portd_poll_checks_total Status checks sent, by class: cadence (a state's guaranteed cadence, or an "
        "operator's poll) and spare (budget the cadences left over, spent where news was likeliest).\n"
     << "# TYPE portd_poll_checks_total counter\n"
     << "portd_poll_checks_total{class=\"cadence\"} " << m.poll_checks_cadence << "\n"
     << "portd_poll_checks_total{class=\"spare\"} " << m.poll_checks_spare << "\n";
  os << "# HELP portd_poll_detection_latency_seconds Estimated time from Telegent moving an order to portd seeing it "
        "(half the window between its last two checks, plus the answer's time).\n"
     << "# TYPE portd_poll_detection_latency_seconds histogram\n";
  m.detection_latency_seconds.write(os, "portd_poll_detection_latency_seconds", "");
  return os.str();
}

json::object render_outbox_row(const service::outbox_row& r, const std::optional<porting::stored_event>& e) {
  json::object j;
  j["id"] = r.id;
  j["event_id"] = r.event_id;
  j["order_id"] = r.order_id;
  j["sink"] = r.sink;
  j["state"] = service::to_string(r.state);
  j["attempts"] = r.attempts;
  j["next_attempt_at"] = r.state == service::delivery_state::pending
                             ? json::value(porting::format_time(r.next_attempt_at))
                             : json::value(nullptr);
  j["last_error"] = text_or_null(r.last_error);
  j["delivered_at"] = time_or_null(r.delivered_at);
  j["event"] = e ? json::value(wire::render_event(*e)) : json::value(nullptr);
  return j;
}

}  // namespace portd::control
