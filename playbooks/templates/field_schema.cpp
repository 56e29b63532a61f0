#include "playbooks/templates/field_schema.hpp"

#include <set>

#include "hub/http/json_body.hpp"
#include "playbooks/front_matter.hpp"
#include "playbooks/playbook_store.hpp"
#include "playbooks/templates/mustache_tags.hpp"

namespace hub::playbooks::templates {

const char* const kKinds[kDocumentKinds] = {"quote",  "agreement", "invoice", "advisory", "digest",
                                            "letter", "answers",   "reminder", "other"};

namespace {

constexpr std::pair<FieldType, const char*> kTypeNames[] = {
    {FieldType::text, "text"},       {FieldType::multiline, "multiline"}, {FieldType::date, "date"},
    {FieldType::money, "money"},     {FieldType::number, "number"},       {FieldType::choice, "choice"},
    {FieldType::boolean, "boolean"}, {FieldType::list, "list"}};

ApiError schema_error(const std::string& field, const std::string& message) {
  return ApiError::invalid_field("content", field.empty() ? message : "Field `" + field + "`: " + message);
}

bool valid_field_name(std::string_view n) {
  if (n.empty() || n.size() > 40 || n[0] < 'a' || n[0] > 'z') return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

Result<std::string> schema_text(const nlohmann::json& obj, const char* key, const std::string& field,
                                std::size_t max) {
  if (!obj.contains(key) || obj[key].is_null()) return std::string();
  const auto& v = obj[key];
  std::string s = v.is_string() ? v.get<std::string>() : (v.is_number() || v.is_boolean()) ? v.dump() : "";
  if (!v.is_string() && s.empty()) return schema_error(field, std::string("`") + key + "` must be text.");
  if (s.size() > max) return schema_error(field, std::string("`") + key + "` is too long.");
  return s;
}

// A default must be a value the field accepts.
http::Status check_default(const Field& f) {
  const auto& d = f.default_value;
  if (d.is_null()) return http::Ok{};
  bool ok = false;
  switch (f.type) {
    case FieldType::text:
    case FieldType::multiline: ok = d.is_string() || d.is_number_integer(); break;
    case FieldType::date: ok = d.is_string() && http::is_valid_date(d.get<std::string>()); break;
    case FieldType::money:
    case FieldType::number: ok = d.is_number_integer(); break;
    case FieldType::choice:
      ok = d.is_string() && std::find(f.options.begin(), f.options.end(), d.get<std::string>()) != f.options.end();
      break;
    case FieldType::boolean: ok = d.is_boolean(); break;
    case FieldType::list: ok = false; break;
  }
  if (!ok) return schema_error(f.name, std::string("the default is not a valid ") + type_name(f.type) + ".");
  return http::Ok{};
}

Result<Field> parse_field(const nlohmann::json& obj, bool in_record, std::size_t index) {
  std::string where = "#" + std::to_string(index + 1);
  if (!obj.is_object()) return schema_error(where, "each field is a mapping with `name`, `type` and `label`.");
  Field f;
  auto name = schema_text(obj, "name", where, 40);
  if (!name) return name.error();
  if (!valid_field_name(*name))
    return schema_error(name->empty() ? where : *name,
                        "names are 1-40 of a-z, 0-9 and `_`, starting with a letter.");
  f.name = *name;
  auto type = schema_text(obj, "type", f.name, 20);
  if (!type) return type.error();
  bool known = false;
  for (auto [t, n] : kTypeNames)
    if (*type == n) f.type = t, known = true;
  if (!known)
    return schema_error(f.name, "`type` must be one of text, multiline, date, money, number, choice, boolean, list.");
  if (in_record && f.type == FieldType::list) return schema_error(f.name, "a list's records cannot hold another list.");
  auto label = schema_text(obj, "label", f.name, 120);
  auto help = schema_text(obj, "help", f.name, 500);
  auto sum = schema_text(obj, "sum", f.name, 90);
  if (!label) return label.error();
  if (!help) return help.error();
  if (!sum) return sum.error();
  if (label->empty()) return schema_error(f.name, "a `label` is required.");
  f.label = *label, f.help = *help, f.sum = *sum;
  if (obj.contains("required") && !obj["required"].is_null()) {
    if (!obj["required"].is_boolean()) return schema_error(f.name, "`required` is true or false.");
    f.required = obj["required"].get<bool>();
  }
  if (obj.contains("options") && !obj["options"].is_null()) {
    if (f.type != FieldType::choice) return schema_error(f.name, "only a choice has `options`.");
    if (!obj["options"].is_array()) return schema_error(f.name, "`options` is a list.");
    for (const auto& o : obj["options"]) {
      if (!(o.is_string() || o.is_number_integer()) || (o.is_string() && o.get<std::string>().empty()))
        return schema_error(f.name, "each option is a non-empty text.");
      std::string opt = o.is_string() ? o.get<std::string>() : o.dump();
      if (std::find(f.options.begin(), f.options.end(), opt) != f.options.end())
        return schema_error(f.name, "option `" + opt + "` is listed twice.");
      f.options.push_back(opt);
    }
    if (f.options.size() > kMaxOptions) return schema_error(f.name, "too many options.");
  }
  if (f.type == FieldType::choice && f.options.empty()) return schema_error(f.name, "a choice needs `options`.");
  if (!f.sum.empty() && f.type != FieldType::money) return schema_error(f.name, "only a money field has a `sum`.");
  if (obj.contains("fields") && !obj["fields"].is_null()) {
    if (f.type != FieldType::list) return schema_error(f.name, "only a list has `fields`.");
    if (!obj["fields"].is_array()) return schema_error(f.name, "`fields` is a list.");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < obj["fields"].size(); ++i) {
      auto sub = parse_field(obj["fields"][i], true, i);
      if (!sub) return ApiError::invalid_field("content", "In list `" + f.name + "`: " + sub.error().message);
      if (!seen.insert(sub->name).second) return schema_error(f.name + "." + sub->name, "declared twice.");
      f.fields.push_back(std::move(*sub));
    }
  }
  if (f.type == FieldType::list && f.fields.empty()) return schema_error(f.name, "a list declares its records' `fields`.");
  if (obj.contains("default")) f.default_value = obj["default"];
  auto d = check_default(f);
  if (!d) return d.error();
  return f;
}

Result<std::vector<Field>> parse_fields(const nlohmann::json& decl) {
  std::vector<Field> fields;
  if (decl.is_null()) return fields;
  if (!decl.is_array()) return schema_error("", "`fields` is a list of field declarations.");
  if (decl.size() > kMaxFields) return schema_error("", "at most " + std::to_string(kMaxFields) + " fields.");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < decl.size(); ++i) {
    auto f = parse_field(decl[i], false, i);
    if (!f) return f.error();
    if (!seen.insert(f->name).second) return schema_error(f->name, "declared twice.");
    fields.push_back(std::move(*f));
  }
  for (const auto& list : fields)
    for (const auto& r : list.fields)
      if (seen.count(r.name))
        return schema_error(list.name + "." + r.name, "a record field cannot share its name with a top-level field.");
  for (const auto& f : fields)
    if (!f.sum.empty() && !sum_source(fields, f.sum))
      return schema_error(f.name, "`sum: " + f.sum + "` must name a money or number field of a list, as `items.amount`.");
  return fields;
}

}  // namespace

const char* type_name(FieldType t) {
  for (auto [type, name] : kTypeNames)
    if (type == t) return name;
  return "text";
}

const Field* sum_source(const std::vector<Field>& fields, std::string_view sum) {
  auto dot = sum.find('.');
  if (dot == std::string_view::npos) return nullptr;
  for (const auto& list : fields) {
    if (list.type != FieldType::list || list.name != sum.substr(0, dot)) continue;
    for (const auto& f : list.fields)
      if (f.name == sum.substr(dot + 1) && (f.type == FieldType::money || f.type == FieldType::number)) return &f;
  }
  return nullptr;
}

Result<TemplateSource> parse_template(std::string_view content) {
  if (content.size() > kMaxTemplateBytes)
    return ApiError::payload_too_large("A template is at most " + std::to_string(kMaxTemplateBytes / 1024) + " KB.");
  auto fm = split_front_matter(content);
  if (!fm) return ApiError::invalid_field("content", fm.error().message);
  if (!fm->present || !fm->data.contains("fields"))
    return schema_error("", "the front matter (between `---` lines) declares the template's `fields`.");
  TemplateSource src;
  auto title = schema_text(fm->data, "title", "", 120);
  auto kind = schema_text(fm->data, "kind", "", 20);
  if (!title) return title.error();
  if (!kind) return kind.error();
  src.title = *title;
  src.kind = kind->empty() ? "other" : *kind;
  if (std::find_if(std::begin(kKinds), std::end(kKinds), [&](const char* k) { return src.kind == k; }) == std::end(kKinds))
    return schema_error("", "`kind` must be one of quote, agreement, invoice, advisory, digest, letter, answers, "
                            "reminder, other.");
  if (fm->data.contains("tags") && fm->data["tags"].is_array())
    for (const auto& t : fm->data["tags"])
      if (t.is_string()) src.tags.push_back(t.get<std::string>());
  auto tags = check_tags(src.tags);
  if (!tags) return ApiError::invalid_field("content", tags.error().message);
  src.tags = *tags;
  auto fields = parse_fields(fm->data["fields"]);
  if (!fields) return fields.error();
  src.fields = std::move(*fields);
  src.body = std::move(fm->content);
  auto uses = scan_tags(src.body, src.fields);
  if (!uses) return uses.error();
  return src;
}

nlohmann::json fields_json(const std::vector<Field>& fields) {
  auto out = nlohmann::json::array();
  for (const auto& f : fields) {
    nlohmann::json j;
    j["name"] = f.name;
    j["type"] = type_name(f.type);
    j["label"] = f.label;
    if (!f.help.empty()) j["help"] = f.help;
    j["required"] = f.required;
    if (!f.default_value.is_null()) j["default"] = f.default_value;
    if (!f.options.empty()) j["options"] = f.options;
    if (!f.sum.empty()) j["sum"] = f.sum;
    if (!f.fields.empty()) j["fields"] = fields_json(f.fields);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace hub::playbooks::templates
