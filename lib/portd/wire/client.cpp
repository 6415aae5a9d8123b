// Blocking control-socket client.
#include <portd/wire/client.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

namespace json = boost::json;

namespace portd::wire {

std::string default_socket_path() {
  if (const char* env = std::getenv("PORTD_SOCKET"); env && *env) return env;
  return "/run/portd/portd.sock";
}

rpc_error error_from_json(const json::value& v) {
  rpc_error e;
  if (!v.is_object()) {
    e.reason = "internal_error";
    e.message = "the daemon sent a malformed error";
    return e;
  }
  const auto& o = v.as_object();
  if (auto* c = o.if_contains("code"); c && c->is_int64()) e.code = static_cast<int>(c->as_int64());
  if (auto* m = o.if_contains("message"); m && m->is_string()) e.message = m->as_string();
  if (auto* d = o.if_contains("data"); d && d->is_object()) {
    e.data = d->as_object();
    if (auto* r = e.data.if_contains("reason"); r && r->is_string()) e.reason = r->as_string();
    e.data.erase("reason");
  }
  return e;
}

client::client(const std::string& path, std::chrono::milliseconds timeout) : timeout_(timeout) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) throw connect_error("socket path too long: " + path);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw connect_error(std::string("socket: ") + std::strerror(errno));
  // A Unix socket's connect() waits for room in the listener's backlog, and send() for room
  // in its buffer, for at most SO_SNDTIMEO.
  if (timeout_.count() > 0) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EAGAIN || err == EINPROGRESS) throw timeout_error(timed_out());
    throw connect_error("cannot connect to " + path + ": " + std::strerror(err), err);
  }
}

client::~client() {
  if (fd_ >= 0) ::close(fd_);
}

std::string client::timed_out() const {
  const auto ms = timeout_.count();
  const std::string n = ms % 1000 ? std::to_string(ms) + " ms" : std::to_string(ms / 1000) + " s";
  return "portd did not answer in " + n + " (--timeout)";
}

void client::send_line(std::string_view line) {
  std::string data(line);
  data.push_back('\n');
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) throw timeout_error(timed_out());
      throw transport_error(std::string("write to the daemon failed: ") + std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
}

std::optional<std::string> client::read_line() { return read_line(std::nullopt); }

std::optional<std::string> client::read_line(std::chrono::milliseconds timeout) {
  return read_line(std::chrono::steady_clock::now() + timeout);
}

std::optional<std::string> client::read_line(deadline until) {
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (until) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(*until - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) throw timeout_error(timed_out());
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return std::nullopt;
      throw transport_error(std::string("read from the daemon failed: ") + std::strerror(errno));
    }
    if (n == 0) {
      if (buffer_.empty()) return std::nullopt;
      std::string rest = std::move(buffer_);
      buffer_.clear();
      return rest;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

namespace {
json::object parse_message(const std::string& line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec || !v.is_object()) throw transport_error("the daemon sent a line that is not a JSON object");
  return std::move(v.as_object());
}
}  // namespace

outcome<json::value> client::call(std::string_view method, json::object params) {
  std::int64_t id = next_id_++;
  json::object req;
  req["jsonrpc"] = "2.0";
  req["id"] = id;
  req["method"] = method;
  req["params"] = std::move(params);
  send_line(json::serialize(req));
  deadline until;
  if (timeout_.count() > 0) until = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    auto line = read_line(until);
    if (!line) throw transport_error("the daemon closed the connection before answering");
    json::object msg = parse_message(*line);
    if (!msg.contains("id")) continue;  // a notification: not ours to handle here
    const json::value& rid = msg["id"];
    if (auto* e = msg.if_contains("error")) {
      if (!rid.is_null() && !(rid.is_int64() && rid.as_int64() == id)) continue;
      return error_from_json(*e);
    }
    if (!(rid.is_int64() && rid.as_int64() == id)) continue;
    if (auto* r = msg.if_contains("result")) return std::move(*r);
    throw transport_error("the daemon's response has neither result nor error");
  }
}

outcome<std::int64_t> client::watch(std::optional<std::int64_t> after, std::int64_t order_id) {
  json::object p;
  if (after) p["after"] = *after;
  if (order_id) p["order_id"] = order_id;
  auto r = call("events.watch", std::move(p));
  if (!r.ok()) return std::move(r.error());
  auto& v = r.value();
  if (!v.is_object() || !v.as_object().contains("after") || !v.as_object()["after"].is_int64())
    throw transport_error("the daemon's watch reply has no \"after\"");
  return v.as_object()["after"].as_int64();
}

std::optional<notification> client::next_notification() {
  for (;;) {
    auto line = read_line();
    if (!line) return std::nullopt;
    json::object msg = parse_message(*line);
    auto* m = msg.if_contains("method");
    if (!m || !m->is_string() || msg.contains("id")) continue;
    notification n;
    n.method = m->as_string();
    if (auto* p = msg.if_contains("params")) n.params = std::move(*p);
    return n;
  }
}

}  // namespace portd::wire
