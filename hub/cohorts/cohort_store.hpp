// The cohorts and cohort_members tables, and the Membership seam that accounts use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/auth/membership.hpp"
#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::cohorts {

using http::ApiError;
using http::Result;
using http::Status;
using store::Connection;

store::Migration cohorts_migration();  // version 2

Result<nlohmann::json> insert_cohort(Connection& db, const std::string& name, const std::string& starts_on,
                                     std::int64_t created_by, std::int64_t now);
// nullopt when there is no such cohort.
Result<std::optional<nlohmann::json>> get_cohort(Connection& db, std::int64_t id);
// All cohorts (member_id null) or the member's, by id.
Result<nlohmann::json> list_cohorts(Connection& db, std::optional<std::int64_t> member_id, const http::Page& page);
Result<nlohmann::json> list_members(Connection& db, std::int64_t cohort_id, const http::Page& page);
// Ends a membership; false when the user was not a member.
Result<bool> remove_member(Connection& db, std::int64_t cohort_id, std::int64_t user_id);

class CohortMembership final : public auth::Membership {
 public:
  bool cohort_exists(Connection& db, std::int64_t cohort_id) override;
  bool is_member(Connection& db, std::int64_t user_id, std::int64_t cohort_id) override;
  Status join(Connection& db, std::int64_t user_id, std::int64_t cohort_id, std::int64_t now) override;
  std::vector<std::int64_t> cohorts_of(Connection& db, std::int64_t user_id) override;
};

}  // namespace hub::cohorts
