#include "playbooks/search_index.hpp"

#include "playbooks/text.hpp"

namespace hub::playbooks {
namespace {

// snippet() and highlight() mark matches with these; stored text never holds control characters
// (check_content refuses them), so they cannot be forged.
constexpr const char* kOpen = "\x01";
constexpr const char* kClose = "\x02";

std::string marked_html(std::string_view text) {
  std::string escaped = escape_html(text), out;
  out.reserve(escaped.size() + 32);
  for (char c : escaped) {
    if (c == kOpen[0]) out += "<mark>";
    else if (c == kClose[0]) out += "</mark>";
    else out.push_back(c);
  }
  return out;
}

bool is_search_word_byte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

}  // namespace

http::Status index_document(store::Connection& db, std::string_view kind, std::string_view ref,
                            std::string_view title, std::string_view body, std::string_view tags) {
  auto doc = db.prepare(
      "INSERT INTO search_docs (kind, ref) VALUES (?1, ?2) ON CONFLICT (kind, ref) DO UPDATE SET kind = kind "
      "RETURNING id");
  doc.bind(1, kind).bind(2, ref);
  auto row = doc.step();
  if (!row) return row.error();
  const std::int64_t id = doc.int64(0);
  if (auto r = doc.step(); !r) return r.error();  // finish the statement before the next one
  auto del = db.prepare("DELETE FROM search_fts WHERE rowid = ?1");
  del.bind(1, id);
  if (auto s = del.run(); !s) return s;
  auto ins = db.prepare("INSERT INTO search_fts (rowid, title, body, tags) VALUES (?1, ?2, ?3, ?4)");
  ins.bind(1, id).bind(2, title).bind(3, body).bind(4, tags);
  return ins.run();
}

http::Status unindex_document(store::Connection& db, std::string_view kind, std::string_view ref) {
  auto del = db.prepare(
      "DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE kind = ?1 AND ref = ?2)");
  del.bind(1, kind).bind(2, ref);
  if (auto s = del.run(); !s) return s;
  auto doc = db.prepare("DELETE FROM search_docs WHERE kind = ?1 AND ref = ?2");
  doc.bind(1, kind).bind(2, ref);
  return doc.run();
}

std::optional<std::string> fts_query(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size() && words.size() < kMaxQueryWords) {
    while (i < text.size() && !is_search_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && is_search_word_byte(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) words.push_back(text.substr(i, std::min<std::size_t>(j - i, 64)));
    i = j;
  }
  if (words.empty()) return std::nullopt;
  std::string q;
  for (std::size_t w = 0; w < words.size(); ++w) {
    // Words hold only letters, digits and non-ASCII bytes, so quoting needs no escapes.
    if (w) q += ' ';
    q += '"';
    q += words[w];
    q += '"';
  }
  // The last word is probably still being typed: match it as a prefix.
  if (is_search_word_byte(static_cast<unsigned char>(text.back()))) q += '*';
  return q;
}

http::Result<SearchResult> search_documents(store::Connection& db, const std::string& query, int limit) {
  auto probe = db.prepare("SELECT count(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 LIMIT ?2)");
  probe.bind(1, std::string_view(query)).bind(2, std::int64_t{kMaxRankedMatches + 1});
  auto counted = probe.step();
  if (!counted) return counted.error();
  SearchResult result;
  result.ranked = probe.int64(0) <= kMaxRankedMatches;
  // Rank first, then make snippets for the top rows only: SQLite would otherwise compute a
  // snippet for every match before sorting.
  auto top = db.prepare(result.ranked ? "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 "
                                        "ORDER BY bm25(search_fts, 10.0, 1.0, 5.0) LIMIT ?2"
                                      : "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid DESC "
                                        "LIMIT ?2");
  top.bind(1, std::string_view(query)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::int64_t> rows;
  if (auto read = top.each_row([&] { rows.push_back(top.int64(0)); }); !read) return read.error();
  for (std::int64_t rowid : rows) {
    // A fresh handle each time: the previous one reset the cached statement when it went away.
    auto hit = db.prepare(
        "SELECT d.kind, d.ref, f.title, highlight(search_fts, 0, char(1), char(2)), "
        "snippet(search_fts, 1, char(1), char(2), '…', 16) "
        "FROM search_fts f JOIN search_docs d ON d.id = f.rowid WHERE search_fts MATCH ?1 AND f.rowid = ?2");
    hit.bind(1, std::string_view(query)).bind(2, rowid);
    auto row = hit.step();
    if (!row) return row.error();
    if (*row) result.hits.push_back({hit.text(0), hit.text(1), hit.text(2), marked_html(hit.text(3)), marked_html(hit.text(4))});
  }
  return result;
}

}  // namespace hub::playbooks
