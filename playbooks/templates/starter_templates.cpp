#include "playbooks/templates/starter_templates.hpp"

#include <stdexcept>

#include "hub/store/executor.hpp"
#include "playbooks/front_matter.hpp"
#include "playbooks/templates/mustache_tags.hpp"
#include "playbooks/templates/template_routes.hpp"
#include "playbooks/templates/template_store.hpp"

namespace hub::playbooks::templates {
namespace {

struct StarterTemplate {
  NewTemplate t;
  PreparedContent content;
};

// Each file must be a template that could be released: a bad one stops `init` naming it.
StarterTemplate prepare_starter(const StarterFile& f) {
  auto fail = [&](const std::string& why) { return std::runtime_error(std::string("starter template ") + f.name + ": " + why); };
  auto src = parse_template(f.text);
  if (!src) throw fail(src.error().message);
  auto uses = scan_tags(src->body, src->fields);
  if (!uses) throw fail(uses.error().message);
  if (auto declared = check_declared_fields(*uses, src->fields); !declared) throw fail(declared.error().message);
  auto fm = split_front_matter(f.text);
  std::string license = fm && fm->data.contains("license") && fm->data["license"].is_string()
                            ? fm->data["license"].get<std::string>() : "";
  if (!is_known_license(license)) throw fail("no known `license`");
  auto prepared = prepare_content(f.text);
  if (!prepared) throw fail(prepared.error().message);
  NewTemplate t{slug_from_file_name(f.name), src->title, src->kind, license, src->tags, std::nullopt, {}, {}, {}};
  return {std::move(t), std::move(*prepared)};
}

}  // namespace

int import_starter_templates(const std::string& path, const std::vector<store::Migration>& migrations,
                             std::int64_t now) {
  std::vector<StarterTemplate> starters;
  for (const auto& f : starter_template_files()) starters.push_back(prepare_starter(f));
  store::Executor db(path, migrations, {.readers = 1});
  auto created = db.write_now([&](store::Connection& c) -> Result<int> {
    int n = 0;
    for (const auto& s : starters) {
      auto existing = find_template(c, s.t.slug);
      if (!existing) return existing.error();
      if (*existing) continue;
      RevisionMeta meta{"The starter template.", "import", std::nullopt, std::nullopt};
      auto t = insert_template(c, s.t, s.content, meta, now);
      if (!t) return t.error();
      if (auto r = insert_release(c, t->id, Version{1, 0, 0}, 1, "The starter template.", std::nullopt, now); !r)
        return r.error();
      ++n;
    }
    return n;
  });
  db.stop();
  if (!created) throw std::runtime_error("could not import the starter templates: " + created.error().message);
  return *created;
}

}  // namespace hub::playbooks::templates
