#include <catch2/catch.hpp>

#include "hub/auth/password.hpp"

using namespace hub::auth;

TEST_CASE("password: scrypt hashes verify, are salted, and record their cost") {
  auto a = hash_password("correct horse battery", 12);
  auto b = hash_password("correct horse battery", 12);
  CHECK(a != b);
  CHECK(a.rfind("$scrypt$ln=12,r=8,p=1$", 0) == 0);
  CHECK(verify_password("correct horse battery", a));
  CHECK(verify_password("correct horse battery", b));
  CHECK_FALSE(verify_password("correct horse batterY", a));
  CHECK_FALSE(verify_password("", a));
}

TEST_CASE("password: a malformed or absurd stored hash never verifies") {
  CHECK_FALSE(verify_password("x", ""));
  CHECK_FALSE(verify_password("x", "$scrypt$ln=12,r=8,p=1$salt$short"));
  CHECK_FALSE(verify_password("x", "$scrypt$ln=40,r=8,p=1$c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  CHECK_FALSE(verify_password("x", "$2b$10$bcryptlookalike"));
}

TEST_CASE("password: the policy refuses short, over-long, common and handle-equal passwords") {
  CHECK(check_password_policy("a fine long passphrase", "sam").ok());
  CHECK(check_password_policy("short", "sam").error().field == "password");
  CHECK_FALSE(check_password_policy(std::string(1025, 'x') + "y", "sam").ok());
  CHECK(check_password_policy(std::string(1025, 'x') + "y", "sam").error().message.find("1024") != std::string::npos);
  CHECK_FALSE(check_password_policy("Password123", "sam").ok());
  CHECK_FALSE(check_password_policy("aaaaaaaaaaaa", "sam").ok());
  CHECK_FALSE(check_password_policy("samferreira", "samferreira").ok());
}
