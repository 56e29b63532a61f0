// Filling a template in: values checked against the field schema, Markdown-escaped, substituted
// with kainjow mustache, and the result rendered by the hub's one safe Markdown renderer.
// CPU work: run it on the CPU pool.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "playbooks/templates/field_schema.hpp"

namespace hub::playbooks::templates {

inline constexpr std::size_t kMaxValueBytes = 10 * 1024;
inline constexpr std::size_t kMaxDocumentBytes = 256 * 1024;
inline constexpr std::size_t kMaxListItems = 200;

struct FieldProblem {
  std::string name;  // "client", or "items[2].amount"
  std::string message;
};

// The values as the template sees them: defaults applied, sums computed, every value checked.
// 422 invalid_field "fields" with `fields: [{name, message}]` naming every field at fault
// (missing, wrong type, unknown, over kMaxValueBytes).
Result<nlohmann::json> check_values(const std::vector<Field>& fields, const nlohmann::json& values);

// Markdown that shows `text` literally: every ASCII punctuation character backslash-escaped (so
// no emphasis, link, HTML or Mustache tag survives), line starts unindented, newlines kept as
// hard breaks.
std::string escape_markdown(std::string_view text);

struct RenderedDocument {
  std::string markdown;  // the filled body
  std::string html;      // the safe rendering of `markdown` (a fragment)
};
// REQUIRES: `values` came from check_values(src.fields, ...) and the body passed check_tags.
// payload_too_large when the filled document exceeds kMaxDocumentBytes (or the renderer's cap).
Result<RenderedDocument> fill_template(const TemplateSource& src, const nlohmann::json& values);

// A whole HTML page around a rendered fragment, with the print stylesheet inline: A4 or Letter,
// margins, the title and date in the header, "Page X of Y" in the footer.
std::string document_page(const std::string& title, const std::string& date, const std::string& paper,
                          const std::string& fragment);


}  // namespace hub::playbooks::templates
