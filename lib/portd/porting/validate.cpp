// Input validation: phone numbers, ICCIDs, USPS codes, ZIPs, dates, identifiers, PINs.
#include <portd/porting/validate.hpp>

#include <algorithm>
#include <array>

namespace portd::porting {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool all_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), is_digit); }

invalid_field fail(std::string_view field, std::string_view what) {
  return {std::string(field), std::string(field) + " " + std::string(what)};
}

std::string join(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  return std::string(prefix) + "." + std::string(name);
}

constexpr std::array<std::string_view, 63> usps_codes{
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW",
    "AA", "AE", "AP"};

}  // namespace

checked_string normalize_e164(std::string_view text, std::string_view field) {
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    s.push_back(c);
  }
  if (s.empty()) return {{}, fail(field, "must not be empty")};
  const std::string_view what =
      "must be an E.164 number ('+' then 8 to 15 digits, e.g. +18015551234) "
      "or a 10/11-digit US number";
  if (s[0] == '+') {
    std::string_view d = std::string_view(s).substr(1);
    if (d.size() < 8 || d.size() > 15 || !all_digits(d) || d[0] == '0')
      return {{}, fail(field, what)};
    return {s, std::nullopt};
  }
  if (!all_digits(s)) return {{}, fail(field, what)};
  // NANP: area code and exchange start with 2–9.
  auto nanp = [](std::string_view ten) { return ten[0] >= '2' && ten[3] >= '2'; };
  if (s.size() == 10 && nanp(s)) return {"+1" + s, std::nullopt};
  if (s.size() == 11 && s[0] == '1' && nanp(std::string_view(s).substr(1)))
    return {"+" + s, std::nullopt};
  return {{}, fail(field, what)};
}

std::optional<invalid_field> check_iccid(std::string_view s, std::string_view field) {
  if (s.size() < 19 || s.size() > 20)
    return fail(field, "must be 19 or 20 characters (digits, optionally ending in F)");
  std::string_view body = s;
  if (body.back() == 'F' || body.back() == 'f') body.remove_suffix(1);
  if (!all_digits(body))
    return fail(field, "must be digits (only the last character may be F)");
  return std::nullopt;
}

bool is_us_state(std::string_view s) {
  return std::find(usps_codes.begin(), usps_codes.end(), s) != usps_codes.end();
}

std::optional<invalid_field> check_us_state(std::string_view s, std::string_view field) {
  if (!is_us_state(s))
    return fail(field, "must be a two-letter USPS state code in upper case (e.g. UT, DC, PR)");
  return std::nullopt;
}

std::optional<invalid_field> check_zip(std::string_view s, std::string_view field) {
  bool ok = (s.size() == 5 && all_digits(s)) ||
            (s.size() == 10 && s[5] == '-' && all_digits(s.substr(0, 5)) &&
             all_digits(s.substr(6)));
  if (!ok) return fail(field, "must be a ZIP code: 5 digits or 5+4 digits (84043 or 84043-1234)");
  return std::nullopt;
}

bool is_calendar_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2)))
    return false;
  int y = std::stoi(std::string(s.substr(0, 4)));
  int m = std::stoi(std::string(s.substr(5, 2)));
  int d = std::stoi(std::string(s.substr(8, 2)));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max = days[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max;
}

std::optional<invalid_field> check_date(std::string_view s, std::string_view field) {
  if (!is_calendar_date(s)) return fail(field, "must be a real calendar date as YYYY-MM-DD");
  return std::nullopt;
}

std::optional<invalid_field> check_classification(std::string_view s, std::string_view field) {
  if (s != "mvno" && s != "iot") return fail(field, "must be \"mvno\" or \"iot\"");
  return std::nullopt;
}

std::optional<invalid_field> check_prefixed_id(std::string_view s, std::string_view prefix,
                                               std::string_view field) {
  std::string what = "must be " + std::string(prefix) + " followed by 1 to 200 letters, digits, "
                     "'-', '_' or '.'";
  if (s.size() <= prefix.size() || s.substr(0, prefix.size()) != prefix ||
      s.size() - prefix.size() > 200)
    return fail(field, what);
  for (char c : s.substr(prefix.size()))
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return fail(field, what);
  return std::nullopt;
}

std::optional<invalid_field> check_text(std::string_view s, std::string_view field,
                                        std::size_t max, bool allow_empty) {
  if (s.empty() && !allow_empty) return fail(field, "must not be empty");
  if (s.size() > max)
    return fail(field, "must be at most " + std::to_string(max) + " characters long");
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return fail(field, "must not contain control characters");
  return std::nullopt;
}

std::optional<invalid_field> check_pin(std::string_view s, std::string_view field) {
  if (s.size() < 4 || s.size() > 20 || !std::all_of(s.begin(), s.end(), is_alnum))
    return fail(field, "must be 4 to 20 letters or digits");
  return std::nullopt;
}

std::optional<invalid_field> check_account_number(std::string_view s, std::string_view field) {
  if (s.empty()) return fail(field, "must not be empty");
  if (s.size() > 50) return fail(field, "must be at most 50 characters long");
  for (char c : s)
    if (!is_alnum(c) && c != '-') return fail(field, "must be letters, digits or '-'");
  return std::nullopt;
}

std::optional<invalid_field> check_billing_address(const billing_address& a,
                                                   std::string_view field) {
  if (auto e = check_text(a.street1, join(field, "street1"))) return e;
  if (auto e = check_text(a.street2, join(field, "street2"), max_text_length, true)) return e;
  if (auto e = check_text(a.city, join(field, "city"))) return e;
  if (auto e = check_us_state(a.state, join(field, "state"))) return e;
  if (auto e = check_zip(a.zip, join(field, "zip"))) return e;
  return std::nullopt;
}

std::optional<invalid_field> check_details(const order_details& d, std::string_view prefix) {
  if (auto e = check_text(d.carrier, join(prefix, "carrier"))) return e;
  if (auto e = check_account_number(d.account_number, join(prefix, "account_number"))) return e;
  if (auto e = check_billing_address(d.billing_address, join(prefix, "billing_address")))
    return e;
  if (auto e = check_text(d.subscriber_name, join(prefix, "subscriber_name"), max_text_length,
                          true))
    return e;
  if (!d.iccid.empty())
    if (auto e = check_iccid(d.iccid, join(prefix, "iccid"))) return e;
  if (auto e = check_classification(d.classification, join(prefix, "classification"))) return e;
  if (!d.port_in_date.empty())
    if (auto e = check_date(d.port_in_date, join(prefix, "port_in_date"))) return e;
  if (!d.account_id.empty())
    if (auto e = check_prefixed_id(d.account_id, "AID-", join(prefix, "account_id"))) return e;
  if (!d.subscriber_id.empty())
    if (auto e = check_prefixed_id(d.subscriber_id, "TSUID-", join(prefix, "subscriber_id")))
      return e;
  return std::nullopt;
}

}  // namespace portd::porting
