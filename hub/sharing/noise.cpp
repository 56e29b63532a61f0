#include "hub/sharing/noise.hpp"

#include <algorithm>
#include <cmath>

namespace hub::sharing {

bool bernoulli(Randomness& rng, std::uint64_t num, std::uint64_t den) { return rng.below(den) < num; }

namespace {
// Bernoulli(exp(-gamma)) for gamma = num/den in [0, 1]: the alternating-series method.
bool bernoulli_exp_neg_unit(Randomness& rng, std::uint64_t num, std::uint64_t den) {
  std::uint64_t k = 1;
  while (bernoulli(rng, num, den * k)) ++k;
  return k % 2 == 1;
}
}  // namespace

bool bernoulli_exp_neg(Randomness& rng, std::uint64_t num, std::uint64_t den) {
  for (std::uint64_t i = 0; i < num / den; ++i)
    if (!bernoulli_exp_neg_unit(rng, 1, 1)) return false;
  return bernoulli_exp_neg_unit(rng, num % den, den);
}

std::int64_t discrete_laplace(Randomness& rng, std::uint64_t t, std::uint64_t s) {
  for (;;) {
    const std::uint64_t u = rng.below(t);
    if (!bernoulli_exp_neg(rng, u, t)) continue;
    std::uint64_t v = 0;
    while (bernoulli_exp_neg(rng, 1, 1)) ++v;
    const std::uint64_t y = (u + t * v) / s;
    const bool negative = bernoulli(rng, 1, 2);
    if (negative && y == 0) continue;
    return negative ? -static_cast<std::int64_t>(y) : static_cast<std::int64_t>(y);
  }
}

std::int64_t noisy_count(Randomness& rng, std::int64_t value, std::int64_t sensitivity, Epsilon epsilon) {
  // scale = sensitivity / epsilon = (sensitivity * den) / num
  return value + discrete_laplace(rng, static_cast<std::uint64_t>(sensitivity) * epsilon.den, epsilon.num);
}

std::int64_t private_quantile(Randomness& rng, const std::vector<std::int64_t>& sorted_values, double q,
                              const std::vector<std::int64_t>& grid, Epsilon epsilon) {
  const double eps = static_cast<double>(epsilon.num) / static_cast<double>(epsilon.den);
  const double target = q * static_cast<double>(sorted_values.size());
  std::vector<double> score(grid.size());
  for (std::size_t i = 0; i < grid.size(); ++i) {
    auto below = std::upper_bound(sorted_values.begin(), sorted_values.end(), grid[i]) - sorted_values.begin();
    score[i] = -std::fabs(static_cast<double>(below) - target) * eps / 2;
  }
  const double top = *std::max_element(score.begin(), score.end());
  double total = 0;
  for (double& s : score) total += (s = std::exp(s - top));
  double pick = rng.unit() * total;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    if (pick < score[i]) return grid[i];
    pick -= score[i];
  }
  return grid.back();
}

namespace {
std::vector<std::int64_t> log_grid(double from, double to, int points, std::int64_t round_to) {
  std::vector<std::int64_t> g;
  for (int i = 0; i < points; ++i) {
    double x = from * std::pow(to / from, static_cast<double>(i) / (points - 1));
    std::int64_t v = std::llround(x / static_cast<double>(round_to)) * round_to;
    if (g.empty() || v > g.back()) g.push_back(v);
  }
  return g;
}
}  // namespace

std::vector<std::int64_t> amount_grid(std::int64_t top_code) {
  return log_grid(1000, static_cast<double>(std::max<std::int64_t>(top_code, 2000)), 80, 1000);
}

std::vector<std::int64_t> day_grid() {
  auto g = log_grid(1, 1095, 80, 1);
  g.insert(g.begin(), 0);
  return g;
}

}  // namespace hub::sharing
