#include "hub/http/pagination.hpp"

#include <charconv>

namespace hub::http {
namespace {
constexpr std::string_view kCursorPrefix = "c1.";
}

Result<Page> read_page(const Request& req) {
  Page page;
  std::string limit = req.query_param("limit");
  if (!limit.empty()) {
    int v = 0;
    auto [p, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), v);
    if (ec != std::errc() || p != limit.data() + limit.size() || v < 1 || v > 200)
      return ApiError::invalid_field("limit", "limit must be a whole number from 1 to 200.");
    page.limit = v;
  }
  std::string cursor = req.query_param("cursor");
  if (!cursor.empty()) {
    std::int64_t v = 0;
    bool ok = cursor.substr(0, kCursorPrefix.size()) == kCursorPrefix;
    if (ok) {
      auto [p, ec] = std::from_chars(cursor.data() + kCursorPrefix.size(), cursor.data() + cursor.size(), v, 36);
      ok = ec == std::errc() && p == cursor.data() + cursor.size() && v > 0;
    }
    if (!ok) return ApiError::invalid_field("cursor", "cursor is not one this hub gave out.");
    page.after = v;
  }
  return page;
}

std::string encode_cursor(std::int64_t last_key) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, last_key, 36);
  return std::string(kCursorPrefix) + std::string(buf, p);
}

nlohmann::json page_body(nlohmann::json items, const Page& page, const char* key_field) {
  nlohmann::json next = nullptr;
  if (items.size() > static_cast<std::size_t>(page.limit)) {
    items.erase(items.size() - 1);
    next = encode_cursor(items.back()[key_field].get<std::int64_t>());
  }
  return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

}  // namespace hub::http
