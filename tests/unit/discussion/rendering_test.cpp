// How discussion renders Markdown, seen through its routes: the shared safe renderer (URL
// allowlist, input budget) on the CPU pool, never on the network thread.
#include <catch2/catch.hpp>

#include <future>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/unit/discussion/discussion_fixture.hpp"

namespace hub::testing {
namespace {

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string s;
  while (s.size() < bytes) s += unit;
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct RenderingFixture : DiscussionFixture {
  std::string preview(const std::string& text) {
    auto r = call(http::Method::post, "/api/render-preview", nlohmann::json{{"body", text}}.dump(), sam);
    REQUIRE(r.status == 200);
    return r.json()["html"];
  }
};

}  // namespace

TEST_CASE_METHOD(RenderingFixture, "discussion rendering: only http, https, mailto and relative URLs survive") {
  CHECK(contains(preview("[site](https://example.org/a)"), "href=\"https://example.org/a\""));
  CHECK(contains(preview("[mail](mailto:a@example.org)"), "href=\"mailto:a@example.org\""));
  CHECK(contains(preview("[rel](/playbooks/x)"), "href=\"/playbooks/x\""));
  for (const char* md : {"![pixel](data:image/png;base64,iVBORw0KGgo=)", "[open](data:image/png;base64,iVBORw0KGgo=)",
                         "[file](ftp://files.example.org/x)", "[x](javascript:alert(1))", "[x](vbscript:msgbox(1))",
                         "![x](mailto:a@example.org)", "[x]\n\n[x]: JaVaScRiPt:alert(1)"}) {
    INFO(md);
    const std::string html = preview(md);
    INFO(html);
    CHECK_FALSE(contains(html, "data:"));
    CHECK_FALSE(contains(html, "ftp:"));
    CHECK_FALSE(contains(html, "script:"));
    CHECK_FALSE(contains(html, "src=\"mailto:"));
  }
}

TEST_CASE_METHOD(RenderingFixture, "discussion rendering: raw HTML is text, and chat keeps its line breaks") {
  const std::string html = preview("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <b>hi</b>\none\ntwo");
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "<img"));
  CHECK_FALSE(contains(html, "<b>"));
  CHECK(contains(html, "<br"));
}

TEST_CASE_METHOD(RenderingFixture, "discussion rendering: deeply nested input cannot blow up into megabytes") {
  // 10,000 `>` in one message made 270 KB of nested <blockquote>s: 27 bytes out per byte in.
  for (const std::string& md : {repeat(">", 10'000), repeat("> - ", 10'000), repeat("1. ", 9'999)}) {
    INFO(md.substr(0, 12));
    const std::string html = preview(md);
    CHECK(html.size() < 5 * md.size() + 100);
    CHECK_FALSE(contains(html, "<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>"
                               "\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>"
                               "\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>"
                               "\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>"
                               "\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>\n<blockquote>"
                               "\n<blockquote>\n<blockquote>\n<blockquote>"));
  }
  // Ordinary nesting is still Markdown.
  CHECK(contains(preview("> quoted\n> > twice\n\n- a\n  - b"), "<blockquote>\n<p>quoted</p>\n<blockquote>"));
}

TEST_CASE_METHOD(RenderingFixture, "discussion rendering: runs on the CPU pool, so a full pool answers 503") {
  const std::int64_t root = said(sam, "before the pool fills");
  // Fill the pool: its one thread, then every queue slot (64 by default), wait on `release`.
  std::promise<void> release, started;
  std::shared_future<void> released = release.get_future().share();
  boost::asio::io_context side;
  auto occupy = [this, released](std::promise<void>* on_start) -> boost::asio::awaitable<void> {
    auto wait_job = [released, on_start]() -> http::Result<int> {
      if (on_start) on_start->set_value();
      released.wait();
      return 0;
    };
    co_await hub->cpu().run(wait_job);
  };
  boost::asio::co_spawn(side, occupy(&started), boost::asio::detached);
  side.poll();
  started.get_future().wait();  // the thread is busy: what follows stays queued
  for (int i = 0; i < 64; ++i) boost::asio::co_spawn(side, occupy(nullptr), boost::asio::detached);
  side.poll();
  REQUIRE(hub->cpu().queue_depth() == 64);
  const std::int64_t before = count("messages");
  for (const Reply& r : {call(http::Method::post, "/api/render-preview", R"({"body":"**x**"})", sam), say(sam, "**x**"),
                         call(http::Method::patch, msg(root), R"({"body":"**edited**"})", sam)}) {
    CHECK(r.status == 503);
    CHECK(r.error_code() == "unavailable");
  }
  release.set_value();
  side.run();
  CHECK(count("messages") == before);
  CHECK(call(http::Method::get, msgs(channel), "", sam).json()["items"].back()["body"] == "before the pool fills");
}

}  // namespace hub::testing
