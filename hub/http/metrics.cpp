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

void Metrics::add_histogram(std::string name, std::string help, std::string label,
                            std::vector<std::pair<std::string, const LatencyHistogram*>> series) {
  std::lock_guard lock(mutex_);
  histograms_.push_back({std::move(name), std::move(help), std::move(label), std::move(series)});
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
  for (const auto& h : histograms_) {
    out << "# HELP " << h.name << " " << h.help << "\n# TYPE " << h.name << " histogram\n";
    for (const auto& [value, histogram] : h.series) {
      const std::string labels = h.label + "=\"" + value + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i <= LatencyHistogram::kBounds.size(); ++i) {
        cumulative += histogram->bucket(i);
        out << h.name << "_bucket{" << labels << ",le=\"";
        if (i < LatencyHistogram::kBounds.size()) out << LatencyHistogram::kBounds[i];
        else out << "+Inf";
        out << "\"} " << cumulative << "\n";
      }
      out << h.name << "_sum{" << labels << "} " << histogram->sum_seconds() << "\n";
      out << h.name << "_count{" << labels << "} " << histogram->count() << "\n";
    }
    out << "# HELP " << h.name << "_max The largest observation.\n# TYPE " << h.name << "_max gauge\n";
    for (const auto& [value, histogram] : h.series)
      out << h.name << "_max{" << h.label << "=\"" << value << "\"} " << histogram->max_seconds() << "\n";
  }
  return out.str();
}

}  // namespace hub::http
