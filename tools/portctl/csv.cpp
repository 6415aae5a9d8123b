// CSV records and import rows.
#include "csv.hpp"

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
