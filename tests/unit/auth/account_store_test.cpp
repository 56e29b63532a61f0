#include <catch2/catch.hpp>

#include "hub/auth/account_store.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;
using namespace hub::auth;
using hub::testing::TempDir;

namespace {
std::unique_ptr<Connection> fresh_db(const TempDir& dir) {
  auto c = Connection::open(dir.path + "/db", false);
  store::migrate(*c, {accounts_migration()});
  return c;
}
}  // namespace

TEST_CASE("accounts: handles are lowercased and checked") {
  CHECK(normalize_handle("Sam_F").value() == "sam_f");
  CHECK(normalize_handle("a.b-c9").ok());
  for (std::string bad : std::vector<std::string>{"a", "-sam", ".sam", "sam smith", "sám", std::string(33, 'a'), "sam/x", ""}) {
    INFO(bad);
    CHECK(normalize_handle(bad).error().field == "handle");
  }
}

TEST_CASE("accounts: an invite is single-use and expires") {
  TempDir dir;
  auto conn = fresh_db(dir);
  Connection& c = *conn;
  {
    auto invite = insert_invite(c, "hash1", "member", std::nullopt, 0, 100, 200);
    REQUIRE(invite.ok());
    auto open = find_open_invite(c, "hash1", 150);
    REQUIRE(open.ok());
    auto u1 = insert_user(c, "one", "One", "member", "h", 150);
    REQUIRE(redeem_invite(c, open->id, u1->id, 150).ok());
    CHECK(find_open_invite(c, "hash1", 151).error().message.find("used") != std::string::npos);
    auto u2 = insert_user(c, "two", "Two", "member", "h", 150);
    CHECK(redeem_invite(c, open->id, u2->id, 151).error().field == "invite_code");
    insert_invite(c, "hash2", "member", std::nullopt, 0, 100, 200);
    CHECK(find_open_invite(c, "hash2", 200).error().message.find("expired") != std::string::npos);
    CHECK(find_open_invite(c, "nope", 150).error().field == "invite_code");
  }
}

TEST_CASE("accounts: sessions expire and a taken handle names the field") {
  TempDir dir;
  auto conn = fresh_db(dir);
  Connection& c = *conn;
  {
    auto u = insert_user(c, "sam", "Sam", "member", "h", 100);
    CHECK(insert_user(c, "sam", "Other", "member", "h", 100).error().field == "handle");
    REQUIRE(insert_session(c, "key", u->id, 100, 200).ok());
    CHECK(principal_for_session(c, "key", 199).value().has_value());
    CHECK_FALSE(principal_for_session(c, "key", 200).value().has_value());
    CHECK_FALSE(principal_for_session(c, "other", 150).value().has_value());
  }
}

TEST_CASE("accounts: a revoked token stops working and only its owner can revoke it") {
  TempDir dir;
  auto conn = fresh_db(dir);
  Connection& c = *conn;
  {
    auto sam = insert_user(c, "sam", "Sam", "member", "h", 100);
    auto lee = insert_user(c, "lee", "Lee", "member", "h", 100);
    auto id = insert_token(c, sam->id, "laptop", "thash", 100);
    CHECK(principal_for_token(c, "thash").value()->user_id == sam->id);
    CHECK(revoke_token(c, lee->id, *id, 101).error().status == 404);
    CHECK(revoke_token(c, sam->id, *id, 101).ok());
    CHECK_FALSE(principal_for_token(c, "thash").value().has_value());
    CHECK(revoke_token(c, sam->id, *id, 102).error().status == 404);
  }
}
