// Telegent answers turned into porting::api_result: the tolerant body mapping (telegent-api.md §9),
// problem details, Retry-After, and the classification of HTTP statuses and transport failures
// into ok / transient / refused. Pure: `now` is passed in.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/types.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portd::telegent {

// An HTTP answer as the transport got it.
struct http_answer {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, "" if none
};

// The fields portd reads from a 200 body, whatever their casing or number format.
struct response_fields {
  std::string order_id;        // OrderId (opaque, case-sensitive)
  std::string status;          // Status or OrderStatus, raw
  std::string status_message;  // OrderStatusMessage, else Message
  std::optional<bool> eligible;
  std::string phone_number;  // E.164 from PhoneNumber / PortInNumber / PortOutNumber /
                             // PhoneNumbersOrdered[0].Number; "" if absent or unusable
  std::string iccid;         // ICCID / Iccid
  std::string order_type;    // portin, PortIn, portout, Provision…
  std::string order_date;    // raw
  std::string port_date;     // YYYY-MM-DD from PortInDate / PortDate / ScheduledDate / DueDate
  std::string current_carrier;
};
// nullopt when `body` is not a JSON object.
std::optional<response_fields> parse_fields(std::string_view body);

// RFC 9457 problem details in either casing, a plain-string body, or carrier codes.
struct problem_details {
  std::string title, detail, type, trace_id;
  std::vector<std::pair<std::string, std::vector<std::string>>> errors;  // "$.Field" -> messages
  std::vector<std::string> codes;  // carrier codes: Code / ErrorCode / CarrierCode
  std::string text;                // a body that is not a JSON object (trimmed, capped)

  // True if Errors names `field` ("$.PortInDate" or "PortInDate", any case) or the title or
  // detail mentions it.
  bool names_field(std::string_view field) const;
  // One human line: "Title: Detail; $.Field: msg; code 1P-Other" ("" if nothing usable).
  std::string message() const;
};
problem_details parse_problem(std::string_view body);

// The wait a 429 asks for: the Retry-After header (seconds or HTTP-date, relative to `now`),
// else `RetryAfter` in the body (string or number of seconds). nullopt if neither is usable.
// Capped at 24 h.
std::optional<porting::milliseconds> parse_retry_after(std::string_view header, std::string_view body,
                                                    porting::time_point now);

// The pause after the n-th consecutive 429 that named no wait: 1 s doubling, capped at 30 s.
porting::milliseconds rate_limit_backoff(int consecutive_429s);

// Counts consecutive 429s across the account and says how long each one pauses all traffic.
class rate_limit_tracker {
 public:
  // For a 429: its stated wait, else rate_limit_backoff() of the consecutive count. For any
  // other answer: nullopt, and the count starts again.
  std::optional<porting::milliseconds> on_answer(const http_answer& a, porting::time_point now);
  int consecutive() const { return consecutive_; }

 private:
  int consecutive_ = 0;
};

// Classifies an HTTP answer to `call` (the request was fully sent). Fills the payload of an ok
// result, reason/message of a failure, retry_after of a 429, and raw (the body as received).
porting::api_result classify_answer(porting::call_kind call, const http_answer& answer,
                                 porting::time_point now);

// Where a request failed without a complete HTTP answer.
enum class failure_phase : std::uint8_t { resolve, connect, tls, write, read, local };
std::string_view to_string(failure_phase);
std::ostream& operator<<(std::ostream&, failure_phase);

struct transport_failure {
  failure_phase phase = failure_phase::connect;
  boost::system::error_code ec;
  bool sent = false;       // every request byte was written
  bool timed_out = false;  // the phase's timeout fired
  bool too_large = false;  // the response passed max_response_bytes
  std::string detail;      // why, when ec alone does not say (a proxy refused the tunnel)
};
// A transport failure as a transient result; maybe_processed = sent.
porting::api_result classify_failure(porting::call_kind call, const transport_failure& f);

// Replaces every occurrence of each secret (raw and JSON-escaped) in message and raw by "***".
void redact(porting::api_result& r, const std::vector<std::string>& secrets);
void redact(std::string& text, const std::vector<std::string>& secrets);

}  // namespace portd::telegent
