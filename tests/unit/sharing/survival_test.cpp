#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "hub/sharing/survival.hpp"

using namespace hub::sharing;
using nlohmann::json;

TEST_CASE("survival: Kaplan–Meier, Greenwood bounds and the median match R survfit (fixture)") {
  std::ifstream in(std::string(SHARING_FIXTURES) + "/km_reference.json");
  REQUIRE(in);
  const json reference = json::parse(in);
  for (const auto& [name, r] : reference.items()) {
    INFO(name);
    std::vector<SurvivalObservation> data;
    for (std::size_t i = 0; i < r["time_in"].size(); ++i)
      data.push_back({r["time_in"][i].get<double>(), r["status_in"][i].get<int>() == 1});
    const auto curve = kaplan_meier(data);
    REQUIRE(curve.size() == r["time"].size());
    for (std::size_t i = 0; i < curve.size(); ++i) {
      INFO("point " << i);
      CHECK(curve[i].time == Approx(r["time"][i].get<double>()));
      CHECK(curve[i].at_risk == r["n_risk"][i].get<std::int64_t>());
      CHECK(curve[i].events == r["n_event"][i].get<std::int64_t>());
      CHECK(curve[i].survival == Approx(r["surv"][i].get<double>()).epsilon(1e-12));
      if (r["lower"][i].is_null()) {
        CHECK_FALSE(curve[i].lower);
      } else {
        REQUIRE(curve[i].lower);
        CHECK(*curve[i].lower == Approx(r["lower"][i].get<double>()).epsilon(1e-12));
        CHECK(*curve[i].upper == Approx(r["upper"][i].get<double>()).epsilon(1e-12));
        CHECK(*curve[i].upper <= 1.0);
      }
    }
    auto median = survival_median(curve);
    if (r["median"].is_null()) CHECK_FALSE(median);
    else CHECK(median.value_or(-1) == Approx(r["median"].get<double>()));
  }
}

TEST_CASE("survival: quantiles interpolate linearly between order statistics (R type 7)") {
  std::vector<std::int64_t> v{10, 20, 30, 40};
  CHECK(quantile_type7(v, 0.5) == Approx(25));
  CHECK(quantile_type7(v, 0.25) == Approx(17.5));
  CHECK(quantile_type7(v, 0.75) == Approx(32.5));
  CHECK(quantile_type7({7}, 0.5) == Approx(7));
}
