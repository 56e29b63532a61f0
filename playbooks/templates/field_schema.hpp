// A template's contract: the fields its YAML front matter declares, and the Markdown body that
// uses them. Pure functions; no database.
//
//   ---
//   title: Invoice
//   kind: invoice
//   fields:
//     - {name: client, type: text, label: Client, required: true}
//     - name: items
//       type: list
//       label: Line items
//       fields:
//         - {name: description, type: text, label: Description, required: true}
//         - {name: amount, type: money, label: Amount, required: true}
//     - {name: total, type: money, label: Total, sum: items.amount}
//   ---
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"

namespace hub::playbooks::templates {

using http::ApiError;
using http::Result;

enum class FieldType { text, multiline, date, money, number, choice, boolean, list };

struct Field {
  std::string name;  // 1-40 of a-z, 0-9 and '_', starting with a letter
  FieldType type = FieldType::text;
  std::string label;
  std::string help;
  bool required = false;
  nlohmann::json default_value;      // null when none; checked against the type
  std::vector<std::string> options;  // choice only, at least one
  std::string sum;                   // money only: "list.field", a computed total
  std::vector<Field> fields;         // list only: the record's fields (no nested lists)
};

inline constexpr std::size_t kMaxFields = 60;
inline constexpr std::size_t kMaxOptions = 50;
inline constexpr std::size_t kMaxTemplateBytes = 64 * 1024;
inline constexpr std::size_t kDocumentKinds = 9;
// The kinds of document a template makes, for the gallery's filter.
extern const char* const kKinds[kDocumentKinds];

struct TemplateSource {
  std::string title;  // from the front matter; may be empty
  std::string kind;   // one of kKinds ("other" when not given)
  std::vector<std::string> tags;
  std::vector<Field> fields;
  std::string body;  // the Markdown with Mustache tags after the front matter
};

const char* type_name(FieldType t);

// Parses and checks the front matter and the body's Mustache tags (check_tags). Every problem is
// invalid_field "content" naming the field or tag at fault.
// REQUIRES: nothing; any text is acceptable input.
Result<TemplateSource> parse_template(std::string_view content);

// [{name, type, label, help?, required, default?, options?, sum?, fields?}]
nlohmann::json fields_json(const std::vector<Field>& fields);

// The field a "list.field" sum refers to, or nullptr.
const Field* sum_source(const std::vector<Field>& fields, std::string_view sum);

}  // namespace hub::playbooks::templates
