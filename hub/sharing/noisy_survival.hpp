// The survival curve under noise (docs/privacy.md): a life table on a public 3-month grid. Each
// engagement leaves the risk set exactly once, by churn or by censoring, so one member (at most
// `sensitivity` engagements) changes the exit counts by at most `sensitivity` in total. Those counts
// are noised once; at-risk figures, the curve and its bounds are computed from them.
#pragma once

#include <cstdint>
#include <vector>

#include "hub/sharing/noise.hpp"
#include "hub/sharing/survival.hpp"

namespace hub::sharing {

inline constexpr double kSurvivalBucketMonths = 3;
inline constexpr int kSurvivalBuckets = 12;  // 0–36 months; later exits share one open bucket

// One point per bucket, at the bucket's end (months), while the noised at-risk count is positive and
// survival above 0. at_risk never increases and 0 <= events <= at_risk.
std::vector<SurvivalPoint> noisy_life_table(const std::vector<SurvivalObservation>& data, Randomness& rng,
                                            std::int64_t sensitivity, Epsilon epsilon);

}  // namespace hub::sharing
