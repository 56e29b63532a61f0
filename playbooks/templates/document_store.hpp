// Saved documents: a member's filled-in values for one template release, sealed at rest with
// AES-256-GCM (the engagements' key and cipher), bound to the row's id and owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/sharing/record_keys.hpp"
#include "hub/store/connection.hpp"

namespace hub::playbooks::templates {

using http::Result;

struct SavedDocument {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::int64_t template_id = 0;
  std::string template_slug;
  std::string version;
  std::string title;                                     // sealed
  nlohmann::json fields = nlohmann::json::object();      // sealed
  std::int64_t created_at = 0, updated_at = 0;
};

std::string document_aad(std::int64_t id, std::int64_t owner_id);

Result<std::int64_t> insert_document(store::Connection& db, const sharing::RecordCipher& cipher, const SavedDocument& d,
                                     std::int64_t now);
// The owner's document; nullopt when there is none or it is someone else's.
Result<std::optional<SavedDocument>> find_document(store::Connection& db, const sharing::RecordCipher& cipher,
                                                   std::int64_t owner_id, std::int64_t id);
http::Status update_document(store::Connection& db, const sharing::RecordCipher& cipher, const SavedDocument& d,
                             std::int64_t now);
Result<bool> delete_document(store::Connection& db, std::int64_t owner_id, std::int64_t id);
// Newest first, at most 200.
Result<std::vector<SavedDocument>> list_documents(store::Connection& db, const sharing::RecordCipher& cipher,
                                                  std::int64_t owner_id);

nlohmann::json document_json(const SavedDocument& d, bool with_fields);

}  // namespace hub::playbooks::templates
