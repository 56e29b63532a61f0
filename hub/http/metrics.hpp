// Request counters, latency histograms and gauges, rendered in Prometheus text format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "hub/http/latency_histogram.hpp"

namespace hub::http {

class Metrics {
 public:
  // Records one finished request. `route` is the pattern (/api/cohorts/{id}), never the raw path.
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  void connection_opened() { ++connections_open_; }
  void connection_closed() { --connections_open_; }
  // A gauge computed when /metrics is read (e.g. the DB queue depth).
  void add_gauge(std::string name, std::string help, std::function<double()> read);
  // A counter kept elsewhere (only ever growing), read when /metrics is read.
  void add_counter(std::string name, std::string help, std::function<double()> read);
  // Histograms kept elsewhere (which outlive this), one series per `label` value, read when
  // /metrics is read; `name`_max gives each one's largest observation.
  void add_histogram(std::string name, std::string help, std::string label,
                     std::vector<std::pair<std::string, const LatencyHistogram*>> series);
  std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  struct Series {
    std::map<int, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size() + 1> buckets{};  // last is +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
    const char* type = "gauge";  // or "counter"
  };

  struct Histograms {
    std::string name, help, label;
    std::vector<std::pair<std::string, const LatencyHistogram*>> series;
  };

  mutable std::mutex mutex_;                                    // guards series_, gauges_ and histograms_
  std::map<std::pair<std::string, std::string>, Series> series_;  // keyed by (method, route)
  std::vector<Gauge> gauges_;
  std::vector<Histograms> histograms_;
  std::atomic<std::int64_t> connections_open_{0};
};

}  // namespace hub::http
