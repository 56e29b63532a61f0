// Export and import of playbooks as Markdown files with front matter (front_matter.hpp): one
// playbook, or all of them (JSON, or a tar archive of .md files); import takes the same files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hub/http/router.hpp"
#include "playbooks/front_matter.hpp"
#include "playbooks/services.hpp"

namespace hub::playbooks {

struct NamedFile {
  std::string name;     // e.g. "pitching-a-retainer.md"; gives the slug when the front matter does not
  std::string content;  // the whole file
};

// A file parsed, checked and prepared for storing (CPU work).
struct ImportDocument {
  PlaybookFile file;  // slug and title filled in
  PreparedContent content;
};
inline constexpr std::size_t kMaxImportFiles = 200;

// invalid_field "files" naming the file at fault.
Result<std::vector<ImportDocument>> prepare_import(const std::vector<NamedFile>& files);

struct ImportReport {
  std::vector<std::string> created, updated, unchanged;
};
// Creates the playbooks that are missing. With `update_existing`, a playbook whose content differs
// gets a new revision (kind "import"), and its title and tags follow the file; otherwise existing
// playbooks are left alone. All or nothing: one failure rolls the whole import back.
Result<ImportReport> import_documents(Connection& db, const std::vector<ImportDocument>& docs, bool update_existing,
                                      std::optional<std::int64_t> actor, std::int64_t now);

// The current revision of a playbook as a file.
Result<NamedFile> export_playbook(Connection& db, const Playbook& playbook);

// A POSIX ustar archive of `files`.
std::string tar_archive(const std::vector<NamedFile>& files, std::int64_t mtime);

class ExchangeRoutes {
 public:
  explicit ExchangeRoutes(Services& services) : s_(services) {}
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> export_one(Request& req, Context& ctx);
  boost::asio::awaitable<Response> export_all(Request& req, Context& ctx);
  boost::asio::awaitable<Response> import(Request& req, Context& ctx);

  Services& s_;
};

}  // namespace hub::playbooks
