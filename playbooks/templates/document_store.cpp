#include "playbooks/templates/document_store.hpp"

#include "hub/http/clock.hpp"

namespace hub::playbooks::templates {
namespace {

using http::ApiError;

std::string sealed_payload(const sharing::RecordCipher& cipher, const SavedDocument& d) {
  nlohmann::json plain{{"title", d.title}, {"fields", d.fields}};
  return cipher.seal(plain.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), document_aad(d.id, d.owner_id));
}

constexpr const char* kDocumentColumns =
    "SELECT d.id, d.owner_id, d.template_id, t.slug, d.version, d.sealed, d.created_at, d.updated_at "
    "FROM template_documents d JOIN templates t ON t.id = d.template_id ";

Result<SavedDocument> read_document(const sharing::RecordCipher& cipher, store::Statement& s) {
  SavedDocument d;
  d.id = s.int64(0), d.owner_id = s.int64(1), d.template_id = s.int64(2);
  d.template_slug = s.text(3), d.version = s.text(4);
  d.created_at = s.int64(6), d.updated_at = s.int64(7);
  auto plain = cipher.open(s.text(5), document_aad(d.id, d.owner_id));
  if (!plain) return ApiError::internal("A saved document does not open with the records key.");
  auto j = nlohmann::json::parse(*plain, nullptr, false);
  if (!j.is_object()) return ApiError::internal("A saved document is malformed.");
  d.title = j.value("title", "");
  d.fields = j.value("fields", nlohmann::json::object());
  return d;
}

}  // namespace

std::string document_aad(std::int64_t id, std::int64_t owner_id) {
  return "template_document:" + std::to_string(id) + ":" + std::to_string(owner_id);
}

Result<std::int64_t> insert_document(store::Connection& db, const sharing::RecordCipher& cipher, const SavedDocument& d,
                                     std::int64_t now) {
  // The id is chosen first so the seal can bind it; the writer is the only one inserting.
  auto next = db.prepare("SELECT coalesce(max(id), 0) + 1 FROM template_documents");
  auto row = next.step();
  if (!row) return row.error();
  SavedDocument sealed = d;
  sealed.id = next.int64(0);
  auto s = db.prepare(
      "INSERT INTO template_documents (id, owner_id, template_id, version, sealed, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
  s.bind(1, sealed.id).bind(2, d.owner_id).bind(3, d.template_id).bind(4, std::string_view(d.version));
  s.bind_blob(5, sealed_payload(cipher, sealed)).bind(6, now);
  if (auto r = s.run(); !r) return r.error();
  return sealed.id;
}

Result<std::optional<SavedDocument>> find_document(store::Connection& db, const sharing::RecordCipher& cipher,
                                                   std::int64_t owner_id, std::int64_t id) {
  auto s = db.prepare(std::string(kDocumentColumns) + "WHERE d.id = ?1 AND d.owner_id = ?2");
  s.bind(1, id).bind(2, owner_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<SavedDocument>{};
  auto d = read_document(cipher, s);
  if (!d) return d.error();
  return std::optional<SavedDocument>(std::move(*d));
}

http::Status update_document(store::Connection& db, const sharing::RecordCipher& cipher, const SavedDocument& d,
                             std::int64_t now) {
  auto s = db.prepare(
      "UPDATE template_documents SET version = ?3, sealed = ?4, updated_at = ?5 WHERE id = ?1 AND owner_id = ?2");
  s.bind(1, d.id).bind(2, d.owner_id).bind(3, std::string_view(d.version)).bind_blob(4, sealed_payload(cipher, d));
  s.bind(5, now);
  return s.run();
}

Result<bool> delete_document(store::Connection& db, std::int64_t owner_id, std::int64_t id) {
  auto s = db.prepare("DELETE FROM template_documents WHERE id = ?1 AND owner_id = ?2");
  s.bind(1, id).bind(2, owner_id);
  if (auto r = s.run(); !r) return r.error();
  return db.changes() > 0;
}

Result<std::vector<SavedDocument>> list_documents(store::Connection& db, const sharing::RecordCipher& cipher,
                                                  std::int64_t owner_id) {
  auto s = db.prepare(std::string(kDocumentColumns) + "WHERE d.owner_id = ?1 ORDER BY d.id DESC LIMIT 200");
  s.bind(1, owner_id);
  std::vector<SavedDocument> out;
  std::optional<ApiError> failed;
  auto read = s.each_row([&] {
    auto d = read_document(cipher, s);
    if (!d) failed = d.error();
    else out.push_back(std::move(*d));
  });
  if (!read) return read.error();
  if (failed) return *failed;
  return out;
}

nlohmann::json document_json(const SavedDocument& d, bool with_fields) {
  nlohmann::json j;
  j["id"] = d.id;
  j["template"] = d.template_slug;
  j["version"] = d.version;
  j["title"] = d.title;
  if (with_fields) j["fields"] = d.fields;
  j["created_at"] = format_rfc3339(d.created_at);
  j["updated_at"] = format_rfc3339(d.updated_at);
  return j;
}

}  // namespace hub::playbooks::templates
