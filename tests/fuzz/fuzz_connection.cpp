// libFuzzer: the control connection's reader (line_reader + may_take_line, the code the server
// runs) driven like a hostile peer would: a line stream cut at random places, lines of random
// length (over the limit too), requests finishing at random with replies of random sizes, and a
// peer that reads its replies slowly or never. Checked: every byte is taken exactly once and in
// order, no line holds a '\n' or exceeds the limit, the reader holds at most one line plus one
// read, and a connection takes no line once its replies reach the cap.
#include <portd/control/line_reader.hpp>
#include <portd/wire/jsonrpc.hpp>

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <variant>

using namespace portd::control;
using namespace portd::wire;

namespace {

// A broken invariant: say which, then crash (libFuzzer keeps the input).
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_connection: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::size_t max_line = in.ConsumeIntegralInRange<std::size_t>(1, 2048);
  const backlog_limits limits{in.ConsumeIntegralInRange<std::size_t>(1, 8),
                              in.ConsumeIntegralInRange<std::size_t>(1, 1 << 14)};
  const std::size_t max_reply = 1 << 12;
  const std::string stream = in.ConsumeRandomLengthString(1 << 14);

  line_reader reader(max_line);
  backlog b;
  std::deque<std::size_t> running;  // requests taken and not finished (true: answered)
  std::size_t fed = 0;              // bytes of `stream` given to the reader
  std::size_t taken = 0;            // bytes taken as lines, '\n' included
  std::size_t last_read = 0;
  bool reading = true;
  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: {  // the reader's turn, as in server::impl::reader
        if (!reading || !may_take_line(b, limits)) break;
        const auto next = reader.next();
        if (next.what == line_reader::status::too_long) {
          reading = false;
          break;
        }
        if (next.what == line_reader::status::line) {
          require(next.line.size() <= max_line, "a line longer than the limit");
          require(next.line.find('\n') == std::string_view::npos, "a line holding a newline");
          require(stream.compare(taken, next.line.size(), next.line) == 0 &&
                      stream[taken + next.line.size()] == '\n',
                  "a line that is not the next bytes of the stream");
          taken += next.line.size() + 1;
          auto parsed = parse_request(next.line);
          if (auto* req = std::get_if<request>(&parsed)) {
            if (!req->notification) ++b.unanswered;
            ++b.in_flight;
            running.push_back(req->notification ? 0 : 1);
          } else {
            const auto& bad = std::get<bad_request>(parsed);
            if (!bad.notification) b.queued_bytes += render_error(bad.id, bad.error).size();
          }
          break;
        }
        if (fed == stream.size()) break;  // EOF
        last_read = in.ConsumeIntegralInRange<std::size_t>(1, stream.size() - fed);
        reader.feed(std::string_view(stream).substr(fed, last_read));
        fed += last_read;
        break;
      }
      case 1: {  // the oldest running request finishes
        if (running.empty()) break;
        --b.in_flight;
        if (running.front()) {
          --b.unanswered;
          b.queued_bytes += in.ConsumeIntegralInRange<std::size_t>(0, max_reply);
        }
        running.pop_front();
        break;
      }
      case 2: {  // the peer reads some replies
        const auto n = in.ConsumeIntegralInRange<std::size_t>(0, 1 << 14);
        b.queued_bytes -= std::min(b.queued_bytes, n);
        break;
      }
      default:  // the peer does nothing
        break;
    }
    require(b.unanswered <= limits.max_pending_requests && b.in_flight <= limits.max_pending_requests,
            "more requests pending than the limit");
    // A line is taken only under the cap and yields one reply at most: past the cap, the replies
    // can only be those of the requests already running, or one error for a refused line.
    require(b.queued_bytes <
                limits.max_write_buffer + max_line + 1024 + limits.max_pending_requests * max_reply,
            "replies queued past the cap");
    if (!reading) continue;  // past a line too long the rest of the stream is not read
    require(reader.buffered() == fed - taken, "bytes lost or taken twice");
    require(reader.buffered() <= max_line + last_read, "the reader holds more than a line and a read");
  }
  return 0;
}
