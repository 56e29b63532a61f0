#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hub/http/access_log.hpp"
#include "hub/http/pipeline.hpp"

using hub::http::AccessLog;

TEST_CASE("access log: every line arrives, in order, by the time the log is closed") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out);
  {
    AccessLog log(out);
    for (int i = 0; i < 2000; ++i) log.write("{\"n\":" + std::to_string(i) + "}");
  }
  std::rewind(out);
  char buf[64];
  int expected = 0;
  while (std::fgets(buf, sizeof buf, out)) CHECK(std::string(buf) == "{\"n\":" + std::to_string(expected++) + "}\n");
  CHECK(expected == 2000);
  std::fclose(out);
}

TEST_CASE("access log: beyond its queue it drops and counts instead of growing") {
  std::FILE* out = std::tmpfile();
  AccessLog log(out, 10);
  for (int i = 0; i < 100000; ++i) log.write("x");
  CHECK(log.dropped() > 0);
  CHECK(log.dropped() < 100000);
}

TEST_CASE("access log: a line is valid JSON whatever the path holds, and carries no query or address") {
  hub::http::Request req;
  req.method = hub::http::Method::get;
  req.path = std::string("/we\"ird\\path\x01\xff/") + "\xc3\xa9";
  req.query = "code=secret-invite";
  req.remote_ip = "198.51.100.7";
  req.request_id = "abc-1";
  hub::http::Response res;
  res.status = 404;
  res.body = "12345";
  auto line = hub::http::access_log_line(req, res, "unmatched", 0.00123, 0);
  auto doc = nlohmann::json::parse(line);
  CHECK(doc["path"] == "/we\"ird\\path\x01\xc3\xbf/\xc3\x83\xc2\xa9");  // bytes kept, as \u00XX escapes
  CHECK(doc["status"] == 404);
  CHECK(doc["bytes"] == 5);
  CHECK(doc["ms"] == Approx(1.23));
  CHECK_FALSE(doc.contains("user"));
  CHECK(line.find("secret-invite") == std::string::npos);
  CHECK(line.find("198.51.100.7") == std::string::npos);
  auto routed = nlohmann::json::parse(hub::http::access_log_line(req, res, "/api/cohorts/{id}", 0.001, 42));
  CHECK(routed["path"] == "/api/cohorts/{id}");
  CHECK(routed["user"] == 42);
}
