// The sharing tables: sealed engagements (the private pipeline), closed waves, the shared copies of
// the last wave, and the cells as last published.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/sharing/engagement.hpp"
#include "hub/sharing/record_keys.hpp"
#include "hub/sharing/wave_computation.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::sharing {

using http::Result;
using http::Status;
using store::Connection;

// REQUIRES: `version` is the next free migration number.
store::Migration sharing_migration(int version);

// The AAD that binds a sealed row to its id and owner.
std::string engagement_aad(std::int64_t id, std::int64_t owner_id);

Result<std::int64_t> insert_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id,
                                       const Engagement& e, std::int64_t now);
// The owner's engagement; nullopt when it does not exist or belongs to someone else.
Result<std::optional<Engagement>> find_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id,
                                                  std::int64_t id);
Status update_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id, std::int64_t id,
                         const Engagement& e, std::int64_t now);
// The owner of engagement `id`, or nullopt when there is none: the fact the policy decides on.
Result<std::optional<std::int64_t>> engagement_owner(Connection& db, std::int64_t id);
// False when there was no such engagement of this owner.
Result<bool> delete_engagement(Connection& db, std::int64_t owner_id, std::int64_t id);
// The owner's engagements with id > page.after, up to limit + 1.
Result<std::vector<std::pair<std::int64_t, Engagement>>> list_engagements(Connection& db, const RecordCipher& cipher,
                                                                          std::int64_t owner_id, const http::Page& page);

// Everything a wave close reads: every sealed row, cohort membership and the cells as published.
struct WaveInputs {
  struct Row {
    std::int64_t id, owner_id;
    std::string sealed;
  };
  struct Member {
    std::int64_t user_id, cohort_id, joined_at;
  };
  std::vector<Row> rows;
  std::vector<Member> members;
  std::vector<std::int64_t> cohort_ids;
  std::map<std::string, PublishedCell> previous;
};
Result<WaveInputs> load_wave_inputs(Connection& db);

struct ClosedWave {
  std::int64_t id = 0;
  std::int64_t closed_at = 0;
  std::string rates_document;  // GET /api/rates, serialized
};
// Stores a closed wave: its published documents, the shared copies (replacing the previous wave's)
// and the cells as they now stand.
Result<ClosedWave> store_wave(Connection& db, std::int64_t now, const std::string& closed_by,
                              const std::vector<SharedRecord>& records, const std::vector<SharedMembership>& memberships,
                              const WaveResult& result, bool noise);
// The last closed wave's rates document; nullopt before the first wave.
Result<std::optional<std::string>> last_rates_document(Connection& db);
// The cohort's success as of the last wave that published it; nullopt before.
Result<std::optional<nlohmann::json>> last_success(Connection& db, std::int64_t cohort_id);
// closed_at of the last wave, or nullopt.
Result<std::optional<std::int64_t>> last_wave_time(Connection& db);

}  // namespace hub::sharing
