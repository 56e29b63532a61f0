// The web front end, read into memory at start-up and served with ETags.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hub/http/message.hpp"

namespace hub::http {

class StaticFiles {
 public:
  // Reads every regular file under `root` (no symlinks followed). Throws on an unreadable root.
  explicit StaticFiles(const std::string& root);

  // The response for a GET/HEAD of `path`, or nullopt when nothing is served there.
  // Paths without a dot in their last segment get index.html (client-side routing).
  std::optional<Response> serve(std::string_view path, std::string_view if_none_match) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string body;
    std::string content_type;
    std::string etag;  // a quoted SHA-256 prefix of the body
  };
  std::map<std::string, File, std::less<>> files_;  // keyed by URL path, e.g. /js/app.js
};

std::string_view content_type_for(std::string_view path);

}  // namespace hub::http
