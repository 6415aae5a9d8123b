// The spdlog sink behind log_capture.hpp.
#include "log_capture.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace portd::test {

struct log_capture::sink : spdlog::sinks::base_sink<std::mutex> {
  std::vector<std::string> lines;

  std::vector<std::string> copy() {
    std::lock_guard lock(mutex_);
    return lines;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    lines.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line(level.data(), level.size());
    line += ' ';
    line.append(msg.payload.data(), msg.payload.size());
    lines.push_back(std::move(line));
  }
  void flush_() override {}
};

log_capture::log_capture(spdlog::level::level_enum level)
    : sink_(std::make_shared<sink>()), previous_(spdlog::default_logger()) {
  auto logger = std::make_shared<spdlog::logger>("portd-test-capture", sink_);
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

log_capture::~log_capture() { spdlog::set_default_logger(previous_); }

std::vector<std::string> log_capture::lines() const { return sink_->copy(); }

std::string log_capture::text() const {
  std::string out;
  for (const auto& l : sink_->copy()) out.append(l).append("\n");
  return out;
}

std::size_t log_capture::count(std::string_view part) const {
  std::size_t n = 0;
  for (const auto& l : sink_->copy())
    if (l.find(part) != std::string::npos) ++n;
  return n;
}

void log_capture::clear() { sink_->clear(); }

}  // namespace portd::test
