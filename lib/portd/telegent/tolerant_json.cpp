// Tolerant JSON access (see tolerant_json.hpp).
#include <portd/telegent/tolerant_json.hpp>

#include <boost/json/parse.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace portd::telegent::json_access {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  const double d = v.get_double();
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e18) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

const json::value* find(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key)) return v;
  for (const auto& kv : o) {
    if (iequals(kv.key(), key)) return &kv.value();
  }
  return nullptr;
}

const json::value* find_any(const json::object& o, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    if (const auto* v = find(o, k)) {
      if (!v->is_null()) return v;
    }
  }
  return nullptr;
}

std::optional<std::string> get_string(const json::object& o,
                                      std::initializer_list<std::string_view> keys) {
  const auto* v = find_any(o, keys);
  if (!v) return std::nullopt;
  if (const auto* s = v->if_string()) return std::string(s->data(), s->size());
  if (v->is_number()) return number_text(*v);
  return std::nullopt;
}

std::optional<bool> get_bool(const json::object& o, std::initializer_list<std::string_view> keys) {
  const auto* v = find_any(o, keys);
  if (!v) return std::nullopt;
  if (const auto* b = v->if_bool()) return *b;
  if (const auto* s = v->if_string()) {
    if (iequals(*s, "true") || iequals(*s, "yes")) return true;
    if (iequals(*s, "false") || iequals(*s, "no")) return false;
    return std::nullopt;
  }
  if (v->is_int64()) {
    if (v->get_int64() == 0) return false;
    if (v->get_int64() == 1) return true;
  }
  if (v->is_uint64()) {
    if (v->get_uint64() == 0) return false;
    if (v->get_uint64() == 1) return true;
  }
  return std::nullopt;
}

std::optional<double> get_seconds(const json::object& o,
                                  std::initializer_list<std::string_view> keys) {
  const auto* v = find_any(o, keys);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  if (const auto* s = v->if_string()) {
    std::string text(s->data(), s->size());
    while (!text.empty() && text.back() == ' ') text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(text.begin());
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d)) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

std::optional<std::string> to_e164(const json::value& v) {
  std::string text;
  if (const auto* s = v.if_string()) {
    text.assign(s->data(), s->size());
  } else if (v.is_int64() || v.is_uint64() || v.is_double()) {
    if (v.is_int64() && v.get_int64() <= 0) return std::nullopt;
    text = number_text(v);
  } else {
    return std::nullopt;
  }
  std::string digits;
  bool plus = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') {
      continue;  // formatting
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  // Telegent numbers are North American: ten bare digits lack the country code.
  if (!plus && digits.size() == 10) digits.insert(0, "1");
  if (digits.size() < 8 || digits.size() > 15) return std::nullopt;
  return "+" + digits;
}

std::optional<json::value> parse(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace portd::telegent::json_access
