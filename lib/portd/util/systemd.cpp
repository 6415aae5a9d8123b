// sd_notify, watchdog and socket activation through libsystemd.
#include <portd/util/systemd.hpp>

#include <systemd/sd-daemon.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace portd::util {

void sd_notify_state(const std::string& state) { (void)::sd_notify(0, state.c_str()); }

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(usec);
  return std::nullopt;
}

std::optional<int> listen_fd() {
  const int n = ::sd_listen_fds(1);
  if (n <= 0) return std::nullopt;
  return SD_LISTEN_FDS_START;
}

bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

}  // namespace portd::util
