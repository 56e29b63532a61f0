// Differential-privacy noise: exact discrete Laplace (Canonne, Kamath, Steinke 2020, "The Discrete
// Gaussian for Differential Privacy", Algorithms 1 and 2) with rational parameters and no floating
// point, and the exponential mechanism for quantiles over a public grid.
#pragma once

#include <cstdint>
#include <vector>

#include "hub/sharing/randomness.hpp"

namespace hub::sharing {

// A positive rational budget: epsilon = num / den.
struct Epsilon {
  std::uint64_t num = 1;
  std::uint64_t den = 1;
  Epsilon scaled(std::uint64_t mul, std::uint64_t div) const { return {num * mul, den * div}; }
};

// Bernoulli(num / den). REQUIRES: num <= den, den > 0.
bool bernoulli(Randomness& rng, std::uint64_t num, std::uint64_t den);
// Bernoulli(exp(-num / den)). REQUIRES: den > 0.
bool bernoulli_exp_neg(Randomness& rng, std::uint64_t num, std::uint64_t den);
// P(Y = y) proportional to exp(-|y| * s / t). REQUIRES: s, t > 0.
std::int64_t discrete_laplace(Randomness& rng, std::uint64_t t, std::uint64_t s);
// A count with sensitivity `sensitivity` released under `epsilon`: value + DLap(sensitivity / epsilon).
std::int64_t noisy_count(Randomness& rng, std::int64_t value, std::int64_t sensitivity, Epsilon epsilon);

// The q-quantile of `sorted_values` (member-level, sorted), drawn from `grid` (sorted, public) by the
// exponential mechanism with utility -|#{x <= g} - q n| (sensitivity 1) under `epsilon`.
std::int64_t private_quantile(Randomness& rng, const std::vector<std::int64_t>& sorted_values, double q,
                              const std::vector<std::int64_t>& grid, Epsilon epsilon);

// The public grids: amounts log-spaced from 1,000 to `top_code` in steps rounded to 1,000; days
// 0..1095, log-spaced.
std::vector<std::int64_t> amount_grid(std::int64_t top_code);
std::vector<std::int64_t> day_grid();

}  // namespace hub::sharing
