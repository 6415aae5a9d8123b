// Text from outside (Telegent's statuses and messages, carrier names) made safe to print on a
// terminal or in a log line. The raw value stays in the database and in JSON; only what is
// rendered for a human goes through here.
#pragma once
#include <string>
#include <string_view>

namespace portd::runtime {

// `text` with every character that could drive a terminal or reorder what is shown written
// out visibly: C0 controls and DEL as \n, \r, \t or \xHH; C1 controls (U+0080–U+009F) and the
// bidirectional controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069) as \uHHHH; each
// byte that is not part of valid UTF-8 (stray, truncated, overlong, surrogate) as \xHH.
// Everything else, including a backslash, is kept as is. Never throws but for bad_alloc.
std::string escape_controls(std::string_view text);

}  // namespace portd::runtime
