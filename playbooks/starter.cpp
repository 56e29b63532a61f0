#include "playbooks/starter.hpp"

#include <stdexcept>

#include "hub/store/executor.hpp"
#include "playbooks/exchange.hpp"

namespace hub::playbooks {

int import_starter_playbooks(const std::string& path, const std::vector<store::Migration>& migrations,
                             std::int64_t now) {
  std::vector<NamedFile> files;
  for (const auto& f : starter_files()) files.push_back({f.name, std::string(f.text)});
  if (files.empty()) return 0;
  auto docs = prepare_import(files);
  if (!docs) throw std::runtime_error("starter playbooks: " + docs.error().message);
  store::Executor db(path, migrations, {.readers = 1});
  auto report = db.write_now([&](store::Connection& c) {
    return import_documents(c, *docs, /*update_existing=*/false, std::nullopt, now);
  });
  db.stop();
  if (!report) throw std::runtime_error("could not import the starter playbooks: " + report.error().message);
  return static_cast<int>(report->created.size());
}

}  // namespace hub::playbooks
