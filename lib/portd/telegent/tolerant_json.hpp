// Checked, case-insensitive access to Telegent's JSON (keys arrive PascalCase or camelCase, numbers
// as strings or JSON numbers). Nothing here throws on a missing or mistyped field.
#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace portd::telegent::json_access {

namespace json = boost::json;

// The member named `key` in any letter case (an exact match wins), or nullptr.
const json::value* find(const json::object& o, std::string_view key);
// The first of `keys` present (each in any letter case), or nullptr.
const json::value* find_any(const json::object& o, std::initializer_list<std::string_view> keys);

// A string member; a JSON number is given as its decimal text. nullopt if absent, null or
// another type.
std::optional<std::string> get_string(const json::object& o,
                                      std::initializer_list<std::string_view> keys);
// A boolean member: true/false, "true"/"false"/"yes"/"no" (any case), or 0/1.
std::optional<bool> get_bool(const json::object& o, std::initializer_list<std::string_view> keys);
// Seconds as a JSON number or a numeric string ("60", "1.5").
std::optional<double> get_seconds(const json::object& o,
                                  std::initializer_list<std::string_view> keys);

// A phone number as E.164 from an E.164 string, bare digits (a leading '+' is added; ten
// digits are taken as a NANP number and get "+1") or a JSON number. nullopt if it is none.
std::optional<std::string> to_e164(const json::value& v);

// Parses `body` as JSON; nullopt on a syntax error (never throws).
std::optional<json::value> parse(std::string_view body);

bool iequals(std::string_view a, std::string_view b);

}  // namespace portd::telegent::json_access
