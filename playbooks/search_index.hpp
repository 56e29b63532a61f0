// Full-text search over current documents with SQLite FTS5, ranked by BM25, with highlighted
// snippets. Documents are (kind, ref) pairs: playbooks by slug, and any later kind (templates).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store/connection.hpp"

namespace hub::playbooks {

// Replaces the entry for (kind, ref).
http::Status index_document(store::Connection& db, std::string_view kind, std::string_view ref,
                            std::string_view title, std::string_view body, std::string_view tags);
http::Status unindex_document(store::Connection& db, std::string_view kind, std::string_view ref);

// An FTS5 query for free text: every word quoted (so no operator syntax leaks through), all
// required, the last one also as a prefix. nullopt when the text has no words.
std::optional<std::string> fts_query(std::string_view text);

struct SearchHit {
  std::string kind;
  std::string ref;
  std::string title;
  std::string title_html;  // HTML-escaped, matches in <mark>
  std::string snippet;     // HTML-escaped, matches in <mark>
};

inline constexpr std::size_t kMaxQueryWords = 12;
// Ranking reads every match; a query matching more documents than this is too broad for BM25 to
// say much (its words are in nearly everything), so its matches come newest first instead.
inline constexpr int kMaxRankedMatches = 1000;

struct SearchResult {
  std::vector<SearchHit> hits;
  bool ranked = true;  // false: a broad query, newest first
};

// Best first. REQUIRES: `query` came from fts_query().
http::Result<SearchResult> search_documents(store::Connection& db, const std::string& query, int limit);

}  // namespace hub::playbooks
