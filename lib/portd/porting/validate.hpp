// Input validation for what operators and CRMs send: phone numbers, ICCIDs, addresses, dates,
// identifiers, PINs. Pure. Every failure names the field (as the protocol spells it, e.g.
// "billing_address.zip") and says what is wrong, without ever echoing the value (it may be a
// secret or an account number).
#pragma once
#include <portd/porting/order.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace portd::porting {

struct invalid_field {
  std::string field;    // "billing_address.zip"
  std::string message;  // "billing_address.zip must be 5 digits or 5+4 digits (12345-6789)"
  bool operator==(const invalid_field&) const = default;
};

// Either the accepted (normalised) value or why it was refused.
struct checked_string {
  std::string value;
  std::optional<invalid_field> error;
  bool ok() const { return !error.has_value(); }
};

inline constexpr std::size_t max_text_length = 200;   // names, carriers, refs, streets
inline constexpr std::size_t max_long_text_length = 1000;  // notes, cancel reasons

// E.164: '+' then 8–15 digits, the first not 0. Spaces, '-', '.', '(' and ')' are ignored.
// US forms are accepted and normalised: 10 digits NXXNXXXXXX -> "+1NXXNXXXXXX", 11 digits
// "1NXX…" -> "+1NXX…". Returns the E.164 form.
checked_string normalize_e164(std::string_view text, std::string_view field = "number");

// ICCID: 19 or 20 characters, digits, the last may be 'F'/'f' (padding). The Luhn check digit
// is not verified: carriers issue test and legacy ICCIDs that fail it, and Telegent checks.
std::optional<invalid_field> check_iccid(std::string_view, std::string_view field = "iccid");
// A USPS state code: 50 states, DC, territories and freely associated states (AS GU MP PR VI
// UM FM MH PW) and military (AA AE AP).
// Upper case only.
std::optional<invalid_field> check_us_state(std::string_view, std::string_view field);
bool is_us_state(std::string_view);
// ZIP: "12345" or "12345-6789".
std::optional<invalid_field> check_zip(std::string_view, std::string_view field);
// YYYY-MM-DD, a real calendar date (leap years included), years 1900–9999.
std::optional<invalid_field> check_date(std::string_view, std::string_view field);
bool is_calendar_date(std::string_view);
// "mvno" or "iot".
std::optional<invalid_field> check_classification(std::string_view,
                                                  std::string_view field = "classification");
// `prefix` then 1–200 characters of [A-Za-z0-9-_.]: "AID-…", "TSUID-…".
std::optional<invalid_field> check_prefixed_id(std::string_view, std::string_view prefix,
                                               std::string_view field);
// Non-empty (unless allow_empty), at most `max` characters (UTF-8 bytes), no control characters.
std::optional<invalid_field> check_text(std::string_view, std::string_view field,
                                        std::size_t max = max_text_length,
                                        bool allow_empty = false);
// PIN or carrier account passcode: 4–20 letters or digits.
std::optional<invalid_field> check_pin(std::string_view, std::string_view field);

// The whole of a port-in's details: carrier, account_number (1–50 letters/digits/-), billing
// address, and the optional subscriber_name, iccid, classification, port_in_date, account_id,
// subscriber_id (empty = not given). Returns the first problem. `prefix` is prepended to
// field names ("" at the top level).
std::optional<invalid_field> check_details(const order_details&, std::string_view prefix = "");
std::optional<invalid_field> check_billing_address(const billing_address&,
                                                   std::string_view field = "billing_address");
std::optional<invalid_field> check_account_number(std::string_view,
                                                  std::string_view field = "account_number");

}  // namespace portd::porting
