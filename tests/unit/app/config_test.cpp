#include <catch2/catch.hpp>

#include <fstream>

#include "hub/config.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;

TEST_CASE("config: defaults, then the file, then COHORTHUB_* variables") {
  hub::testing::TempDir dir;
  std::ofstream(dir.path + "/c.toml") << "[server]\nlisten = \"0.0.0.0:9000\"\nmax_connections = 50\n[auth]\nscrypt_log2_n = 16\n";
  auto c = load_config(dir.path + "/c.toml", {{"COHORTHUB_SERVER_MAX_CONNECTIONS", "70"}, {"COHORTHUB_LOG_ACCESS", "off"}});
  CHECK(c.server.listen == "0.0.0.0:9000");
  CHECK(c.server.max_connections == 70);
  CHECK(c.auth.scrypt_log2_n == 16);
  CHECK_FALSE(c.log.access);
  CHECK(c.store.readers == 2);
}

TEST_CASE("config: unknown keys, wrong types and out-of-range values are refused by name") {
  hub::testing::TempDir dir;
  std::ofstream(dir.path + "/typo.toml") << "[server]\nlistne = \"x\"\n";
  CHECK_THROWS_WITH(load_config(dir.path + "/typo.toml", {}), Catch::Contains("server.listne"));
  std::ofstream(dir.path + "/type.toml") << "[server]\nmax_connections = \"many\"\n";
  CHECK_THROWS_WITH(load_config(dir.path + "/type.toml", {}), Catch::Contains("server.max_connections"));
  CHECK_THROWS_WITH(load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "30"}}), Catch::Contains("auth.scrypt_log2_n"));
  CHECK_THROWS_WITH(load_config("", {{"COHORTHUB_STORE_READERS", "two"}}), Catch::Contains("integer"));
  std::ofstream(dir.path + "/broken.toml") << "[server\n";
  CHECK_THROWS_WITH(load_config(dir.path + "/broken.toml", {}), Catch::Contains("line 1"));
}

TEST_CASE("config: the generated default file parses back to the defaults") {
  hub::testing::TempDir dir;
  std::ofstream(dir.path + "/d.toml") << default_config_text();
  auto c = load_config(dir.path + "/d.toml", {});
  CHECK(c.server.listen == "127.0.0.1:8080");
  CHECK(default_config_text().find("# scrypt_log2_n = 15") != std::string::npos);
}
