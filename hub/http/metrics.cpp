#include "hub/http/metrics.hpp"

#include <sstream>

namespace hub::http {

void Metrics::observe(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  Series& s = series_[{method, route}];
  ++s.by_status[status];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++s.buckets[i];
  s.sum += seconds;
  ++s.count;
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::add_counter(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read), "counter"});
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);
  out << "# HELP cohorthub_http_requests_total HTTP requests by route and status.\n"
         "# TYPE cohorthub_http_requests_total counter\n";
  for (const auto& [key, s] : series_)
    for (const auto& [status, n] : s.by_status)
      out << "cohorthub_http_requests_total{method=\"" << key.first << "\",route=\"" << key.second
          << "\",status=\"" << status << "\"} " << n << "\n";
  out << "# HELP cohorthub_http_request_duration_seconds Time to produce a response.\n"
         "# TYPE cohorthub_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBuckets.size(); ++i) {
      cumulative += s.buckets[i];
      out << "cohorthub_http_request_duration_seconds_bucket{" << labels << ",le=\"";
      if (i < kBuckets.size()) out << kBuckets[i];
      else out << "+Inf";
      out << "\"} " << cumulative << "\n";
    }
    out << "cohorthub_http_request_duration_seconds_sum{" << labels << "} " << s.sum << "\n";
    out << "cohorthub_http_request_duration_seconds_count{" << labels << "} " << s.count << "\n";
  }
  out << "# HELP cohorthub_connections_open Open client connections.\n"
         "# TYPE cohorthub_connections_open gauge\n"
         "cohorthub_connections_open "
      << connections_open_.load() << "\n";
  for (const auto& g : gauges_)
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " " << g.type << "\n"
        << g.name << " " << g.read() << "\n";
  return out.str();
}

}  // namespace hub::http
