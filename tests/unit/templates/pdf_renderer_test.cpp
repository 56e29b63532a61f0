#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

#include "../support/run_coro.hpp"
#include "playbooks/templates/pdf_renderer.hpp"

using namespace hub::playbooks::templates;
using hub::testing::run_coro;

namespace {

// A stand-in for python: says READY, then never answers.
std::string hanging_worker(const hub::testing::TempDir& dir) {
  std::string path = dir.path + "/hang.sh";
  std::ofstream(path) << "#!/bin/sh\necho READY\nexec sleep 30\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

}  // namespace

TEST_CASE("pdf: without WeasyPrint's interpreter, a PDF is a 503 naming the Debian package") {
  PdfRenderer pdf({.python = "/nonexistent/python3", .workers = 1, .queue = 1, .timeout_ms = 5000});
  auto r = run_coro(pdf.render("<p>x</p>"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().status == 503);
  CHECK_THAT(r.error().message, Catch::Contains("`weasyprint`"));
  // Remembered: the next one is refused without starting anything.
  CHECK(run_coro(pdf.render("<p>y</p>")).error().status == 503);
}

TEST_CASE("pdf: a PDF over its time limit kills the worker and answers 503, and the queue is bounded") {
  hub::testing::TempDir dir;
  PdfRenderer pdf({.python = hanging_worker(dir), .workers = 1, .queue = 0, .timeout_ms = 300});
  auto r = run_coro(pdf.render("<p>x</p>"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().status == 503);
  CHECK_THAT(r.error().message, Catch::Contains("time limit"));
  CHECK(r.error().retry_after_s == 0);
  // One worker, no queue: while one PDF is in hand a second is refused at once, with Retry-After.
  boost::asio::io_context ioc;
  std::vector<hub::http::Result<std::string>> results;
  for (int i = 0; i < 2; ++i)
    boost::asio::co_spawn(ioc, pdf.render("<p>z</p>"), [&](std::exception_ptr, hub::http::Result<std::string> res) {
      results.push_back(std::move(res));
    });
  ioc.run();
  REQUIRE(results.size() == 2);
  CHECK(results[0].error().retry_after_s > 0);  // refused at once, so it finished first
  CHECK_THAT(results[0].error().message, Catch::Contains("Too many PDFs"));
  CHECK_THAT(results[1].error().message, Catch::Contains("time limit"));
}
