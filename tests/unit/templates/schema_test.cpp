#include <catch2/catch.hpp>

#include "playbooks/templates/field_schema.hpp"
#include "playbooks/templates/mustache_tags.hpp"

using namespace hub::playbooks::templates;

namespace {

const char* kInvoice = R"(---
title: Invoice
kind: invoice
tags: [billing]
fields:
  - {name: client, type: text, label: Client, required: true}
  - {name: notes, type: multiline, label: Notes, help: Shown under the table}
  - {name: issued_on, type: date, label: Issued, required: true, default: "2026-01-31"}
  - {name: currency, type: choice, label: Currency, options: [EUR, USD, GBP], default: EUR}
  - {name: net_days, type: number, label: Payment terms, default: 30}
  - {name: reverse_charge, type: boolean, label: Reverse charge}
  - name: items
    type: list
    label: Line items
    fields:
      - {name: description, type: text, label: Description, required: true}
      - {name: amount, type: money, label: Amount, required: true}
  - {name: total, type: money, label: Total, sum: items.amount}
---
# Invoice for {{client}}
Issued {{issued_on}}, due in {{net_days}} days.
{{#items}}
- {{description}}: {{amount}} {{currency}}
{{/items}}
**Total: {{total}} {{currency}}**
{{#reverse_charge}}Reverse charge applies.{{/reverse_charge}}
{{^notes}}No notes.{{/notes}}{{notes}}
{{! a comment renders nothing }}
)";

std::string with_body(const std::string& fields, const std::string& body) {
  return "---\nfields:\n" + fields + "---\n" + body;
}

std::string message_of(const hub::http::ApiError& e) { return e.message; }

}  // namespace

TEST_CASE("template schema: every field type, options, defaults, a list of records and a sum") {
  auto t = parse_template(kInvoice);
  REQUIRE(t.ok());
  CHECK(t->title == "Invoice");
  CHECK(t->kind == "invoice");
  CHECK(t->tags == std::vector<std::string>{"billing"});
  REQUIRE(t->fields.size() == 8);
  CHECK(t->fields[0].required);
  CHECK(t->fields[1].help == "Shown under the table");
  CHECK(t->fields[2].type == FieldType::date);
  CHECK(t->fields[3].options == std::vector<std::string>{"EUR", "USD", "GBP"});
  CHECK(t->fields[4].default_value == 30);
  CHECK(t->fields[5].type == FieldType::boolean);
  REQUIRE(t->fields[6].fields.size() == 2);
  CHECK(t->fields[7].sum == "items.amount");
  CHECK(sum_source(t->fields, "items.amount") == &t->fields[6].fields[1]);
  auto uses = scan_tags(t->body, t->fields);
  REQUIRE(uses.ok());
  CHECK(check_declared_fields(*uses, t->fields).ok());
  auto j = fields_json(t->fields);
  CHECK(j[6]["fields"][1]["type"] == "money");
  CHECK(j[7]["sum"] == "items.amount");
}

TEST_CASE("template schema: bad declarations are refused naming the field") {
  struct Case {
    const char* fields;
    const char* needle;
  };
  const Case cases[] = {
      {"  - {name: a, type: colour, label: A}\n", "Field `a`: `type` must be one of"},
      {"  - {name: a, type: text}\n", "Field `a`: a `label` is required"},
      {"  - {name: A-b, type: text, label: A}\n", "Field `A-b`: names are"},
      {"  - {name: a, type: choice, label: A}\n", "Field `a`: a choice needs `options`"},
      {"  - {name: a, type: text, label: A, options: [x]}\n", "Field `a`: only a choice has `options`"},
      {"  - {name: a, type: choice, label: A, options: [x, x]}\n", "option `x` is listed twice"},
      {"  - {name: a, type: list, label: A}\n", "Field `a`: a list declares"},
      {"  - {name: a, type: number, label: A, default: many}\n", "Field `a`: the default is not a valid number"},
      {"  - {name: a, type: date, label: A, default: 2026-02-30}\n", "the default is not a valid date"},
      {"  - {name: a, type: boolean, label: A, required: maybe}\n", "`required` is true or false"},
      {"  - {name: a, type: text, label: A}\n  - {name: a, type: text, label: B}\n", "Field `a`: declared twice"},
      {"  - {name: t, type: money, label: T, sum: items.amount}\n", "Field `t`: `sum: items.amount` must name"},
      {"  - {name: t, type: text, label: T, sum: x.y}\n", "only a money field has a `sum`"},
      {"  - {name: l, type: list, label: L, fields: [{name: m, type: list, label: M, fields: []}]}\n",
       "In list `l`: Field `m`: a list's records cannot hold another list"},
      {"  just: a mapping\n", "`fields` is a list"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.fields);
    auto t = parse_template(with_body(c.fields, "x\n"));
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 400);
    CHECK(t.error().field == "content");
    CHECK_THAT(message_of(t.error()), Catch::Contains(c.needle));
  }
  auto none = parse_template("# No front matter {{x}}\n");
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().message, Catch::Contains("declares the template's `fields`"));
  auto kind = parse_template("---\nkind: poem\nfields: []\n---\nx");
  REQUIRE_FALSE(kind.ok());
  CHECK_THAT(kind.error().message, Catch::Contains("`kind` must be one of"));
}

TEST_CASE("template schema: invalid YAML is a 400 naming the line") {
  auto t = parse_template("---\nfields:\n  - {name: a, type: text\n---\nx\n");
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().status == 400);
  CHECK(t.error().field == "content");
  CHECK_THAT(t.error().message, Catch::Contains("not valid YAML") && Catch::Contains("line"));
}

TEST_CASE("mustache subset: partials, delimiter changes and unescaped variables are refused at save") {
  const char* fields = "  - {name: a, type: text, label: A}\n";
  const std::pair<const char*, const char*> refused[] = {
      {"{{> header}}", "partials"},
      {"{{=<% %>=}}", "delimiter changes"},
      {"{{{a}}}", "unescaped variables"},
      {"{{& a}}", "unescaped variables"},
      {"{{a.b}}", "is not a field name"},
      {"{{.}}", "is not a field name"},
      {"{{#a}}x", "never closed"},
      {"x{{/a}}", "closes a section that is not open"},
      {"{{#a}}{{^b}}{{/a}}{{/b}}", "`b` is the section still open"},
      {"{{a", "never closed with }}"},
  };
  for (auto [body, needle] : refused) {
    CAPTURE(body);
    auto t = parse_template(with_body(fields, std::string("line one\n") + body + "\n"));
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 400);
    CHECK_THAT(t.error().message, Catch::Contains("Line 2 of the body") && Catch::Contains(needle));
  }
  CHECK(parse_template(with_body(fields, "{{ a }} {{#a}}{{a}}{{/a}}{{^a}}none{{/a}}{{! note }}")).ok());
}

TEST_CASE("declared vs used: an undeclared or unused field is named") {
  auto check = [](const std::string& fields, const std::string& body) {
    auto t = parse_template(with_body(fields, body));
    REQUIRE(t.ok());
    auto uses = scan_tags(t->body, t->fields);
    REQUIRE(uses.ok());
    return check_declared_fields(*uses, t->fields);
  };
  const std::string a = "  - {name: a, type: text, label: A}\n";
  const std::string list = "  - {name: items, type: list, label: I, fields: [{name: amount, type: money, label: M}]}\n";
  auto undeclared = check(a, "{{a}} {{b}}");
  REQUIRE_FALSE(undeclared.ok());
  CHECK(undeclared.error().status == 422);
  CHECK_THAT(undeclared.error().message, Catch::Contains("Field `b` is used on line 1 but not declared"));
  auto unused = check(a + "  - {name: c, type: text, label: C}\n", "{{a}}");
  REQUIRE_FALSE(unused.ok());
  CHECK_THAT(unused.error().message, Catch::Contains("Field `c` is declared but never used"));
  auto outside = check(list, "{{#items}}x{{/items}} {{amount}}");
  REQUIRE_FALSE(outside.ok());
  CHECK_THAT(outside.error().message, Catch::Contains("Field `amount` is used"));
  auto record_unused = check(list, "{{#items}}x{{/items}}");
  REQUIRE_FALSE(record_unused.ok());
  CHECK_THAT(record_unused.error().message, Catch::Contains("Field `items.amount` is declared but never used"));
  auto as_value = check(list, "{{items}}");
  REQUIRE_FALSE(as_value.ok());
  CHECK_THAT(as_value.error().message, Catch::Contains("List `items` is used as a value"));
  CHECK(check(list + a, "{{#items}}{{amount}} {{a}}{{/items}}").ok());
  // A sum counts as a use of the record field it totals.
  CHECK(check(list + "  - {name: total, type: money, label: T, sum: items.amount}\n", "{{#items}}-{{/items}} {{total}}").ok());
}
