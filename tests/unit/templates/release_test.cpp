#include <catch2/catch.hpp>

#include "playbooks/templates/release_rules.hpp"

using namespace hub::playbooks::templates;

namespace {

std::vector<Field> schema_of(const std::string& fields) {
  auto t = parse_template("---\nfields:\n" + fields + "---\nbody\n");
  REQUIRE(t.ok());
  return t->fields;
}

}  // namespace

TEST_CASE("releases: versions are MAJOR.MINOR.PATCH and only go up") {
  CHECK(parse_version("1.2.3") == Version{1, 2, 3});
  CHECK(parse_version("0.0.0") == Version{0, 0, 0});
  for (const char* bad : {"1.2", "1.2.3.4", "01.2.3", "1.2.x", "", "1..3", "v1.2.3", "1.2.3-rc1", "123456.0.0"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_version(bad));
  }
  CHECK(bump_between({1, 2, 3}, {2, 0, 0}) == Bump::major);
  CHECK(bump_between({1, 2, 3}, {1, 3, 0}) == Bump::minor);
  CHECK(bump_between({1, 2, 3}, {1, 2, 4}) == Bump::patch);
  CHECK_FALSE(bump_between({1, 2, 3}, {1, 2, 3}));
  CHECK_FALSE(bump_between({1, 2, 3}, {1, 1, 9}));
}

TEST_CASE("releases: the smallest allowed bump follows the schema change") {
  const std::string a = "  - {name: a, type: text, label: A}\n";
  const std::string c = "  - {name: c, type: choice, label: C, options: [x, y]}\n";
  const std::string l = "  - {name: l, type: list, label: L, fields: [{name: n, type: number, label: N}]}\n";
  const auto base = schema_of(a + c + l);
  struct Case {
    std::string after;
    Bump bump;
    const char* reason;
  };
  const Case cases[] = {
      {a + c + l, Bump::patch, ""},
      {"  - {name: a, type: text, label: Renamed label, help: more help, default: x}\n" + c + l, Bump::patch, ""},
      {c + l, Bump::major, "field `a` was removed"},
      {"  - {name: a, type: multiline, label: A}\n" + c + l, Bump::major, "field `a` changed type"},
      {"  - {name: a, type: text, label: A, required: true}\n" + c + l, Bump::major, "field `a` became required"},
      {a + c + l + "  - {name: b, type: text, label: B, required: true}\n", Bump::major, "required field `b` was added"},
      {a + c + l + "  - {name: b, type: text, label: B}\n", Bump::minor, "optional field `b` was added"},
      {a + "  - {name: c, type: choice, label: C, options: [x]}\n" + l, Bump::major, "option `y` of field `c` was removed"},
      {a + "  - {name: c, type: choice, label: C, options: [x, y, z]}\n" + l, Bump::minor, "option `z` was added"},
      {a + c + "  - {name: l, type: list, label: L, fields: [{name: n, type: money, label: N}]}\n", Bump::major,
       "field `l.n` changed type"},
      {a + c + "  - {name: l, type: list, label: L, fields: [{name: n, type: number, label: N}, {name: o, type: text, label: O}]}\n",
       Bump::minor, "optional field `l.o` was added"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.after);
    auto r = required_bump(base, schema_of(k.after));
    CHECK(r.bump == k.bump);
    CHECK(r.reason.find(k.reason) != std::string::npos);
  }
}
