// CSV reading for `portctl import` (RFC 4180: commas, double quotes, "" inside quotes, CRLF or
// LF line ends, quoted fields may span lines). Pure.
#pragma once
#include <boost/json/object.hpp>

#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace portctl {

// The next record's fields, or nullopt at the end of input. Throws std::runtime_error on an
// unterminated quote.
std::optional<std::vector<std::string>> read_csv_record(std::istream&);

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
