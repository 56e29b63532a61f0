// Kaplan–Meier estimation with Greenwood's variance and R survfit's default log-transformed 95%
// bounds: exp(log S ± z·sqrt(Σ d/(n(n−d)))), upper capped at 1.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace hub::sharing {

struct SurvivalObservation {
  double time = 0;     // months
  bool event = false;  // true: churned at `time`; false: censored (still active)
};

struct SurvivalPoint {
  double time = 0;
  std::int64_t at_risk = 0;
  std::int64_t events = 0;
  double survival = 1;
  std::optional<double> lower, upper;  // absent once survival reaches 0
};

// R's qnorm(0.975), so the bounds match survfit(conf.int = 0.95).
inline constexpr double kZ95 = 1.959963984540054;

// The product-limit estimate built one step at a time, with Greenwood's sum carried along: used by
// the exact curve and by the noised one, so both have the same bounds.
class ProductLimit {
 public:
  // REQUIRES: 0 <= events <= at_risk, at_risk > 0, times increasing.
  void add(double time, std::int64_t at_risk, std::int64_t events);
  double survival() const { return survival_; }
  std::vector<SurvivalPoint> take() { return std::move(points_); }

 private:
  double survival_ = 1;
  double greenwood_ = 0;  // Σ d / (n (n − d)) so far
  std::vector<SurvivalPoint> points_;
};

// One point per distinct event time, in time order. Censored observations at an event time count
// as at risk at that time (as in R).
std::vector<SurvivalPoint> kaplan_meier(std::vector<SurvivalObservation> data);
// R's median: the first time survival <= 0.5; when it equals 0.5 exactly on a step, the midpoint
// between that time and the next event time. nullopt when the curve never reaches 0.5.
std::optional<double> survival_median(const std::vector<SurvivalPoint>& curve);

// R's default quantile (type 7): linear interpolation between order statistics.
// REQUIRES: `sorted` is not empty and sorted.
double quantile_type7(const std::vector<std::int64_t>& sorted, double q);

}  // namespace hub::sharing
