#include "hub/http/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/sha.h>

namespace hub::http {
namespace fs = std::filesystem;

std::string_view content_type_for(std::string_view path) {
  auto dot = path.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles::StaticFiles(const std::string& root) {
  if (!fs::is_directory(root)) throw std::runtime_error("web root is not a directory: " + root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.is_symlink()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    File f;
    f.body = buf.str();
    std::string url = "/" + fs::relative(entry.path(), root).generic_string();
    f.content_type = std::string(content_type_for(url));
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(f.body.data()), f.body.size(), digest);
    static const char* hex = "0123456789abcdef";
    f.etag = "\"";
    for (int i = 0; i < 12; ++i) {
      f.etag += hex[digest[i] >> 4];
      f.etag += hex[digest[i] & 15];
    }
    f.etag += "\"";
    files_.emplace(std::move(url), std::move(f));
  }
}

std::optional<Response> StaticFiles::serve(std::string_view path, std::string_view if_none_match) const {
  auto it = files_.find(path);
  if (it == files_.end()) {
    auto last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos) return std::nullopt;
    it = files_.find(std::string_view("/index.html"));
    if (it == files_.end()) return std::nullopt;
  }
  const File& f = it->second;
  Response r;
  r.headers.set("ETag", f.etag);
  // Revalidate every time: cheap with ETags, and a deploy is never half-applied in a browser.
  r.headers.set("Cache-Control", "no-cache");
  if (!if_none_match.empty() && if_none_match.find(f.etag) != std::string_view::npos) {
    r.status = 304;
    return r;
  }
  r.headers.set("Content-Type", f.content_type);
  r.body = f.body;
  return r;
}

}  // namespace hub::http
