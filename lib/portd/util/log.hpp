// Logging setup: readable text on stderr, or journald with structured fields when stderr is
// the journal. Never log a secret: callers log ids, states and reasons only.
#pragma once
#include <string>

namespace portd::util {

// Installs the default spdlog logger at `level` (trace … error). Throws std::invalid_argument
// for an unknown level.
void setup_logging(const std::string& level);

}  // namespace portd::util
