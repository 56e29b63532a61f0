#include "hub/sharing/noisy_survival.hpp"

#include <algorithm>

namespace hub::sharing {

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
  // At risk at a bucket's start: every noised exit from then on. The running maximum from the end
  // keeps it from increasing without biasing it the way clamping each count at 0 would.
  std::vector<std::int64_t> at_risk(kSurvivalBuckets + 1);
  std::int64_t tail = censored[kSurvivalBuckets], floor = std::max<std::int64_t>(0, tail);
  at_risk[kSurvivalBuckets] = floor;
  for (int b = kSurvivalBuckets - 1; b >= 0; --b) {
    tail += churned[b] + censored[b];
    floor = std::max(floor, tail);
    at_risk[b] = floor;
  }
  ProductLimit curve;
  for (int b = 0; b < kSurvivalBuckets && at_risk[b] > 0 && curve.survival() > 0; ++b) {
    const std::int64_t events = std::clamp<std::int64_t>(churned[b], 0, at_risk[b]);
    curve.add(kSurvivalBucketMonths * (b + 1), at_risk[b], events);
  }
  return curve.take();
}

}  // namespace hub::sharing
