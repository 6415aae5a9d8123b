// spdlog set-up: journald sink under systemd, coloured stderr on a terminal, plain otherwise.
#include <portd/util/log.hpp>
#include <portd/util/systemd.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace portd::util {

void setup_logging(const std::string& level) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") throw std::invalid_argument("unknown log level " + level);
  std::shared_ptr<spdlog::logger> logger;
  if (stderr_is_journal()) {
    // journald adds its own time stamp and priority; SYSLOG_IDENTIFIER=portd.
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_st>("portd", true);
    logger = std::make_shared<spdlog::logger>("portd", sink);
  } else {
    logger = std::make_shared<spdlog::logger>("portd", std::make_shared<spdlog::sinks::stderr_color_sink_st>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace portd::util
