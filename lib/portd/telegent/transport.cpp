// Telegent's request shape and failure terms over http::client (see transport.hpp).
#include <portd/telegent/transport.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

namespace portd::telegent {

namespace beast_http = boost::beast::http;

namespace {

http::client_config client_config_of(transport_config cfg) {
  http::client_config c;
  c.origin = std::move(cfg.where);
  c.ca_file = std::move(cfg.ca_file);
  c.phase_timeout = cfg.timeout;
  c.max_connections = cfg.max_connections;
  c.max_response_bytes = cfg.max_response_bytes;
  c.proxy = std::move(cfg.proxy);
  return c;
}

// Telegent's failure phases: a proxy's tunnel is part of connecting.
failure_phase phase_of(http::phase p) {
  switch (p) {
    case http::phase::resolve: return failure_phase::resolve;
    case http::phase::connect:
    case http::phase::tunnel: return failure_phase::connect;
    case http::phase::tls: return failure_phase::tls;
    case http::phase::write: return failure_phase::write;
    case http::phase::read: return failure_phase::read;
    case http::phase::local: return failure_phase::local;
  }
  return failure_phase::local;
}

}  // namespace

transport::transport(boost::asio::any_io_executor ex, transport_config cfg)
    : net_(std::move(ex), client_config_of(std::move(cfg))) {}

boost::asio::awaitable<exchange_result> transport::exchange(http_method method, std::string_view target,
                                                           std::string_view body, std::string_view bearer,
                                                           bool resend_if_stale, std::function<bool()> may_send,
                                                           write_gate before_write) {
  http::request req{method == http_method::get ? beast_http::verb::get : beast_http::verb::post,
                    std::string(target), 11};
  req.set(beast_http::field::accept, "application/json");
  if (!bearer.empty()) req.set(beast_http::field::authorization, "Bearer " + std::string(bearer));
  if (method == http_method::post) {
    req.set(beast_http::field::content_type, "application/json");
    req.body() = std::string(body);
  }
  // A named local: GCC 12 destroys a temporary that lives across a co_await twice.
  http::exchange_options opts{resend_if_stale, std::move(may_send), std::move(before_write)};
  auto r = co_await net_.exchange(std::move(req), std::move(opts));
  exchange_result out;
  out.withheld = r.withheld;
  if (r.answer) {
    http_answer a;
    a.status = static_cast<int>(r.answer->result_int());
    a.retry_after = std::string((*r.answer)[beast_http::field::retry_after]);
    a.body = std::move(r.answer->body());
    out.answer = std::move(a);
  } else {
    out.failure = {phase_of(r.failed.phase), r.failed.ec,        r.failed.sent,
                   r.failed.timed_out,       r.failed.too_large, std::move(r.failed.detail)};
  }
  co_return out;
}

}  // namespace portd::telegent
