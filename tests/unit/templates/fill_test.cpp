#include <catch2/catch.hpp>

#include "playbooks/templates/fill.hpp"
#include "playbooks/templates/parsed_cache.hpp"

using namespace hub::playbooks::templates;
using nlohmann::json;

namespace {

TemplateSource invoice() {
  auto t = parse_template(R"(---
title: Invoice
fields:
  - {name: client, type: text, label: Client, required: true}
  - {name: notes, type: multiline, label: Notes}
  - {name: issued_on, type: date, label: Issued, required: true}
  - {name: currency, type: choice, label: Currency, options: [EUR, USD], default: EUR}
  - {name: reverse_charge, type: boolean, label: Reverse charge}
  - name: items
    type: list
    label: Items
    required: true
    fields:
      - {name: description, type: text, label: Description, required: true}
      - {name: amount, type: money, label: Amount, required: true}
  - {name: total, type: money, label: Total, sum: items.amount}
---
# Invoice for {{client}}

Issued {{issued_on}}.

| Item | Amount |
|---|---|
{{#items}}
| {{description}} | {{amount}} {{currency}} |
{{/items}}

**Total: {{total}} {{currency}}**
{{#reverse_charge}}Reverse charge applies.{{/reverse_charge}}
{{#notes}}Notes: {{notes}}{{/notes}}{{^notes}}No notes.{{/notes}}
)");
  REQUIRE(t.ok());
  return *t;
}

json good_values() {
  return {{"client", "ACME GmbH"},
          {"issued_on", "2026-03-01"},
          {"items", {{{"description", "Retainer, March"}, {"amount", 12000}}, {{"description", "Audit"}, {"amount", "500"}}}}};
}

}  // namespace

TEST_CASE("fill: values are checked, defaults applied and sums computed") {
  auto src = invoice();
  auto v = check_values(src.fields, good_values());
  REQUIRE(v.ok());
  CHECK((*v)["currency"] == "EUR");
  CHECK((*v)["total"] == 12500);
  CHECK((*v)["items"][1]["amount"] == 500);
  CHECK_FALSE(v->contains("notes"));
  auto doc = fill_template(src, *v);
  REQUIRE(doc.ok());
  CHECK_THAT(doc->html, Catch::Contains("<h1>Invoice for ACME GmbH</h1>"));
  CHECK_THAT(doc->html, Catch::Contains("<td>Retainer, March</td>"));
  CHECK_THAT(doc->html, Catch::Contains("12,000 EUR"));
  CHECK_THAT(doc->html, Catch::Contains("Total: 12,500 EUR"));
  CHECK_THAT(doc->html, Catch::Contains("No notes."));
  CHECK_THAT(doc->html, !Catch::Contains("Reverse charge applies"));
}

TEST_CASE("fill: 422 names every field at fault, nothing renders blank") {
  auto src = invoice();
  json bad = {{"notes", 7},
              {"issued_on", "2026-02-30"},
              {"currency", "JPY"},
              {"reverse_charge", "yes"},
              {"total", 5},
              {"colour", "red"},
              {"items", {{{"amount", "12.50"}}, 3}}};
  auto v = check_values(src.fields, bad);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().status == 422);
  CHECK(v.error().field == "fields");
  auto listed = json::parse(*v.error().extra)["fields"];
  std::vector<std::string> names;
  for (const auto& f : listed) names.push_back(f["name"]);
  CHECK(names == std::vector<std::string>{"colour", "client", "notes", "issued_on", "currency", "reverse_charge",
                                          "items[1].description", "items[1].amount", "items[2]", "total"});
  CHECK_THAT(v.error().message, Catch::Contains("client") && Catch::Contains("items[1].amount"));
  auto empty_list = check_values(src.fields, {{"client", "x"}, {"issued_on", "2026-01-01"}});
  REQUIRE_FALSE(empty_list.ok());
  CHECK(json::parse(*empty_list.error().extra)["fields"][0]["name"] == "items");
}

TEST_CASE("fill: a value over 10 KB is refused, a one-line text keeps to one line") {
  auto src = invoice();
  auto values = good_values();
  values["client"] = std::string(kMaxValueBytes + 1, 'a');
  auto big = check_values(src.fields, values);
  REQUIRE_FALSE(big.ok());
  CHECK_THAT(big.error().message, Catch::Contains("client"));
  CHECK(json::parse(*big.error().extra)["fields"][0]["message"] == "is over 10 KB.");
  values["client"] = "two\nlines";
  CHECK_FALSE(check_values(src.fields, values).ok());
}

TEST_CASE("fill: a value holding Mustache, Markdown or HTML is shown literally") {
  auto src = invoice();
  auto values = good_values();
  values["client"] = "{{total}} **bold** <img src=x onerror=alert(1)> [link](javascript:alert(1)) &amp;";
  values["notes"] = "# not a heading\n    not code\n- not a list";
  auto v = check_values(src.fields, values);
  REQUIRE(v.ok());
  auto doc = fill_template(src, *v);
  REQUIRE(doc.ok());
  CHECK_THAT(doc->html, Catch::Contains("Invoice for {{total}} **bold** &lt;img src=x onerror=alert(1)&gt; "
                                        "[link](javascript:alert(1)) &amp;amp;</h1>"));
  CHECK_THAT(doc->html, !Catch::Contains("<strong>bold"));
  CHECK_THAT(doc->html, !Catch::Contains("<img"));
  CHECK_THAT(doc->html, !Catch::Contains("href"));
  CHECK_THAT(doc->html, Catch::Contains("Notes: # not a heading<br />\nnot code<br />\n- not a list"));
  CHECK(escape_markdown("a_b *c*") == "a\\_b \\*c\\*");
}

TEST_CASE("fill: a document over the size limit is refused") {
  auto t = parse_template("---\nfields:\n  - {name: big, type: multiline, label: Big}\n"
                          "  - name: rows\n    type: list\n    label: Rows\n    fields: [{name: text, type: multiline, label: T}]\n"
                          "---\n{{big}}{{#rows}}{{text}}{{/rows}}\n");
  REQUIRE(t.ok());
  json rows = json::array();
  for (int i = 0; i < 30; ++i) rows.push_back({{"text", std::string(9000, 'x')}});
  auto v = check_values(t->fields, {{"rows", rows}});
  REQUIRE(v.ok());
  auto doc = fill_template(*t, *v);
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().status == 413);
}

TEST_CASE("fill: the page puts title and date in the running header, never inside the stylesheet") {
  auto page = document_page("Quote \"</style><script>x\\", "2026-03-01", "letter", "<p>x</p>");
  CHECK_THAT(page, Catch::Contains("size: letter"));
  CHECK_THAT(page, Catch::Contains("<title>Quote &quot;&lt;/style&gt;&lt;script&gt;x\\</title>"));
  CHECK_THAT(page, !Catch::Contains("<script>"));
  CHECK_THAT(page, Catch::Contains("counter(page) \" of \" counter(pages)"));
  auto style = page.substr(page.find("<style>"), page.find("</style>") - page.find("<style>"));
  CHECK_THAT(style, !Catch::Contains("Quote"));
  CHECK_THAT(document_page("t", "d", "a4", ""), Catch::Contains("size: A4"));
}

TEST_CASE("fill: parsed templates are cached by content, errors are not, and the cache is bounded") {
  ParsedTemplateCache cache(2);
  const std::string a = "---\nfields:\n  - {name: a, type: text, label: A}\n---\n{{a}}\n";
  auto first = cache.get(a);
  REQUIRE(first.ok());
  auto again = cache.get(a);
  REQUIRE(again.ok());
  CHECK(first->get() == again->get());
  auto unused = cache.get("---\nfields:\n  - {name: a, type: text, label: A}\n---\nno tags\n");
  REQUIRE_FALSE(unused.ok());
  CHECK(unused.error().status == 422);
  CHECK(cache.size() == 1);
  REQUIRE(cache.get(a + "x\n").ok());
  REQUIRE(cache.get(a + "y\n").ok());  // a third entry: the full cache starts over
  CHECK(cache.size() == 1);
}
