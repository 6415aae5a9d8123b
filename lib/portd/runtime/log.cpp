// spdlog set-up: our own journald sink (structured fields) under systemd, coloured stderr on
// a terminal, plain otherwise.
#include <portd/runtime/log.hpp>
#include <portd/runtime/systemd.hpp>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <systemd/sd-journal.h>
#include <sys/uio.h>

#include <stdexcept>

namespace portd::runtime {
namespace {

thread_local const order_fields* current_order = nullptr;

int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;  // LOG_CRIT
    case spdlog::level::err: return 3;       // LOG_ERR
    case spdlog::level::warn: return 4;      // LOG_WARNING
    case spdlog::level::info: return 6;      // LOG_INFO
    default: return 7;                       // LOG_DEBUG (debug, trace)
  }
}

// Sends each line as one journal entry through sd_journal_sendv: fields, not text, so a
// message containing '%' or a newline is carried as is. Single-threaded daemon: null_mutex.
class journal_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto fields = journal_fields(msg.level, std::string_view(msg.payload.data(), msg.payload.size()));
    std::vector<iovec> iov;
    iov.reserve(fields.size());
    for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
    (void)::sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
  }
  void flush_() override {}
};

spdlog::level::level_enum parse_level(const std::string& level) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") throw std::invalid_argument("unknown log level " + level);
  return lvl;
}

}  // namespace

order_log_scope::order_log_scope(const order_fields& fields) : previous_(current_order), fields_(fields) {
  current_order = &fields_;
}

order_log_scope::~order_log_scope() { current_order = previous_; }

std::vector<std::string> journal_fields(spdlog::level::level_enum level, std::string_view message) {
  std::vector<std::string> f;
  f.reserve(6);
  f.push_back("MESSAGE=" + std::string(message));
  f.push_back("PRIORITY=" + std::to_string(syslog_priority(level)));
  f.emplace_back("SYSLOG_IDENTIFIER=portd");
  if (const order_fields* o = current_order) {
    f.push_back("ORDER_ID=" + std::to_string(o->order_id));
    if (!o->state.empty()) f.push_back("STATE=" + std::string(o->state));
    if (!o->remote_order_id.empty()) f.push_back("REMOTE_ORDER_ID=" + escape_controls(o->remote_order_id));
  }
  return f;
}

void setup_logging(const std::string& level) {
  const auto lvl = parse_level(level);
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    // journald adds its own time stamp; priority and identifier are fields.
    logger = std::make_shared<spdlog::logger>("portd", std::make_shared<journal_sink>());
    logger->set_pattern("%v");
  } else {
    logger = std::make_shared<spdlog::logger>("portd", std::make_shared<spdlog::sinks::stderr_color_sink_st>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void set_log_level(const std::string& level) { spdlog::default_logger()->set_level(parse_level(level)); }

}  // namespace portd::runtime
