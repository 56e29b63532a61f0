// The Mustache subset templates may use: variables {{name}}, sections {{#name}}...{{/name}} over a
// list or a boolean (or any field, shown when it has a value), and inverted sections
// {{^name}}...{{/name}}. Partials, delimiter changes and unescaped variables are refused at save;
// lambdas cannot occur because the hub builds the data, never the template's author. Comments
// {{! ... }} are allowed and render nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "playbooks/templates/field_schema.hpp"

namespace hub::playbooks::templates {

struct TagUse {
  std::string name;
  std::string list;  // the innermost enclosing list section, empty at top level
  int line = 0;      // 1-based, in the body
  bool section = false;  // {{#name}} or {{^name}}, not a value
};

// Every variable and section name the body uses, in order. invalid_field "content" naming the
// tag and line for a disallowed tag, an unclosed or mismatched section, or a malformed name.
Result<std::vector<TagUse>> scan_tags(std::string_view body, const std::vector<Field>& fields);

// The declaration is the contract: 422 invalid_field "content" naming the first field that is used
// but undeclared, or declared but never used (a record field counts as used inside its list's
// section, or by a sum).
http::Status check_declared_fields(const std::vector<TagUse>& uses, const std::vector<Field>& fields);

}  // namespace hub::playbooks::templates
