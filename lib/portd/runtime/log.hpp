// Logging setup: readable text on stderr, or journald with structured fields when stderr is
// the journal. Never log a secret: callers log ids, states and reasons only.
//
// A line about an order goes through log_order(): the text reads "order 42 [submitted] …"
// and, under journald, the entry also carries ORDER_ID=42, STATE=submitted and
// REMOTE_ORDER_ID=… so `journalctl -u portd ORDER_ID=42` finds an order's whole story.
#pragma once
#include <portd/runtime/text.hpp>

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portd::runtime {

// Installs the default spdlog logger at `level` (trace … error). Throws std::invalid_argument
// for an unknown level.
void setup_logging(const std::string& level);

// Changes the level of the installed logger (SIGHUP reload). Throws std::invalid_argument for
// an unknown level, leaving the level as it was.
void set_log_level(const std::string& level);

// What a log line is about; empty views are left out of the journal entry.
struct order_fields {
  std::int64_t order_id = 0;
  std::string_view state;
  std::string_view remote_order_id;
};

// Makes the lines logged on this thread while it lives carry `fields` (nests; the innermost
// wins). log_order() is the usual way in; this is for a block of lines about one order.
class order_log_scope {
 public:
  explicit order_log_scope(const order_fields& fields);
  ~order_log_scope();
  order_log_scope(const order_log_scope&) = delete;
  order_log_scope& operator=(const order_log_scope&) = delete;

 private:
  const order_fields* previous_;
  order_fields fields_;
};

// Logs "order <id> [<state>] <message>" with the order's structured fields. The message often
// quotes Telegent or a carrier: its control characters are written out (escape_controls).
template <class... Args>
void log_order(spdlog::level::level_enum level, const order_fields& fields,
               spdlog::format_string_t<Args...> fmt, Args&&... args) {
  if (!spdlog::should_log(level)) return;
  order_log_scope scope(fields);
  std::string text = "order " + std::to_string(fields.order_id);
  if (!fields.state.empty()) text.append(" [").append(fields.state).append("]");
  text += ' ';
  text += fmt::format(fmt, std::forward<Args>(args)...);
  spdlog::log(level, "{}", escape_controls(text));
}

// The journal entry for `message` at `level` on this thread: MESSAGE=, PRIORITY= (syslog
// number), SYSLOG_IDENTIFIER=portd, then ORDER_ID=, STATE=, REMOTE_ORDER_ID= (its control
// characters written out: the id comes from Telegent) from the current order_log_scope. Exposed for tests; the journald sink sends exactly these.
std::vector<std::string> journal_fields(spdlog::level::level_enum level, std::string_view message);

}  // namespace portd::runtime
