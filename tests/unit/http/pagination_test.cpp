#include <catch2/catch.hpp>

#include "hub/http/pagination.hpp"

using namespace hub::http;

TEST_CASE("pagination: defaults, limits and cursors round-trip") {
  Request r;
  CHECK(read_page(r).value().limit == 50);
  r.query = "limit=200&cursor=" + encode_cursor(12345);
  auto p = read_page(r).value();
  CHECK(p.limit == 200);
  CHECK(p.after == 12345);
  for (std::string q : std::vector<std::string>{"limit=0", "limit=201", "limit=x", "limit=5x", "cursor=garbage", "cursor=c1.", "cursor=c1.-5"}) {
    r.query = q;
    INFO(q);
    CHECK_FALSE(read_page(r).ok());
  }
}

TEST_CASE("pagination: an extra row means a next cursor pointing at the last item shown") {
  Page page{2, 0};
  auto three = page_body(nlohmann::json::array({{{"id", 1}}, {{"id", 2}}, {{"id", 3}}}), page);
  CHECK(three["items"].size() == 2);
  CHECK(three["next_cursor"] == encode_cursor(2));
  auto two = page_body(nlohmann::json::array({{{"id", 1}}, {{"id", 2}}}), page);
  CHECK(two["next_cursor"].is_null());
}
