#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "hub/http/access_log.hpp"

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
