// Prometheus text helpers. See metrics.hpp.
#include <portd/runtime/metrics.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace portd::runtime {

histogram::histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()), buckets_(bounds.size()) {}

void histogram::observe(double value) {
  for (std::size_t i = 0; i < bounds_.size(); ++i)
    if (value <= bounds_[i]) {
      ++buckets_[i];
      break;
    }
  ++count_;
  sum_ += value;
}

void histogram::write(std::ostream& os, std::string_view name, std::string_view labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i];
    os << name << "_bucket{" << labels << sep << "le=\"" << number(bounds_[i]) << "\"} " << cumulative << "\n";
  }
  os << name << "_bucket{" << labels << sep << "le=\"+Inf\"} " << count_ << "\n";
  const std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  os << name << "_sum" << braces << " " << number(sum_) << "\n" << name << "_count" << braces << " " << count_ << "\n";
}

std::string number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

void gauge(std::ostream& os, std::string_view name, std::string_view help, std::string_view type, double v) {
  os << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n" << name << " " << number(v) << "\n";
}

// The system's boot time (seconds since the epoch), from /proc/stat's btime; 0 if unknown.
double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return 0;
}

}  // namespace

void write_process_metrics(std::ostream& os) {
  // /proc/self/stat: the fields after the command name (which may hold spaces) in ")".
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream f(stat.substr(close + 2));
    std::vector<std::string> v;
    for (std::string x; f >> x;) v.push_back(x);
    // Field numbers of proc(5), minus the 2 before ")": utime 14, stime 15, starttime 22,
    // vsize 23, rss 24 (pages).
    if (v.size() > 21) {
      const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
      gauge(os, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter",
            (std::stod(v[11]) + std::stod(v[12])) / tick);
      gauge(os, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", std::stod(v[20]));
      gauge(os, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", std::stod(v[21]) * page);
      if (const double boot = boot_time(); boot > 0)
        gauge(os, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
              boot + std::stod(v[19]) / tick);
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++fds;
  if (!ec && fds > 0) gauge(os, "process_open_fds", "Number of open file descriptors.", "gauge",
                            static_cast<double>(fds - 1));  // less the iterator's own
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0)
    gauge(os, "process_max_fds", "Maximum number of open file descriptors.", "gauge", static_cast<double>(lim.rlim_cur));
}

}  // namespace portd::runtime
