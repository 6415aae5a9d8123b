// Log capture for tests: while a log_capture lives, everything logged through spdlog's default
// logger (portd's lines, log_order() included) is collected instead of printed, so a test can
// assert on what was logged — that a failure is explained, or that a secret never appears — as
// Boost.Redis's log fixture does. Create it before the code under test logs; it puts the
// previous default logger back when it goes. In-process tests only: a child process (portd in
// an e2e stack) logs to its own stderr (stack::portd_log()).
#pragma once
#include <spdlog/common.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace portd::test {

class log_capture {
 public:
  // Captures lines at `level` and above (every line by default).
  explicit log_capture(spdlog::level::level_enum level = spdlog::level::trace);
  ~log_capture();
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;

  // Every line so far, oldest first, as "<level> <message>" (e.g. "warning order 7 [submitted] …").
  std::vector<std::string> lines() const;
  // Every line joined with '\n' (for a BOOST_TEST message, or a search over everything).
  std::string text() const;
  // How many lines contain `part`; contains() is count() > 0.
  std::size_t count(std::string_view part) const;
  bool contains(std::string_view part) const { return count(part) > 0; }
  void clear();

 private:
  struct sink;
  std::shared_ptr<sink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace portd::test
