#include <catch2/catch.hpp>

#include "hub/store/connection.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::store;
using hub::testing::TempDir;

namespace {

std::unique_ptr<Connection> things_db(const TempDir& dir) {
  auto c = Connection::open(dir.path + "/db", false);
  REQUIRE(c->exec("CREATE TABLE things (name TEXT NOT NULL UNIQUE) STRICT;").ok());
  return c;
}

std::vector<std::string> names(Connection& c) {
  std::vector<std::string> out;
  auto s = c.prepare("SELECT name FROM things ORDER BY name");
  REQUIRE(s.each_row([&] { out.push_back(s.text(0)); }).ok());
  return out;
}

}  // namespace

TEST_CASE("statement: re-binding a statement that ran to completion runs it with the new values") {
  TempDir dir;
  auto c = things_db(dir);
  auto s = c->prepare("INSERT INTO things (name) VALUES (?1)");
  for (std::string_view name : {"a", "b", "c"}) {
    s.bind(1, name);
    REQUIRE(s.run().ok());
  }
  CHECK(names(*c) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("statement: re-binding a statement stopped on a row starts it again") {
  TempDir dir;
  auto c = things_db(dir);
  REQUIRE(c->exec("INSERT INTO things VALUES ('a'), ('b'), ('c');").ok());
  auto s = c->prepare("SELECT name FROM things WHERE name >= ?1 ORDER BY name");
  s.bind(1, std::string_view("a"));
  REQUIRE(s.step().value());
  CHECK(s.text(0) == "a");
  s.bind(1, std::string_view("c"));
  REQUIRE(s.step().value());
  CHECK(s.text(0) == "c");
}

TEST_CASE("statement: a bind that fails is reported by the next step, and nothing runs") {
  TempDir dir;
  auto c = things_db(dir);
  auto s = c->prepare("INSERT INTO things (name) VALUES (?1)");
  s.bind(1, std::string_view("a")).bind(2, std::string_view("no such parameter"));
  auto r = s.run();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().status == 500);
  CHECK(names(*c).empty());
}

TEST_CASE("statement: a bind error is reported until the statement is bound afresh") {
  TempDir dir;
  auto c = things_db(dir);
  auto s = c->prepare("INSERT INTO things (name) VALUES (?1)");
  s.bind(1, std::string_view("a")).bind(3, std::int64_t{1});
  CHECK_FALSE(s.run().ok());
  CHECK_FALSE(s.run().ok());  // not half-bound on the second try either
  s.bind(1, std::string_view("b"));
  CHECK(s.run().ok());
  CHECK(names(*c) == std::vector<std::string>{"b"});
}

TEST_CASE("statement: a failed step is reported once, the statement can be used again") {
  TempDir dir;
  auto c = things_db(dir);
  auto s = c->prepare("INSERT INTO things (name) VALUES (?1)");
  s.bind(1, std::string_view("a"));
  REQUIRE(s.run().ok());
  s.bind(1, std::string_view("a"));
  CHECK(s.run().error().status == 409);
  s.bind(1, std::string_view("b"));
  CHECK(s.run().ok());
  CHECK(names(*c) == std::vector<std::string>{"a", "b"});
}
