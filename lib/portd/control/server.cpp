// The control socket server: accept loop, per-connection reader/writer/watchdog coroutines,
// in-order replies for pipelined requests, and events.watch streams.
#include <portd/control/server.hpp>

#include <portd/control/line_reader.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/object.hpp>

#include <spdlog/spdlog.h>

#include <array>
#include <algorithm>
#include <deque>
#include <stdexcept>
#include <unordered_set>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace json = boost::json;
using local_socket = asio::local::stream_protocol::socket;
using steady = std::chrono::steady_clock;

namespace portd::control {

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// A never-expiring steady_timer used as a condition: wait() parks, notify() releases every
// waiter (who re-check their condition). Single thread, so a notify() cannot fall between a
// waiter's check and its wait.
struct signal {
  explicit signal(asio::any_io_executor ex) : timer(ex, steady::time_point::max()) {}
  asio::awaitable<void> wait() { co_await timer.async_wait(use_nothrow); }
  void notify() { timer.cancel(); }
  asio::steady_timer timer;
};

struct slot {
  std::uint64_t seq = 0;
  bool ready = false;
  bool is_event = false;
  std::string text;
};

}  // namespace

struct connection {
  connection(local_socket s, asio::any_io_executor ex, std::size_t line_limit)
      : socket(std::move(s)), writer_wake(ex), reader_wake(ex), watchdog(ex),
        lines(line_limit) {}

  local_socket socket;
  caller who;
  signal writer_wake, reader_wake;
  asio::steady_timer watchdog;
  line_reader lines;  // read from the socket, not taken yet

  std::deque<slot> queue;  // replies and notifications, in the order they must be written
  std::uint64_t next_seq = 0;
  std::size_t unanswered = 0;     // slots not ready yet
  std::size_t in_flight = 0;      // requests (notifications included) still being handled
  std::size_t queued_bytes = 0;   // bytes of ready slots not yet written
  std::size_t queued_events = 0;  // event notifications not yet written

  bool closed = false;
  bool stop_reading = false;
  bool close_after_flush = false;
  bool watching = false;
  bool subscribed = false;
  subscription sub;
  std::int64_t last_event_id = 0;  // the newest event sent to a watcher: no duplicates

  steady::time_point last_activity = steady::now();
  bool writing = false;
  steady::time_point write_started{};

  struct backlog backlog() const { return {unanswered, in_flight, queued_bytes}; }

  slot* find(std::uint64_t seq) {
    if (queue.empty() || seq < queue.front().seq) return nullptr;
    std::size_t i = seq - queue.front().seq;
    return i < queue.size() ? &queue[i] : nullptr;
  }
  std::uint64_t reserve() {
    queue.push_back({next_seq, false, false, {}});
    ++unanswered;
    return next_seq++;
  }
  void push_ready(std::string text, bool is_event) {
    queued_bytes += text.size();
    if (is_event) ++queued_events;
    queue.push_back({next_seq++, true, is_event, std::move(text)});
    writer_wake.notify();
  }
  void fill(std::uint64_t seq, std::string text) {
    if (slot* s = find(seq)) {
      queued_bytes += text.size();
      s->text = std::move(text);
      s->ready = true;
      --unanswered;
      writer_wake.notify();
    }
  }
};

struct server::impl {
  impl(asio::any_io_executor ex, service::order_service& b, server_options o)
      : executor(ex), acceptor(ex), opts(std::move(o)), dispatch(b, opts.protocol, &opts.access),
        daemon_uid(static_cast<std::uint32_t>(geteuid())), retry_timer(ex), drained(ex) {}

  asio::any_io_executor executor;
  asio::local::stream_protocol::acceptor acceptor;
  server_options opts;
  dispatcher dispatch;
  std::uint32_t daemon_uid;
  asio::steady_timer retry_timer;
  asio::steady_timer drained;  // cancelled when the last connection closes while draining
  std::unordered_set<std::shared_ptr<connection>> connections;
  std::filesystem::path created_path;
  bool stopped = false;
  bool draining = false;  // drain(): no new lines are run; connections close once answered

  // ---- accepting ----

  asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    while (!stopped) {
      auto [ec, sock] = co_await acceptor.async_accept(use_nothrow);
      if (stopped || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // EMFILE and friends: the socket stays usable; try again shortly.
        spdlog::warn("control: accept failed: {}", ec.message());
        retry_timer.expires_after(std::chrono::milliseconds(100));
        co_await retry_timer.async_wait(use_nothrow);
        continue;
      }
      if (connections.size() >= opts.max_connections) {  // full: nobody is identified
        refuse(sock);
        continue;
      }
      auto conn = std::make_shared<connection>(std::move(sock), executor, opts.max_line_bytes);
      conn->who = identify(conn->socket);
      if (!has_slot(conn->who.role)) {
        refuse(conn->socket);
        continue;
      }
      spdlog::debug("control: connection from uid {} gid {} pid {}: role {}", conn->who.uid,
                    conn->who.gid, conn->who.pid, to_string(conn->who.role));
      connections.insert(conn);
      asio::co_spawn(executor, reader(self, conn), asio::detached);
      asio::co_spawn(executor, writer(self, conn), asio::detached);
      asio::co_spawn(executor, watchdog(self, conn), asio::detached);
    }
  }

  // Operators may use every slot; readers and role-less peers only those not reserved for
  // operators, so that peers without rights cannot lock root out of `portctl status`.
  bool has_slot(role r) const {
    if (r == role::operator_) return connections.size() < opts.max_connections;
    const std::size_t reserve = std::min(opts.operator_reserve, opts.max_connections / 2);
    const auto others = std::count_if(connections.begin(), connections.end(), [](const auto& c) {
      return c->who.role != role::operator_;
    });
    return static_cast<std::size_t>(others) < opts.max_connections - reserve;
  }

  void refuse(local_socket& sock) {
    rpc_error e = make_error(code::unavailable, "unavailable",
                             "too many connections to the control socket; try again later");
    std::string line = render_error(nullptr, e);
    boost::system::error_code ec;
    sock.non_blocking(true, ec);
    sock.write_some(asio::buffer(line), ec);  // best effort: a fresh socket's buffer takes it
    sock.close(ec);
  }

  caller identify(local_socket& sock) {
    caller c;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      c.role = role::none;  // unknown peer: may connect, may do nothing
      c.uid = static_cast<std::uint32_t>(-1);
      return c;
    }
    c.uid = cred.uid;
    c.gid = cred.gid;
    c.pid = cred.pid;
    peer_credentials p{cred.uid, cred.gid, cred.pid};
    if (opts.classify)
      c.role = opts.classify(p);
    else
      c.role = role_for(opts.access, cred.uid, peer_groups(sock.native_handle(), cred.gid),
                        daemon_uid);
    return c;
  }

  // ---- one connection ----

  void close(const std::shared_ptr<connection>& c) {
    if (c->closed) return;
    c->closed = true;
    boost::system::error_code ec;
    c->socket.shutdown(local_socket::shutdown_both, ec);
    c->socket.close(ec);
    c->writer_wake.notify();
    c->reader_wake.notify();
    c->watchdog.cancel();
    if (c->subscribed) {
      c->subscribed = false;
      if (c->sub.cancel) c->sub.cancel();
    }
    c->queue.clear();
    connections.erase(c);
    if (draining && connections.empty()) drained.cancel();
  }

  void reply_bad(const std::shared_ptr<connection>& c, const bad_request& bad) {
    if (!bad.notification) c->push_ready(render_error(bad.id, bad.error), false);
  }

  void too_long(const std::shared_ptr<connection>& c) {
    c->push_ready(render_error(nullptr, too_long_line()), false);
    c->stop_reading = true;
    c->close_after_flush = true;
    c->writer_wake.notify();
  }

  // Answers or starts one line; true when a request was started (its reply comes later).
  bool on_line(std::shared_ptr<impl> self, const std::shared_ptr<connection>& c,
               std::string_view line) {
    if (c->watching) return false;  // a watching connection only streams; lines are ignored
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return false;  // blank line
    auto parsed = parse_request(line);
    if (auto* bad = std::get_if<bad_request>(&parsed)) {
      reply_bad(c, *bad);
      return false;
    }
    request req = std::move(std::get<request>(parsed));
    if (req.method == "events.watch") {
      start_watch(self, c, std::move(req));
      return false;
    }
    std::optional<std::uint64_t> seq;
    if (!req.notification) seq = c->reserve();
    ++c->in_flight;
    asio::co_spawn(executor, run(self, c, seq, std::move(req)), asio::detached);
    return true;
  }

  // The answer to a request that was read but will not be run because portd is stopping.
  static rpc_error not_run() {
    return make_error(code::unavailable, "unavailable",
                      "portd is stopping; the request was not run");
  }

  asio::awaitable<void> run(std::shared_ptr<impl> self, std::shared_ptr<connection> c,
                            std::optional<std::uint64_t> seq, request req) {
    std::string method = req.method;
    json::value id = req.id;
    handled h;
    try {
      if (draining)  // started before the stop, scheduled after it: not run
        h.reply = render_error(id, not_run());
      else
        h = co_await dispatch.handle(std::move(req), c->who);
    } catch (const std::exception& e) {
      spdlog::error("control: {} failed: {}", method, e.what());
      if (seq) h.reply = render_error(id, internal_error());
    }
    --c->in_flight;
    c->reader_wake.notify();
    if (c->closed || !seq) co_return;
    c->fill(*seq, h.reply ? std::move(*h.reply) : render_error(id, internal_error()));
    (void)self;
  }

  // ---- events.watch ----

  void start_watch(std::shared_ptr<impl> self, const std::shared_ptr<connection>& c,
                   request req) {
    auto ok = dispatch.admit(req, c->who);
    if (!ok.ok()) {
      if (!req.notification) c->push_ready(render_error(req.id, ok.error()), false);
      return;
    }
    if (req.notification) return;  // nobody would read the stream
    c->watching = true;
    std::uint64_t seq = c->reserve();
    asio::co_spawn(executor, watch(self, c, seq, std::move(req.id), *ok.value().watch), asio::detached);
  }

  bool deliver(const std::shared_ptr<connection>& c, const porting::stored_event& e) {
    if (c->closed || c->close_after_flush) return false;
    if (e.id <= c->last_event_id) return true;  // already sent (backlog/live overlap)
    c->last_event_id = e.id;
    c->push_ready(render_event_notification(e), true);
    if (c->queued_events > opts.max_watch_queue || c->queued_bytes > opts.max_write_buffer) {
      end_watch(c, "lagging",
                "the watcher fell too far behind; reconnect with after=" +
                    std::to_string(c->last_event_id - 1) + " to resume");
      return false;
    }
    return true;
  }

  // A final notification saying why the stream ends, then the connection closes.
  void end_watch(const std::shared_ptr<connection>& c, std::string reason, std::string message) {
    json::object p;
    p["reason"] = std::move(reason);
    p["message"] = std::move(message);
    p["last_event_id"] = c->last_event_id;
    c->push_ready(render_notification("watch.ended", std::move(p)), false);
    c->subscribed = false;  // ended from our side: the service is told by returning false
    c->stop_reading = true;
    c->close_after_flush = true;
    c->writer_wake.notify();
  }

  asio::awaitable<void> watch(std::shared_ptr<impl> self, std::shared_ptr<connection> c,
                              std::uint64_t seq, json::value id, watch_params p) {
    service::order_service& b = dispatch.service();
    auto reply = [&](std::int64_t after) {
      json::object r;
      r["watching"] = true;
      r["after"] = after;
      c->fill(seq, render_result(id, std::move(r)));
    };
    try {
      std::int64_t after = -1;
      if (p.after) {
        // Page the backlog ourselves so that a long one is written under back-pressure
        // instead of being queued all at once; the subscription then covers the rest.
        after = *p.after;
        c->last_event_id = after;
        reply(after);
        const int page = static_cast<int>(
            std::clamp<std::size_t>(opts.max_watch_queue / 2, 1, 500));
        for (;;) {
          auto events = b.list_events(c->last_event_id, p.order_id, page);
          if (c->closed) co_return;
          if (!events) {
            end_watch(c, to_rpc_error(events.error()).reason, events.error().message);
            co_return;
          }
          for (auto& e : events.value().events) deliver(c, e);
          if (c->close_after_flush) co_return;
          if (static_cast<int>(events.value().events.size()) < page ||
              !events.value().next_after)
            break;
          while (!c->closed && c->queued_events > opts.max_watch_queue / 2)
            co_await c->reader_wake.wait();
          if (c->closed) co_return;
        }
      }
      std::weak_ptr<connection> weak_conn = c;
      std::weak_ptr<impl> weak_self = self;
      auto sub = b.watch(p.after ? c->last_event_id : -1, p.order_id,
                         [weak_conn, weak_self](const porting::stored_event& e) {
                           auto conn = weak_conn.lock();
                           auto srv = weak_self.lock();
                           if (!conn || !srv || conn->closed) return false;
                           return srv->deliver(conn, e);
                         });
      if (c->closed) {
        if (sub && sub->cancel) sub->cancel();
        co_return;
      }
      if (!sub) {
        if (p.after)
          end_watch(c, to_rpc_error(sub.error()).reason, sub.error().message);
        else {
          c->fill(seq, render_error(id, to_rpc_error(sub.error())));
          c->close_after_flush = true;
        }
        co_return;
      }
      if (c->close_after_flush) {  // cut off while the backlog was delivered
        co_return;
      }
      c->sub = std::move(sub.value());
      c->subscribed = true;
      if (!p.after) {
        if (c->last_event_id < c->sub.after) c->last_event_id = c->sub.after;
        reply(c->sub.after);
      }
    } catch (const std::exception& e) {
      spdlog::error("control: events.watch failed: {}", e.what());
      if (c->closed) co_return;
      if (slot* s = c->find(seq); s && !s->ready)
        c->fill(seq, render_error(id, internal_error()));
      c->stop_reading = true;
      c->close_after_flush = true;
      c->writer_wake.notify();
    }
    (void)self;
  }

  // ---- stopping ----

  // Read but not run: answered `unavailable` (a bad line gets its usual error).
  void answer_not_run(const std::shared_ptr<connection>& c, std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    auto parsed = parse_request(line);
    if (auto* bad = std::get_if<bad_request>(&parsed))
      reply_bad(c, *bad);
    else if (auto& req = std::get<request>(parsed); !req.notification)
      c->push_ready(render_error(req.id, not_run()), false);
  }

  void drain(const std::shared_ptr<connection>& c) {
    if (c->closed || c->close_after_flush) return;
    if (c->watching) {
      if (c->subscribed && c->sub.cancel) c->sub.cancel();
      end_watch(c, "stopping",
                "portd is stopping; reconnect with after=" + std::to_string(c->last_event_id) +
                    " to resume");
      return;
    }
    // What the kernel still holds for us is taken too (up to a bound): closing a socket with
    // unread data resets the peer, which would lose the replies written before.
    std::array<char, 65536> chunk;
    std::size_t taken = 0;
    for (;;) {
      auto next = c->lines.next();
      if (next.what == line_reader::status::line) {
        answer_not_run(c, next.line);
        continue;
      }
      if (next.what == line_reader::status::too_long || taken > opts.max_line_bytes) break;
      const ssize_t n = ::recv(c->socket.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      taken += static_cast<std::size_t>(n);
      c->lines.feed({chunk.data(), static_cast<std::size_t>(n)});
    }
    c->stop_reading = true;
    c->close_after_flush = true;
    c->reader_wake.notify();
    c->writer_wake.notify();
  }

  // ---- reading, writing, timeouts ----

  asio::awaitable<void> reader(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    const backlog_limits limits{opts.max_pending_requests, opts.max_write_buffer};
    std::array<char, 65536> chunk;
    // Lines run since the loop last had a turn. Requests that arrive together are run together,
    // so that their writes share one group commit (one fsync); yielding after every line ran
    // the engine's flush between them and cost intake two thirds of its throughput.
    constexpr int lines_per_turn = 128;
    int lines_this_turn = 0;
    while (!c->closed && !c->stop_reading) {
      // Checked before every line, not every read: one read can hold hundreds of requests.
      if (!may_take_line(c->backlog(), limits)) {
        co_await c->reader_wake.wait();
        continue;
      }
      auto next = c->lines.next();
      if (next.what == line_reader::status::too_long) {
        too_long(c);
        co_return;
      }
      if (next.what == line_reader::status::line) {
        // A line is activity, a byte is not: a peer trickling a line it never ends stays idle
        // and is closed at idle_timeout instead of holding its slot for good.
        c->last_activity = steady::now();
        // Most requests are answered within on_line (co_spawn dispatches), so their replies
        // count against the limits at the next line. Every lines_per_turn lines the loop gets a
        // turn: a burst on one connection must not hold the loop from the others.
        if (on_line(self, c, next.line) && ++lines_this_turn >= lines_per_turn) {
          lines_this_turn = 0;
          co_await asio::post(executor, asio::use_awaitable);
        }
        continue;
      }
      lines_this_turn = 0;  // a read is a turn of the loop of its own
      auto [ec, n] = co_await c->socket.async_read_some(asio::buffer(chunk), use_nothrow);
      if (c->closed) co_return;
      if (c->stop_reading) break;  // drain() answered what was read; the rest is dropped
      if (ec) {
        // EOF or reset: answer what is in flight only if the peer half-closed; a watcher's
        // stream ends here.
        c->stop_reading = true;
        if (c->watching || ec != asio::error::eof) {
          close(c);
        } else {
          c->close_after_flush = true;
          c->writer_wake.notify();
        }
        co_return;
      }
      c->lines.feed({chunk.data(), n});
    }
  }

  asio::awaitable<void> writer(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    std::string out;
    while (!c->closed) {
      out.clear();
      std::size_t events = 0;
      while (!c->queue.empty() && c->queue.front().ready && out.size() < (256u << 10)) {
        slot& s = c->queue.front();
        out += s.text;
        if (s.is_event) ++events;
        c->queue.pop_front();
      }
      if (out.empty()) {
        if (c->close_after_flush && c->queue.empty()) {
          close(c);
          co_return;
        }
        co_await c->writer_wake.wait();
        continue;
      }
      c->writing = true;
      c->write_started = steady::now();
      c->watchdog.cancel();  // its deadline is now write_timeout away, not idle_timeout
      auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(out), use_nothrow);
      c->writing = false;
      if (c->closed) co_return;
      if (ec) {
        close(c);
        co_return;
      }
      c->queued_bytes -= std::min(c->queued_bytes, out.size());
      c->queued_events -= std::min(c->queued_events, events);
      c->last_activity = steady::now();
      c->reader_wake.notify();
    }
    (void)self;
  }

  asio::awaitable<void> watchdog(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    while (!c->closed) {
      auto now = steady::now();
      auto deadline = c->last_activity + opts.idle_timeout;
      if (c->writing) deadline = std::min(deadline, c->write_started + opts.write_timeout);
      if (deadline <= now) {
        if (c->writing && now - c->write_started >= opts.write_timeout) {
          spdlog::info("control: closing a connection (uid {}) that stopped reading", c->who.uid);
          close(c);
          co_return;
        }
        bool busy = c->watching || c->in_flight > 0 || c->unanswered > 0 || !c->queue.empty();
        if (!busy) {
          close(c);
          co_return;
        }
        c->last_activity = now;  // busy: idle time starts again when it is done
        continue;
      }
      c->watchdog.expires_at(deadline);
      co_await c->watchdog.async_wait(use_nothrow);
    }
    (void)self;
  }
};

server::server(asio::any_io_executor ex, service::order_service& b, server_options opts)
    : impl_(std::make_shared<impl>(ex, b, std::move(opts))) {}

server::~server() { stop(); }

void server::listen() {
  const auto& path = impl_->opts.socket_path;
  std::string p = path.string();
  sockaddr_un addr{};
  if (p.size() >= sizeof addr.sun_path)
    throw std::runtime_error("control socket path too long: " + p);
  struct stat st{};
  if (lstat(p.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw std::runtime_error("control socket path " + p + " exists and is not a socket");
    // Someone answering means another daemon owns it; refusing means it is stale.
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr.sun_family = AF_UNIX;
    std::copy(p.begin(), p.end(), addr.sun_path);
    bool answered = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (fd >= 0) ::close(fd);
    if (answered)
      throw std::runtime_error("another process is already listening on " + p);
    ::unlink(p.c_str());
  }
  auto& acc = impl_->acceptor;
  acc.open(asio::local::stream_protocol());
  // 0660 from the start: no moment where the socket is world-accessible.
  mode_t old = ::umask(0117);
  boost::system::error_code ec;
  acc.bind(asio::local::stream_protocol::endpoint(p), ec);
  ::umask(old);
  if (ec) throw std::system_error(ec, "bind " + p);
  ::chmod(p.c_str(), 0660);
  impl_->created_path = path;
  acc.listen(asio::socket_base::max_listen_connections);
}

void server::adopt(int fd) {
  impl_->acceptor.assign(asio::local::stream_protocol(), fd);
}

void server::start() {
  asio::co_spawn(impl_->executor, impl_->accept_loop(impl_), asio::detached);
}

void server::drain() {
  auto& i = *impl_;
  if (i.stopped || i.draining) return;
  i.draining = true;
  boost::system::error_code ec;
  i.acceptor.close(ec);
  i.retry_timer.cancel();
  auto conns = i.connections;
  for (auto& c : conns) i.drain(c);
}

asio::awaitable<void> server::drained(std::chrono::milliseconds limit) {
  auto keep = impl_;
  if (!keep->connections.empty()) {
    keep->drained.expires_after(limit);
    co_await keep->drained.async_wait(use_nothrow);
  }
  stop();
}

void server::stop() {
  auto& i = *impl_;
  if (i.stopped) return;
  i.stopped = true;
  boost::system::error_code ec;
  i.acceptor.close(ec);
  i.retry_timer.cancel();
  auto conns = i.connections;  // close() erases from the set
  for (auto& c : conns) i.close(c);
  if (!i.created_path.empty()) {
    std::filesystem::remove(i.created_path, ec);
    i.created_path.clear();
  }
}

std::size_t server::connection_count() const { return impl_->connections.size(); }
const server_options& server::options() const { return impl_->opts; }
void server::set_access(access_rules a) { impl_->opts.access = std::move(a); }

}  // namespace portd::control
