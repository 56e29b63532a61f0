// Paths, ids, query strings, cookies and pagination cursors from the wire: never crash, never throw,
// and decoded paths never hold a NUL.
#include <cstdint>
#include <string>
#include <string_view>

#include "hub/http/message.hpp"
#include "hub/http/pagination.hpp"

using namespace hub::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto split = input.find('\n');
  std::string_view first = input.substr(0, split);
  std::string_view rest = split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);

  std::string path;
  if (percent_decode(first, path, false)) {
    if (path.find('\0') != std::string::npos) __builtin_trap();
    Request req;
    req.params = {{"id", path}};
    if (auto id = req.id_param("id"); id && *id <= 0) __builtin_trap();
  }
  Request req;
  req.query = std::string(rest);
  req.headers.set("Cookie", std::string(rest));
  (void)req.query_param("cursor");
  (void)req.query_param("limit");
  (void)req.cookie("ch_session");
  auto page = read_page(req);
  if (page && (page->limit < 1 || page->limit > 200 || page->after < 0)) __builtin_trap();
  return 0;
}
