// Lines out of a byte stream, and the per-line back-pressure rule.
#include <portd/control/line_reader.hpp>

#include <ostream>

namespace portd::control {

line_reader::next_line line_reader::next() {
  const auto nl = buf_.find('\n', scanned_);
  if (nl == std::string::npos) {
    scanned_ = buf_.size();
    if (buffered() > max_line_) return {status::too_long, {}};
    return {status::need_more, {}};
  }
  std::string_view line(buf_.data() + start_, nl - start_);
  start_ = scanned_ = nl + 1;
  if (line.size() > max_line_) return {status::too_long, {}};
  return {status::line, line};
}

void line_reader::feed(std::string_view bytes) {
  if (start_ > 0) {  // drop what was taken: only a partial line is left, so this is short
    buf_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  buf_.append(bytes);
}

std::string_view to_string(line_reader::status s) {
  switch (s) {
    case line_reader::status::line: return "line";
    case line_reader::status::need_more: return "need_more";
    case line_reader::status::too_long: return "too_long";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, line_reader::status s) { return os << to_string(s); }

bool may_take_line(const backlog& b, const backlog_limits& l) {
  return b.unanswered < l.max_pending_requests && b.in_flight < l.max_pending_requests &&
         b.queued_bytes < l.max_write_buffer;
}

}  // namespace portd::control
