// What accounts need to know about cohorts, implemented by hub/cohorts and wired in main.cpp,
// so that auth never depends on the module above it.
#pragma once

#include <cstdint>
#include <vector>

#include "hub/store/connection.hpp"

namespace hub::auth {

class Membership {
 public:
  virtual ~Membership() = default;
  virtual bool cohort_exists(store::Connection& db, std::int64_t cohort_id) = 0;
  virtual bool is_member(store::Connection& db, std::int64_t user_id, std::int64_t cohort_id) = 0;
  // Adds the user to the cohort (idempotent).
  virtual http::Status join(store::Connection& db, std::int64_t user_id, std::int64_t cohort_id, std::int64_t now) = 0;
  virtual std::vector<std::int64_t> cohorts_of(store::Connection& db, std::int64_t user_id) = 0;
};

}  // namespace hub::auth
