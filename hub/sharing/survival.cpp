#include "hub/sharing/survival.hpp"

#include <algorithm>
#include <cmath>

namespace hub::sharing {

void ProductLimit::add(double time, std::int64_t at_risk, std::int64_t events) {
  survival_ *= 1.0 - static_cast<double>(events) / static_cast<double>(at_risk);
  SurvivalPoint p{time, at_risk, events, survival_, std::nullopt, std::nullopt};
  if (at_risk > events) {
    greenwood_ += static_cast<double>(events) / (static_cast<double>(at_risk) * static_cast<double>(at_risk - events));
    const double se = std::sqrt(greenwood_);
    p.lower = std::exp(std::log(survival_) - kZ95 * se);
    p.upper = std::min(1.0, std::exp(std::log(survival_) + kZ95 * se));
  }
  points_.push_back(p);
}

std::vector<SurvivalPoint> kaplan_meier(std::vector<SurvivalObservation> data) {
  std::sort(data.begin(), data.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  ProductLimit curve;
  std::size_t i = 0;
  while (i < data.size()) {
    const double t = data[i].time;
    const auto at_risk = static_cast<std::int64_t>(data.size() - i);
    std::int64_t events = 0;
    std::size_t j = i;
    for (; j < data.size() && data[j].time == t; ++j) events += data[j].event ? 1 : 0;
    i = j;
    if (events > 0) curve.add(t, at_risk, events);
  }
  return curve.take();
}

std::optional<double> survival_median(const std::vector<SurvivalPoint>& curve) {
  for (std::size_t i = 0; i < curve.size(); ++i) {
    if (std::fabs(curve[i].survival - 0.5) < 1e-12) {
      if (i + 1 < curve.size()) return (curve[i].time + curve[i + 1].time) / 2;
      return curve[i].time;
    }
    if (curve[i].survival < 0.5) return curve[i].time;
  }
  return std::nullopt;
}

double quantile_type7(const std::vector<std::int64_t>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return static_cast<double>(sorted[lo]) + (h - static_cast<double>(lo)) * static_cast<double>(sorted[hi] - sorted[lo]);
}

}  // namespace hub::sharing
