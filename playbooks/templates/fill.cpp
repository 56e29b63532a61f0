#include "playbooks/templates/fill.hpp"

#include <charconv>

#include <kainjow/mustache.hpp>

#include "hub/http/json_body.hpp"
#include "hub/markdown/html_escape.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::playbooks::templates {
namespace {

using Mustache = kainjow::mustache::mustache;
using MustacheData = kainjow::mustache::data;

constexpr std::int64_t kMaxAmount = 999'999'999'999;

struct ValueChecker {
  std::vector<FieldProblem> problems;

  void fault(const std::string& name, std::string message) { problems.push_back({name, std::move(message)}); }

  bool has_control(std::string_view s, bool newlines) {
    for (unsigned char c : s)
      if ((c < 0x20 && !(newlines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) return true;
    return false;
  }

  std::optional<std::int64_t> whole_number(const nlohmann::json& v) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (!v.is_string()) return std::nullopt;
    const auto& s = v.get_ref<const std::string&>();
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return n;
  }

  // The checked value, or null when absent (a problem is recorded when that is not allowed).
  nlohmann::json one(const Field& f, const std::string& name, const nlohmann::json* given) {
    bool absent = !given || given->is_null() || (given->is_string() && given->get_ref<const std::string&>().empty());
    if (!f.sum.empty()) {
      if (!absent) fault(name, "is computed from " + f.sum + "; do not send it.");
      return nullptr;
    }
    if (f.type == FieldType::list) return list(f, name, absent ? nullptr : given);
    if (absent) {
      if (!f.default_value.is_null()) return f.default_value;
      if (f.required) fault(name, "is required.");
      return nullptr;
    }
    const nlohmann::json& v = *given;
    if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxValueBytes) {
      fault(name, "is over 10 KB.");
      return nullptr;
    }
    switch (f.type) {
      case FieldType::text:
      case FieldType::multiline: {
        if (!v.is_string()) return fault(name, "must be text."), nullptr;
        if (has_control(v.get_ref<const std::string&>(), f.type == FieldType::multiline))
          return fault(name, f.type == FieldType::text ? "must be one line of text." : "holds control characters."),
                 nullptr;
        return v;
      }
      case FieldType::date:
        if (!v.is_string() || !http::is_valid_date(v.get_ref<const std::string&>()))
          return fault(name, "must be a date, YYYY-MM-DD."), nullptr;
        return v;
      case FieldType::money:
      case FieldType::number: {
        auto n = whole_number(v);
        if (!n || *n > kMaxAmount || *n < -kMaxAmount)
          return fault(name, f.type == FieldType::money ? "must be a whole amount of currency units." : "must be a whole number."),
                 nullptr;
        return *n;
      }
      case FieldType::choice:
        if (!v.is_string() || std::find(f.options.begin(), f.options.end(), v.get<std::string>()) == f.options.end()) {
          std::string opts;
          for (const auto& o : f.options) opts += (opts.empty() ? "" : ", ") + o;
          return fault(name, "must be one of " + opts + "."), nullptr;
        }
        return v;
      case FieldType::boolean:
        if (!v.is_boolean()) return fault(name, "must be true or false."), nullptr;
        return v;
      case FieldType::list: break;  // list() above
    }
    return nullptr;
  }

  // An absent list is an empty one.
  nlohmann::json list(const Field& f, const std::string& name, const nlohmann::json* given) {
    auto out = nlohmann::json::array();
    if (given && !given->is_array()) return fault(name, "must be a list of records."), nullptr;
    if (given && given->size() > kMaxListItems)
      return fault(name, "has more than " + std::to_string(kMaxListItems) + " entries."), nullptr;
    if (f.required && (!given || given->empty())) return fault(name, "needs at least one entry."), nullptr;
    if (!given) return out;
    for (std::size_t i = 0; i < given->size(); ++i) {
      std::string at = name + "[" + std::to_string(i + 1) + "]";
      if (!(*given)[i].is_object()) {
        fault(at, "must be a record.");
        continue;
      }
      out.push_back(record(f.fields, (*given)[i], at + "."));
    }
    return out;
  }

  nlohmann::json record(const std::vector<Field>& fields, const nlohmann::json& values, const std::string& prefix) {
    auto out = nlohmann::json::object();
    for (const auto& [key, value] : values.items())
      if (std::none_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == key; }))
        fault(prefix + key, "is not a field of this template.");
    for (const auto& f : fields) {
      const nlohmann::json* given = values.contains(f.name) ? &values[f.name] : nullptr;
      auto v = one(f, prefix + f.name, given);
      if (!v.is_null()) out[f.name] = std::move(v);
    }
    return out;
  }
};

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

MustacheData to_data(const std::vector<Field>& fields, const nlohmann::json& values) {
  MustacheData data;
  for (const auto& f : fields) {
    if (!values.contains(f.name)) continue;
    const auto& v = values[f.name];
    if (f.type == FieldType::list) {
      MustacheData list{MustacheData::type::list};
      for (const auto& item : v) list.push_back(to_data(f.fields, item));
      data.set(f.name, list);
    } else if (v.is_boolean()) {
      data.set(f.name, MustacheData(v.get<bool>()));
    } else if (v.is_number_integer()) {
      auto n = v.get<std::int64_t>();
      data.set(f.name, escape_markdown(f.type == FieldType::money ? grouped(n) : std::to_string(n)));
    } else {
      data.set(f.name, escape_markdown(v.get<std::string>()));
    }
  }
  return data;
}

}  // namespace

Result<nlohmann::json> check_values(const std::vector<Field>& fields, const nlohmann::json& values) {
  ValueChecker checker;
  if (!values.is_object()) checker.fault("fields", "must be an object of field values.");
  auto out = checker.record(fields, values.is_object() ? values : nlohmann::json::object(), "");
  for (const auto& f : fields) {
    if (f.sum.empty()) continue;
    const Field* source = sum_source(fields, f.sum);
    std::string list = f.sum.substr(0, f.sum.find('.'));
    std::int64_t total = 0;
    if (source && out.contains(list))
      for (const auto& item : out[list])
        if (item.contains(source->name)) total += item[source->name].get<std::int64_t>();
    out[f.name] = total;
  }
  if (checker.problems.empty()) return out;
  auto list = nlohmann::json::array();
  std::string names;
  for (const auto& p : checker.problems) {
    list.push_back({{"name", p.name}, {"message", p.message}});
    names += (names.empty() ? "" : ", ") + p.name;
  }
  ApiError e{422, "invalid_field", "Check these fields: " + names + ".", "fields"};
  e.extra = nlohmann::json{{"fields", list}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

std::string escape_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  bool line_start = true;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      out += "\\\n";  // a hard line break
      line_start = true;
      continue;
    }
    if (line_start && (c == ' ' || c == '\t')) continue;  // indentation would start a code block
    line_start = false;
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::ispunct(u)) out += '\\';
    out += c;
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "\\\n") == 0) out.resize(out.size() - 2);
  return out;
}

Result<RenderedDocument> fill_template(const TemplateSource& src, const nlohmann::json& values) {
  Mustache tmpl{src.body};
  if (!tmpl.is_valid()) return ApiError::invalid_field("content", "The template does not parse: " + tmpl.error_message());
  tmpl.set_custom_escape([](const std::string& s) { return s; });  // values are Markdown-escaped already
  RenderedDocument doc;
  doc.markdown = tmpl.render(to_data(src.fields, values));
  if (!tmpl.is_valid()) return ApiError::invalid_field("content", "The template does not render: " + tmpl.error_message());
  const std::size_t cap = std::min(kMaxDocumentBytes, markdown::kMaxInputBytes);
  if (doc.markdown.size() > cap)
    return ApiError::payload_too_large("The filled document is over " + std::to_string(cap / 1024) + " KB.");
  doc.html = markdown::render_html(doc.markdown);
  if (doc.html.size() > kMaxDocumentBytes)
    return ApiError::payload_too_large("The rendered document is over " + std::to_string(kMaxDocumentBytes / 1024) + " KB.");
  return doc;
}

std::string document_page(const std::string& title, const std::string& date, const std::string& paper,
                          const std::string& fragment) {
  // No user text inside <style>: the running header takes the title and date from the page itself
  // (string-set), so nothing a title holds can end a CSS string.
  std::string t = markdown::escape_html(title), d = markdown::escape_html(date);
  std::string size = paper == "letter" ? "letter" : "A4";
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + t +
         "</title>\n<meta name=\"date\" content=\"" + d + "\">\n<style>\n@page { size: " + size +
         "; margin: 22mm 20mm 24mm 20mm;\n  @top-left { content: string(doctitle); font-size: 8pt; color: #555; }\n"
         "  @top-right { content: string(docdate); font-size: 8pt; color: #555; }\n"
         "  @bottom-center { content: \"Page \" counter(page) \" of \" counter(pages); font-size: 8pt; }\n}\n"
         ".doc-title { string-set: doctitle content(); } .doc-date { string-set: docdate content(); }\n"
         ".doc-head { display: flex; justify-content: space-between; color: #555; font-size: 9pt; "
         "border-bottom: 1px solid #ccc; margin-bottom: 12pt; }\n"
         "body { font-family: 'DejaVu Sans', sans-serif; font-size: 10.5pt; line-height: 1.45; color: #111; }\n"
         "h1 { font-size: 18pt; } h2 { font-size: 14pt; } table { border-collapse: collapse; width: 100%; }\n"
         "th, td { border: 1px solid #999; padding: 3pt 5pt; text-align: left; } img { max-width: 100%; }\n"
         "</style></head>\n<body>\n<header class=\"doc-head\"><span class=\"doc-title\">" + t +
         "</span><span class=\"doc-date\">" + d + "</span></header>\n<article class=\"document\">\n" + fragment +
         "</article>\n</body></html>\n";
}

}  // namespace hub::playbooks::templates
