// ?limit= and the opaque ?cursor= of API.md, for lists ordered by an integer key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"
#include "hub/http/message.hpp"

namespace hub::http {

struct Page {
  int limit = 50;            // 1..200
  std::int64_t after = 0;    // the key the previous page ended on; 0 for the first page
};

// Reads ?limit= (default 50, max 200) and ?cursor=; a bad value is invalid_field.
Result<Page> read_page(const Request& request);
// The cursor that continues after `last_key`.
std::string encode_cursor(std::int64_t last_key);

// {"items": items, "next_cursor": ...}: items holds up to limit+1 rows; the extra one means "more".
// REQUIRES: each item has an integer member `key_field`.
nlohmann::json page_body(nlohmann::json items, const Page& page, const char* key_field = "id");

}  // namespace hub::http
