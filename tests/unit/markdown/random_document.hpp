// Random Markdown for the fuzz tests: documents stitched from Markdown syntax, HTML, XSS
// fragments, odd whitespace and random bytes. Seeds are fixed so a failure reproduces; set
// MARKDOWN_FUZZ_ROUNDS (or the older PLAYBOOKS_FUZZ_ROUNDS) to run longer.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace hub::testing {

inline int fuzz_rounds(int fallback) {
  const char* env = std::getenv("MARKDOWN_FUZZ_ROUNDS");
  if (!env) env = std::getenv("PLAYBOOKS_FUZZ_ROUNDS");
  return env ? std::max(1, std::atoi(env)) : fallback;
}

inline const std::vector<std::string> kFragments = {
    "[", "]", "(", ")", "![", "](", "<", ">", "</", "/>", "*", "**", "_", "~~", "`", "```", "|", "-", ":", "#",
    "\n", "\n\n", "    ", "\t", "> ", "- ", "1. ", "- [ ] ", "- [x] ", "\\", "&", "&#", "&#x", ";", "\"", "'", "=",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "vbscript:", "data:text/html,", "data:image/svg+xml,", "mailto:",
    "http://", "https://example.org/", "www.", "@", "<script>", "</script>", "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">", "onerror=", "onload=", "<svg/onload=alert(1)>", "<iframe ", "<style>",
    "[x]: ", "[^1]", "alert(1)", "%0a", "&colon;", "&#106;", "&#x6A;", "\x01", "\x7f", "\xC3\xA9", "\xE2\x80\xAE",
    "\xF0\x9F\x98\x80", "\xFF", "\xC0\xBC", "|---|", "a", "word ", "0",
};

inline std::string random_document(std::mt19937& rng) {
  std::uniform_int_distribution<int> parts(1, 120), pick(0, int(kFragments.size()) - 1), coin(0, 9),
      byte(0, 255);
  std::string doc;
  for (int i = parts(rng); i > 0; --i) {
    if (coin(rng) == 0) doc.push_back(static_cast<char>(byte(rng)));
    else doc += kFragments[std::size_t(pick(rng))];
  }
  return doc;
}

}  // namespace hub::testing
