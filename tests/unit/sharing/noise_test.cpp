#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "hub/sharing/noise.hpp"

using namespace hub::sharing;

namespace {

// Pearson's chi-square of `samples` against the discrete Laplace with scale b = t/s, on the bins
// -12..12 plus the two tails.
double chi_square(const std::map<std::int64_t, std::int64_t>& counts, std::int64_t n, double b) {
  const double q = std::exp(-1 / b), c = (1 - q) / (1 + q);
  auto p = [&](std::int64_t y) { return c * std::pow(q, std::abs(static_cast<double>(y))); };
  const double tail = c * std::pow(q, 13) / (1 - q);  // P(Y >= 13) = P(Y <= -13)
  std::int64_t low = 0, high = 0;
  double chi = 0;
  for (const auto& [y, k] : counts) {
    if (y < -12) low += k;
    if (y > 12) high += k;
  }
  for (std::int64_t y = -12; y <= 12; ++y) {
    auto it = counts.find(y);
    const double observed = it == counts.end() ? 0 : static_cast<double>(it->second), expected = n * p(y);
    chi += (observed - expected) * (observed - expected) / expected;
  }
  for (std::int64_t k : {low, high}) chi += (k - n * tail) * (k - n * tail) / (n * tail);
  return chi;
}

std::map<std::int64_t, std::int64_t> draw(Randomness& rng, std::uint64_t t, std::uint64_t s, std::int64_t n) {
  std::map<std::int64_t, std::int64_t> counts;
  for (std::int64_t i = 0; i < n; ++i) ++counts[discrete_laplace(rng, t, s)];
  return counts;
}

// 27 bins, 26 degrees of freedom: the 0.999 quantile of chi-square(26).
constexpr double kCritical = 54.05;

}  // namespace

TEST_CASE("noise: the discrete Laplace sampler matches its distribution (chi-square, fixed seed)") {
  SeededRandomness rng("cohorthub chi-square test");
  const std::int64_t n = 200'000;
  auto counts = draw(rng, 2, 1, n);  // scale 2
  const double chi = chi_square(counts, n, 2.0);
  INFO("chi-square " << chi);
  CHECK(chi < kCritical);
  // The test has power: the same samples are far from the neighbouring scales.
  CHECK(chi_square(counts, n, 2.4) > 10 * kCritical);
  CHECK(chi_square(counts, n, 1.7) > 10 * kCritical);
  // A rational scale, 3/2.
  auto rational = draw(rng, 3, 2, n);
  CHECK(chi_square(rational, n, 1.5) < kCritical);
}

TEST_CASE("noise: Bernoulli(exp(-gamma)) is exact for rational gamma, including gamma > 1") {
  SeededRandomness rng("bernoulli");
  for (auto [num, den] : {std::pair<std::uint64_t, std::uint64_t>{1, 3}, {5, 2}, {0, 1}}) {
    const int n = 100'000;
    int hits = 0;
    for (int i = 0; i < n; ++i) hits += bernoulli_exp_neg(rng, num, den) ? 1 : 0;
    const double p = std::exp(-static_cast<double>(num) / den);
    INFO(num << "/" << den);
    CHECK(std::abs(hits / double(n) - p) < 5 * std::sqrt(p * (1 - p) / n) + 1e-9);
  }
}

TEST_CASE("noise: the seeded generator is reproducible and the OpenSSL one is not constant") {
  SeededRandomness a("seed"), b("seed"), c("other");
  CHECK(a.next64() == b.next64());
  CHECK(a.next64() != c.next64());
  OpenSslRandomness r;
  CHECK(r.next64() != r.next64());
}

TEST_CASE("noise: the exponential mechanism picks grid points near the quantile") {
  SeededRandomness rng("quantiles");
  const auto grid = amount_grid(500'000);
  CHECK(grid.front() == 1000);
  CHECK(grid.back() == 500'000);
  std::vector<std::int64_t> values;
  for (int i = 1; i <= 200; ++i) values.push_back(i * 1000);  // median ~100,000
  int near = 0;
  for (int i = 0; i < 200; ++i) {
    auto m = private_quantile(rng, values, 0.5, grid, {1, 1});
    near += (m >= 80'000 && m <= 125'000) ? 1 : 0;
  }
  CHECK(near > 180);
}
