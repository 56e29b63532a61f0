#include <catch2/catch.hpp>

#include <fstream>

#include "hub/config.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;

TEST_CASE("config: defaults, then the file, then COHORTHUB_* variables") {
  hub::testing::TempDir dir;
  std::ofstream(dir.path + "/c.toml") << "[server]\nlisten = \"0.0.0.0:9000\"\nmax_connections = 50\n[auth]\nscrypt_log2_n = 16\n";
  auto c = load_config(dir.path + "/c.toml", {{"COHORTHUB_SERVER_MAX_CONNECTIONS", "70"}, {"COHORTHUB_LOG_ACCESS", "off"},
                                             {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"}});
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
  CHECK(default_config_text().find("# scrypt_log2_n = 17") != std::string::npos);
}

TEST_CASE("config: scrypt costs N=2^17 by default, and weaker settings are refused at start-up") {
  CHECK(load_config("", {}).auth.scrypt_log2_n == 17);
  CHECK_THROWS_WITH(load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "16"}}), Catch::Contains("at least 17"));
  hub::testing::TempDir dir;
  std::ofstream(dir.path + "/weak.toml") << "[auth]\nscrypt_log2_n = 15\n";
  CHECK_THROWS_WITH(load_config(dir.path + "/weak.toml", {}), Catch::Contains("auth.scrypt_log2_n"));
  // The test-only escape is read from the environment alone, and only as "1".
  CHECK(load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "12"}, {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"}}).auth.scrypt_log2_n == 12);
  CHECK_THROWS(load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "12"}, {"COHORTHUB_TEST_INSECURE_SCRYPT", "yes"}}));
  CHECK(load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "18"}}).auth.scrypt_log2_n == 18);
}
