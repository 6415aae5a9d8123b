// CSV records and import rows.
#include "csv.hpp"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <stdexcept>

namespace portctl {

std::optional<std::vector<std::string>> read_csv_record(std::istream& in) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, any = false;
  char c;
  while (in.get(c)) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get(c);
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      if (!field.empty() && field.back() == '\r') field.pop_back();
      fields.push_back(std::move(field));
      return fields;
    } else {
      field += c;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quoted field at the end of the file");
  if (!any) return std::nullopt;
  if (!field.empty() && field.back() == '\r') field.pop_back();
  fields.push_back(std::move(field));
  return fields;
}

bool strip_utf8_bom(std::string& cell) {
  if (!cell.starts_with("\xEF\xBB\xBF")) return false;
  cell.erase(0, 3);
  return true;
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    if (f.find_first_of(",\"\r\n") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
  return out;
}

std::string csv_field(const boost::json::value* v) {
  if (!v || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  if (v->is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v->as_double());
    return buf;
  }
  return boost::json::serialize(*v);
}

std::string csv_field(const boost::json::object& o, std::string_view key) {
  return csv_field(o.if_contains(key));
}

namespace {
std::vector<std::string> fields_of(const boost::json::object& o, const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& c : columns) out.push_back(csv_field(o, c));
  return out;
}
}  // namespace

std::vector<std::string> order_fields(const boost::json::object& order) { return fields_of(order, order_columns); }
std::vector<std::string> event_fields(const boost::json::object& event) { return fields_of(event, event_columns); }

boost::json::object row_to_params(const std::vector<std::string>& header,
                                  const std::vector<std::string>& row,
                                  const std::string& default_group) {
  boost::json::object p, address;
  for (std::size_t i = 0; i < header.size() && i < row.size(); ++i) {
    const std::string& key = header[i];
    const std::string& v = row[i];
    if (v.empty()) continue;
    if (key == "street1" || key == "street2" || key == "city" || key == "state" || key == "zip")
      address[key] = v;
    else if (key == "skip_eligibility")
      p[key] = v == "true" || v == "1" || v == "yes";
    else
      p[key] = v;
  }
  if (!address.empty()) p["billing_address"] = std::move(address);
  if (!p.contains("group") && !default_group.empty()) p["group"] = default_group;
  return p;
}

}  // namespace portctl
