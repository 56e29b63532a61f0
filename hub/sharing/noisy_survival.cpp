#include "hub/sharing/noisy_survival.hpp"

#include <algorithm>
#include <cmath>

namespace hub::sharing {
namespace {

// The non-increasing sequence closest to `xs` in least squares (pool adjacent violators).
std::vector<double> non_increasing_fit(const std::vector<double>& xs) {
  std::vector<std::pair<double, std::size_t>> blocks;  // (sum, length)
  for (double x : xs) {
    blocks.emplace_back(x, 1);
    while (blocks.size() > 1) {
      auto& [sum, n] = blocks[blocks.size() - 2];
      const auto& last = blocks.back();
      if (sum / static_cast<double>(n) >= last.first / static_cast<double>(last.second)) break;
      sum += last.first, n += last.second;
      blocks.pop_back();
    }
  }
  std::vector<double> out;
  for (const auto& [sum, n] : blocks) out.insert(out.end(), n, sum / static_cast<double>(n));
  return out;
}

}  // namespace

std::vector<SurvivalPoint> noisy_life_table(const std::vector<SurvivalObservation>& data, Randomness& rng,
                                            std::int64_t sensitivity, Epsilon epsilon) {
  // churned[b]: churn in bucket b; censored[b]: censored in bucket b; the open bucket holds every later exit.
  std::vector<std::int64_t> churned(kSurvivalBuckets, 0), censored(kSurvivalBuckets + 1, 0);
  for (const auto& o : data) {
    const auto b = std::min<std::int64_t>(kSurvivalBuckets, static_cast<std::int64_t>(o.time / kSurvivalBucketMonths));
    auto& counts = o.event && b < kSurvivalBuckets ? churned : censored;
    ++counts[static_cast<std::size_t>(b)];
  }
  for (auto& x : churned) x = noisy_count(rng, x, sensitivity, epsilon);
  for (auto& x : censored) x = noisy_count(rng, x, sensitivity, epsilon);
  // At risk at a bucket's start: every noised exit from then on. Pool-adjacent-violators makes the
  // sums non-increasing: the closest such sequence in least squares, then rounded and at least 0.
  std::vector<double> tails(kSurvivalBuckets + 1);
  double tail = 0;
  for (int b = kSurvivalBuckets; b >= 0; --b) {
    tail += static_cast<double>(censored[b] + (b < kSurvivalBuckets ? churned[b] : 0));
    tails[b] = tail;
  }
  std::vector<std::int64_t> at_risk;
  for (double x : non_increasing_fit(tails)) at_risk.push_back(std::max<std::int64_t>(0, std::llround(x)));
  ProductLimit curve;
  for (int b = 0; b < kSurvivalBuckets && at_risk[b] > 0 && curve.survival() > 0; ++b) {
    const std::int64_t events = std::clamp<std::int64_t>(churned[b], 0, at_risk[b]);
    curve.add(kSurvivalBucketMonths * (b + 1), at_risk[b], events);
  }
  return curve.take();
}

}  // namespace hub::sharing
