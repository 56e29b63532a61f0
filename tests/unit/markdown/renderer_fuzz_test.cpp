// Randomised tests of the renderer (random_document.hpp says how to run longer).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "hub/markdown/renderer.hpp"
#include "tests/unit/markdown/html_check.hpp"
#include "tests/unit/markdown/random_document.hpp"

using hub::testing::fuzz_rounds;
using hub::testing::random_document;

TEST_CASE("markdown fuzz: random documents always render to safe HTML") {
  std::mt19937 rng(20240617);
  const int rounds = fuzz_rounds(3000);
  for (int i = 0; i < rounds; ++i) {
    const std::string md = random_document(rng);
    const auto flavor = i % 2 ? hub::markdown::Flavor::chat : hub::markdown::Flavor::document;
    const std::string html = hub::markdown::render_html(md, flavor);
    const std::string problem = hub::testing::unsafe_html(html);
    if (!problem.empty()) {
      INFO("round " << i << "\ninput: " << md << "\nhtml: " << html);
      FAIL(problem);
    }
  }
}
