#include <catch2/catch.hpp>

#include "hub/http/metrics.hpp"

using hub::http::Metrics;

TEST_CASE("metrics: counts by route and status, cumulative histogram, gauges") {
  Metrics m;
  m.observe("GET", "/api/me", 200, 0.0007);
  m.observe("GET", "/api/me", 200, 0.003);
  m.observe("GET", "/api/me", 401, 0.0001);
  m.connection_opened();
  m.add_gauge("cohorthub_db_queue_depth", "DB jobs waiting.", [] { return 3.0; });
  m.add_counter("cohorthub_bridge_matrix_sent_total", "Changes delivered.", [] { return 42.0; });
  std::string text = m.render();
  CHECK(text.find("# TYPE cohorthub_db_queue_depth gauge\n") != std::string::npos);
  CHECK(text.find("# TYPE cohorthub_bridge_matrix_sent_total counter\ncohorthub_bridge_matrix_sent_total 42\n") !=
        std::string::npos);
  CHECK(text.find("cohorthub_http_requests_total{method=\"GET\",route=\"/api/me\",status=\"200\"} 2") != std::string::npos);
  CHECK(text.find("cohorthub_http_requests_total{method=\"GET\",route=\"/api/me\",status=\"401\"} 1") != std::string::npos);
  CHECK(text.find("route=\"/api/me\",le=\"0.001\"} 2") != std::string::npos);
  CHECK(text.find("route=\"/api/me\",le=\"+Inf\"} 3") != std::string::npos);
  CHECK(text.find("cohorthub_connections_open 1") != std::string::npos);
  CHECK(text.find("cohorthub_db_queue_depth 3") != std::string::npos);
}

TEST_CASE("metrics: a lock-free latency histogram renders per label, cumulative, with its sum, count and max") {
  Metrics m;
  hub::http::LatencyHistogram commit, render;
  commit.observe(std::chrono::microseconds(700));
  commit.observe(std::chrono::milliseconds(40));
  commit.observe(std::chrono::seconds(3));  // past the last bound
  m.add_histogram("cohorthub_change_stage_seconds", "By stage.", "stage", {{"commit", &commit}, {"render", &render}});
  std::string text = m.render();
  CHECK(text.find("# TYPE cohorthub_change_stage_seconds histogram\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_bucket{stage=\"commit\",le=\"0.0005\"} 0\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_bucket{stage=\"commit\",le=\"0.0007\"} 1\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_bucket{stage=\"commit\",le=\"0.05\"} 2\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_bucket{stage=\"commit\",le=\"1\"} 2\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_bucket{stage=\"commit\",le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_count{stage=\"commit\"} 3\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_sum{stage=\"commit\"} 3.0407\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_max{stage=\"commit\"} 3\n") != std::string::npos);
  CHECK(text.find("cohorthub_change_stage_seconds_count{stage=\"render\"} 0\n") != std::string::npos);
}
