// The control socket's reader, pure: a byte stream becomes lines one at a time, and a
// connection's backlog decides whether it may take the next one. The server reads from the
// socket only when no complete line is buffered and takes a line only while the backlog is
// under its limits, so a peer that never reads its replies stops being read within one line
// (not one 64 KiB read) of the limit. No sockets here: the fuzz target drives the same code.
#pragma once
#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

namespace portd::control {

class line_reader {
 public:
  explicit line_reader(std::size_t line_limit) : max_line_(line_limit) {}

  enum class status { line, need_more, too_long };
  struct next_line {
    status what;
    std::string_view line;  // status::line: the line without its '\n' (a '\r' stays)
  };

  // The next complete line, valid until the next call to next() or feed(); need_more when no
  // complete line is buffered; too_long when the next line, ended or not, is longer than
  // max_line_bytes (the stream cannot be resynchronised: the caller stops reading).
  next_line next();
  // Appends bytes read from the peer. The buffer holds one partial line plus what is fed, so
  // call it only after next() said need_more.
  void feed(std::string_view bytes);
  // Bytes held: complete lines not taken yet and the partial line after them.
  std::size_t buffered() const { return buf_.size() - start_; }

 private:
  std::size_t max_line_;
  std::string buf_;
  std::size_t start_ = 0;    // the first byte not taken
  std::size_t scanned_ = 0;  // no '\n' in [start_, scanned_)
};

std::string_view to_string(line_reader::status);
std::ostream& operator<<(std::ostream&, line_reader::status);

// A connection's requests and replies not done yet, and their limits.
struct backlog {
  std::size_t unanswered = 0;    // requests whose reply is not ready
  std::size_t in_flight = 0;     // requests (notifications too) still being handled
  std::size_t queued_bytes = 0;  // reply bytes ready and not written yet
};
struct backlog_limits {
  std::size_t max_pending_requests = 1024;
  std::size_t max_write_buffer = 8u << 20;
};

// True while the connection may take another line: fewer than max_pending_requests requests
// unanswered and in flight, and less than max_write_buffer of replies waiting for the peer.
bool may_take_line(const backlog&, const backlog_limits&);

}  // namespace portd::control
