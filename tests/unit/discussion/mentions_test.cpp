#include <catch2/catch.hpp>

#include "hub/discussion/message_store.hpp"

using hub::discussion::mentioned_handles;
using V = std::vector<std::string>;

TEST_CASE("mentions: @handles are found, lowercased and unique") {
  CHECK(mentioned_handles("hi @Ana and @bob_2, @ana again") == V{"ana", "bob_2"});
}

TEST_CASE("mentions: e-mail addresses and a trailing full stop are not part of a mention") {
  CHECK(mentioned_handles("mail me at x@example.org") == V{});
  CHECK(mentioned_handles("thanks @lee.") == V{"lee"});
  CHECK(mentioned_handles("@a is too short, @") == V{});
}

#include "tests/unit/discussion/discussion_fixture.hpp"

TEST_CASE("mentions: a message with three @mentions stores all three") {
  hub::testing::DiscussionFixture f;
  auto r = f.say(f.sam, "thanks @ada, @mia and @sam");
  REQUIRE(r.status == 201);
  CHECK(r.json()["message"]["mentions"] == nlohmann::json::array({"ada", "mia", "sam"}));
  CHECK(f.count("message_mentions") == 3);
}
