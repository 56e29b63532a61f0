#include <catch2/catch.hpp>

#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "hub/http/cpu_pool.hpp"
#include "tests/unit/support/run_coro.hpp"

using hub::http::CpuPool;
using hub::http::Result;
using hub::testing::run_coro;

namespace {

Result<int> run_on(CpuPool& pool, std::function<Result<int>()> work) {
  return run_coro([&]() -> boost::asio::awaitable<Result<int>> { co_return co_await pool.run(work); }());
}

}  // namespace

TEST_CASE("cpu pool: a job that throws answers 500 internal, and the pool keeps working") {
  std::FILE* log = std::tmpfile();
  CpuPool pool(1, 8, log);
  auto thrown = run_on(pool, []() -> Result<int> { throw std::runtime_error("scrypt: out of memory"); });
  REQUIRE_FALSE(thrown.ok());
  CHECK(thrown.error().status == 500);
  CHECK(thrown.error().code == "internal");
  auto odd = run_on(pool, []() -> Result<int> { throw 42; });
  CHECK(odd.error().code == "internal");
  CHECK(run_on(pool, [] { return Result<int>(7); }).value() == 7);  // the pool's only thread survived
  std::fclose(log);
}

TEST_CASE("cpu pool: a job that throws is logged as one JSON line") {
  std::FILE* log = std::tmpfile();
  {
    CpuPool pool(1, 8, log);
    run_on(pool, []() -> Result<int> { throw std::runtime_error("diff: \"bad\"\nline"); });
  }
  std::rewind(log);
  char buf[512];
  REQUIRE(std::fgets(buf, sizeof buf, log));
  auto line = nlohmann::json::parse(buf);
  CHECK(line["level"] == "error");
  CHECK(line["what"] == "cpu job threw");
  CHECK(line["error"] == "diff: \"bad\"\nline");
  CHECK_FALSE(std::fgets(buf, sizeof buf, log));  // one line, nothing more
  std::fclose(log);
}
