// Any body must give either a JSON object or a 400, and the field readers must never throw.
#include <cstdint>
#include <string_view>

#include "hub/http/json_body.hpp"

using namespace hub::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto doc = parse_json_object(body);
  if (!doc) {
    if (doc.error().status != 400) __builtin_trap();
    return 0;
  }
  if (!doc->is_object()) __builtin_trap();
  for (const char* name : {"handle", "password", "n", "flag", "starts_on"}) {
    (void)string_field(*doc, name, 0, 64);
    (void)optional_string_field(*doc, name, 64);
    (void)int_field(*doc, name, -5, 5);
    (void)optional_int_field(*doc, name, 0, INT64_MAX);
    (void)bool_field(*doc, name);
    if (auto s = optional_string_field(*doc, name, 1 << 20); s && *s) (void)is_valid_date(**s);
  }
  // Serialising what was parsed must work (invalid UTF-8 never gets this far).
  (void)json_response(200, *doc);
  return 0;
}
