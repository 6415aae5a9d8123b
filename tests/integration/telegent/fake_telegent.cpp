// The fake Telegent of fake_telegent.hpp: routes over the common loopback server.
#include "fake_telegent.hpp"

#include <chrono>
#include <ctime>

namespace portd::test {

namespace {

// tokenExpiry as Telegent writes it: "05/02/2026 06:36:13 PM", UTC without a zone.
std::string us_expiry(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%m/%d/%Y %I:%M:%S %p", &tm);
  return buf;
}

bool is_token(const fake_request& r) { return r.target.find("/oauth2/tokens") != std::string::npos; }

}  // namespace

fake_reply answer_then_close(std::string body, int status) {
  return loopback_reply::bytes("HTTP/1.1 " + std::to_string(status) +
                               " OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                               "Content-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body);
}

fake_telegent::fake_telegent(boost::asio::io_context& ioc, const tls_certificate* cert) : server_(ioc, cert) {
  on_token = [this](const fake_request&) { return default_token_reply(); };
  on_api = [](const fake_request&) {
    return fake_reply::with(200, R"({"OrderId":"JNUOID-1","Status":"Pending","OrderStatus":"Pending","Eligible":true})");
  };
  server_.on_request = [this](const loopback_request& r) {
    fake_request fr{r.method, r.target, r.body, r.header("authorization"), r.connection};
    requests.push_back(fr);
    return is_token(fr) ? on_token(fr) : on_api(fr);
  };
}

fake_reply fake_telegent::default_token_reply() {
  return fake_reply::with(200, R"({"token":"tok-)" + std::to_string(++tokens_issued_) +
                                   R"(","successful":true,"tokenExpiry":")" +
                                   us_expiry(std::chrono::system_clock::now() + std::chrono::hours(1)) + R"("})");
}

std::vector<fake_request> fake_telegent::token_requests() const {
  std::vector<fake_request> out;
  for (const auto& r : requests)
    if (is_token(r)) out.push_back(r);
  return out;
}

std::vector<fake_request> fake_telegent::api_requests() const {
  std::vector<fake_request> out;
  for (const auto& r : requests)
    if (!is_token(r)) out.push_back(r);
  return out;
}

}  // namespace portd::test
