// Building Telegent request bodies from orders (see request.hpp).
#include <portd/telegent/dates.hpp>
#include <portd/telegent/request.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace portd::telegent {

namespace json = boost::json;

std::string_view to_string(http_method m) { return m == http_method::get ? "GET" : "POST"; }
std::ostream& operator<<(std::ostream& os, http_method m) { return os << to_string(m); }
std::string_view to_string(date_style d) { return d == date_style::iso ? "iso" : "us"; }
std::ostream& operator<<(std::ostream& os, date_style d) { return os << to_string(d); }

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

namespace {

void put_if(json::object& body, std::string_view key, const std::string& value) {
  if (!value.empty()) body[key] = value;
}

bool any(const porting::billing_address& a) {
  return !a.street1.empty() || !a.street2.empty() || !a.city.empty() || !a.state.empty() ||
         !a.zip.empty();
}

json::object address(const porting::billing_address& a) {
  return json::object{{"Street1", a.street1},
                      {"Street2", a.street2},
                      {"City", a.city},
                      {"State", a.state},
                      {"Zip", a.zip}};
}

std::string port_in_date(const std::string& iso, date_style dates) {
  if (dates == date_style::us) {
    if (auto us = iso_date_to_us(iso)) return *us;
  }
  return iso;
}

// The optional fields that submit and update send alike: only when set.
void put_optional(json::object& body, const porting::order_details& d, date_style dates, request_spec& spec) {
  put_if(body, "TargetPortinClassification", d.classification);
  put_if(body, "SubscriberName", d.subscriber_name);
  put_if(body, "ICCID", d.iccid);
  if (!d.port_in_date.empty()) {
    body["PortInDate"] = port_in_date(d.port_in_date, dates);
    spec.has_port_in_date = true;
  }
}

// The correction fields shared by submit and update.
void put_details(json::object& body, const porting::order& o, date_style dates, request_spec& spec) {
  const auto& d = o.details;
  put_if(body, "CurrentCarrierName", d.carrier);
  put_if(body, "CurrentAccountNumber", d.account_number);
  if (!o.secrets.account_pin.empty()) {
    body["CurrentAccountPassword"] = o.secrets.account_pin;
    spec.secrets.push_back(o.secrets.account_pin);
  }
  if (any(d.billing_address)) body["CurrentBillingAddress"] = address(d.billing_address);
  put_optional(body, d, dates, spec);
}

}  // namespace

request_spec build_request(const porting::order& o, porting::call_kind kind,
                           std::string_view eligibility_classification, date_style dates) {
  request_spec spec;
  spec.resend_if_stale = kind == porting::call_kind::eligibility || kind == porting::call_kind::status;
  json::object body;
  auto need_order_id = [&] {
    if (o.remote_order_id.empty()) spec.problem = "the order has no Telegent OrderId yet";
    body["OrderId"] = o.remote_order_id;
  };
  switch (kind) {
    case porting::call_kind::eligibility:
      spec.path = paths::eligibility;
      body["PhoneNumber"] = o.number;
      body["TargetClassification"] = std::string(eligibility_classification);
      break;
    case porting::call_kind::submit_port_in: {
      spec.path = paths::port_in;
      const auto& d = o.details;
      // Required fields are always sent, even empty, so that Telegent names what is missing.
      body["PortInNumber"] = o.number;
      body["CurrentCarrierName"] = d.carrier;
      body["CurrentAccountNumber"] = d.account_number;
      body["CurrentAccountPassword"] = o.secrets.account_pin;
      if (!o.secrets.account_pin.empty()) spec.secrets.push_back(o.secrets.account_pin);
      body["CurrentBillingAddress"] = address(d.billing_address);
      put_optional(body, d, dates, spec);
      break;
    }
    case porting::call_kind::submit_port_out:
      spec.path = paths::port_out;
      body["PortOutNumber"] = o.number;
      body["PortOutPIN"] = o.secrets.port_out_pin;
      if (o.secrets.port_out_pin.empty()) spec.problem = "the port-out order has no PIN";
      else spec.secrets.push_back(o.secrets.port_out_pin);
      break;
    case porting::call_kind::update:
      spec.path = paths::update;
      need_order_id();
      put_details(body, o, dates, spec);
      break;
    case porting::call_kind::cancel:
      spec.path = paths::cancel;
      need_order_id();
      break;
    case porting::call_kind::status:
      spec.method = http_method::get;
      spec.path = paths::order;
      if (o.remote_order_id.empty()) spec.problem = "the order has no Telegent OrderId yet";
      spec.target = spec.path + "?OrderId=" + url_encode(o.remote_order_id);
      return spec;
  }
  spec.target = spec.path;
  spec.body = json::serialize(body);
  return spec;
}

request_spec build_token_request(std::string_view account_key, std::string_view account_secret,
                                 std::string_view api_endpoint) {
  request_spec spec;
  spec.path = paths::token;
  spec.target = spec.path;
  json::object body{{"AccountKey", account_key},
                    {"AccountSecret", account_secret},
                    {"ApiEndpoint", api_endpoint}};
  spec.body = json::serialize(body);
  if (!account_secret.empty()) spec.secrets.emplace_back(account_secret);
  return spec;
}

}  // namespace portd::telegent
