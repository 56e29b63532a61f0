#include "playbooks/templates/parsed_cache.hpp"

#include "playbooks/templates/mustache_tags.hpp"

namespace hub::playbooks::templates {

Result<std::shared_ptr<const TemplateSource>> ParsedTemplateCache::get(const std::string& content) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(content); it != entries_.end()) return it->second;
  }
  auto src = parse_template(content);
  if (!src) return src.error();
  auto uses = scan_tags(src->body, src->fields);
  if (!uses) return uses.error();
  if (auto declared = check_declared_fields(*uses, src->fields); !declared) return declared.error();
  auto parsed = std::make_shared<const TemplateSource>(std::move(*src));
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) entries_.clear();  // rare: a hub has a few hundred templates
  entries_.emplace(content, parsed);
  return parsed;
}

std::size_t ParsedTemplateCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace hub::playbooks::templates
