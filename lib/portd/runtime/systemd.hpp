// The small part of systemd portd speaks: sd_notify and socket activation. Harmless (no-ops)
// when not started by systemd.
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace portd::runtime {

// Sends `state` ("READY=1", "STATUS=…", "WATCHDOG=1", "STOPPING=1") to $NOTIFY_SOCKET, if set.
void sd_notify_state(const std::string& state);
// The watchdog interval systemd expects pings within ($WATCHDOG_USEC for this pid), if any.
std::optional<std::chrono::microseconds> watchdog_interval();
// The first socket passed by systemd ($LISTEN_FDS/$LISTEN_PID), if any; unsets the variables.
std::optional<int> listen_fd();
// True when stderr is connected to the journal ($JOURNAL_STREAM matches stderr).
bool stderr_is_journal();

}  // namespace portd::runtime
