// CSV for portctl (RFC 4180: commas, double quotes, "" inside quotes, CRLF line ends, quoted
// fields may span lines): reading `portctl import` files, writing `-o csv`. Pure.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portctl {

// The next record's fields, or nullopt at the end of input. Throws std::runtime_error on an
// unterminated quote.
std::optional<std::vector<std::string>> read_csv_record(std::istream&);

// Drops a UTF-8 byte order mark at the start of `cell` (Excel's "CSV UTF-8" writes one before
// the first header); true when there was one.
bool strip_utf8_bom(std::string& cell);

// One record as RFC 4180 text ending in CRLF: a field holding a comma, a double quote, CR or LF
// is quoted, its quotes doubled. Fields are written as they are (no control characters
// escaped: CSV is for programs; only the table output writes carrier text out for a terminal).
std::string csv_record(const std::vector<std::string>& fields);
// A JSON value as one CSV field: strings raw, numbers in decimal, booleans true/false,
// null or missing as empty, anything else as its JSON text.
std::string csv_field(const boost::json::value* v);
// o[key] as one CSV field (empty when missing).
std::string csv_field(const boost::json::object& o, std::string_view key);

// `-o csv` of list and attention: one row per order, these columns (details and secrets are
// not in it; `portctl show` has them).
inline const std::vector<std::string> order_columns{
    "id", "number", "kind", "state", "needs_attention", "attention_reason", "state_since",
    "remote_order_id", "remote_status", "remote_message", "client_ref", "group", "created_at",
    "updated_at"};
std::vector<std::string> order_fields(const boost::json::object& order);
// `-o csv` of events: one row per event.
inline const std::vector<std::string> event_columns{
    "id", "at", "order_id", "type", "from_state", "to_state", "remote_status", "actor", "message"};
std::vector<std::string> event_fields(const boost::json::object& event);

// The columns `portctl import` understands (the header row names them, in any order).
inline const std::vector<std::string> import_columns{
    "client_ref", "number",   "carrier",        "account_number", "account_pin",
    "street1",    "street2",  "city",           "state",          "zip",
    "subscriber_name", "iccid", "classification", "port_in_date", "account_id",
    "subscriber_id", "group", "skip_eligibility"};
inline const std::vector<std::string> import_required{
    "client_ref", "number", "carrier", "account_number", "account_pin", "street1", "city",
    "state", "zip"};

// portin.submit params from one row (empty cells are left out; billing_address assembled;
// skip_eligibility "true"/"1"/"yes"). `header` names the cells.
boost::json::object row_to_params(const std::vector<std::string>& header,
                                  const std::vector<std::string>& row,
                                  const std::string& default_group);

}  // namespace portctl
