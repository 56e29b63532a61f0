// Randomised tests of task_items() over the documents the renderer's fuzz test uses.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "playbooks/markdown.hpp"
#include "tests/unit/markdown/random_document.hpp"

using hub::testing::fuzz_rounds;
using hub::testing::random_document;

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
