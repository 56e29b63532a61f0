#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "hub/http/static_files.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::http;

TEST_CASE("static files: served with type and ETag, If-None-Match gives 304, pages fall back to index") {
  hub::testing::TempDir dir;
  std::filesystem::create_directories(dir.path + "/js");
  std::ofstream(dir.path + "/index.html") << "<!doctype html>";
  std::ofstream(dir.path + "/js/app.js") << "export {}";
  StaticFiles files(dir.path);
  auto js = files.serve("/js/app.js", "");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->headers.get("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(js->body == "export {}");
  std::string etag(js->headers.get("ETag"));
  auto again = files.serve("/js/app.js", etag);
  CHECK(again->status == 304);
  CHECK(again->body.empty());
  auto page = files.serve("/admin", "");
  REQUIRE(page);
  CHECK(page->body == "<!doctype html>");
  CHECK_FALSE(files.serve("/missing.png", ""));
  // Files are served from memory by exact path, so a traversal can only ever reach index.html.
  CHECK(files.serve("/../etc/passwd", "")->body == "<!doctype html>");
  CHECK_FALSE(files.serve("/../index.html.bak", ""));
}
