// Parsed and checked templates by content: a revision's text never changes, so filling it again
// skips the YAML parse and the tag checks. Bounded; thread-safe (the CPU pool fills in parallel).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "playbooks/templates/field_schema.hpp"

namespace hub::playbooks::templates {

class ParsedTemplateCache {
 public:
  explicit ParsedTemplateCache(std::size_t max_entries = 128) : max_entries_(max_entries) {}
  // The template parsed from `content`, with its declaration checked against its tags (the
  // contract a fill needs); the error when it is not valid. Errors are not cached.
  Result<std::shared_ptr<const TemplateSource>> get(const std::string& content);
  std::size_t size() const;

 private:
  const std::size_t max_entries_;
  mutable std::mutex mutex_;  // guards entries_
  std::unordered_map<std::string, std::shared_ptr<const TemplateSource>> entries_;  // by content
};

}  // namespace hub::playbooks::templates
