// Randomised tests of the renderer: documents stitched from Markdown syntax, HTML, XSS fragments,
// odd whitespace and random bytes. Seeds are fixed so a failure reproduces; set
// PLAYBOOKS_FUZZ_ROUNDS to run longer.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "playbooks/markdown.hpp"
#include "tests/unit/playbooks/html_check.hpp"

namespace {

int fuzz_rounds(int fallback) {
  const char* env = std::getenv("PLAYBOOKS_FUZZ_ROUNDS");
  return env ? std::max(1, std::atoi(env)) : fallback;
}

const std::vector<std::string> kFragments = {
    "[", "]", "(", ")", "![", "](", "<", ">", "</", "/>", "*", "**", "_", "~~", "`", "```", "|", "-", ":", "#",
    "\n", "\n\n", "    ", "\t", "> ", "- ", "1. ", "- [ ] ", "- [x] ", "\\", "&", "&#", "&#x", ";", "\"", "'", "=",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html,", "data:image/svg+xml,", "mailto:",
    "http://", "https://example.org/", "www.", "@", "<script>", "</script>", "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">", "onerror=", "onload=", "<svg/onload=alert(1)>", "<iframe ", "<style>",
    "[x]: ", "[^1]", "alert(1)", "%0a", "&colon;", "&#106;", "&#x6A;", "\x01", "\x7f", "\xC3\xA9", "\xE2\x80\xAE",
    "\xF0\x9F\x98\x80", "\xFF", "\xC0\xBC", "|---|", "a", "word ", "0",
};

std::string random_document(std::mt19937& rng) {
  std::uniform_int_distribution<int> parts(1, 120), pick(0, int(kFragments.size()) - 1), coin(0, 9),
      byte(0, 255);
  std::string doc;
  for (int i = parts(rng); i > 0; --i) {
    if (coin(rng) == 0) doc.push_back(static_cast<char>(byte(rng)));
    else doc += kFragments[std::size_t(pick(rng))];
  }
  return doc;
}

}  // namespace

TEST_CASE("markdown fuzz: random documents always render to safe HTML") {
  std::mt19937 rng(20240617);
  const int rounds = fuzz_rounds(3000);
  for (int i = 0; i < rounds; ++i) {
    const std::string md = random_document(rng);
    const std::string html = hub::playbooks::render_markdown(md);
    const std::string problem = hub::testing::unsafe_html(html);
    if (!problem.empty()) {
      INFO("round " << i << "\ninput: " << md << "\nhtml: " << html);
      FAIL(problem);
    }
  }
}

TEST_CASE("markdown fuzz: task lists from random documents are plain, bounded text") {
  std::mt19937 rng(7);
  const int rounds = fuzz_rounds(1500);
  for (int i = 0; i < rounds; ++i) {
    const std::string md = "- [ ] " + random_document(rng) + "\n- [x] " + random_document(rng);
    for (const auto& item : hub::playbooks::task_items(md)) {
      INFO(md);
      CHECK_FALSE(item.text.empty());
      CHECK(item.text.size() <= hub::playbooks::kMaxTaskText);
      CHECK(item.text.front() != ' ');
      CHECK(item.text.back() != ' ');
    }
  }
}
