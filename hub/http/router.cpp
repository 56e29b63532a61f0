#include "hub/http/router.hpp"

#include <array>
#include <optional>
#include <span>
#include <stdexcept>

namespace hub::http {
namespace {

constexpr std::size_t kMaxSegments = 16;  // in a route pattern, so a request path is split on the stack
using Segments = std::array<std::string_view, kMaxSegments>;

// Splits an absolute path on '/' into `out`; the segment count, or nullopt past kMaxSegments.
std::optional<std::size_t> split_path(std::string_view path, Segments& out) {
  std::size_t count = 0;
  for (std::size_t start = 1; start <= path.size(); ++count) {
    if (count == out.size()) return std::nullopt;
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out[count] = path.substr(start, slash - start);
    start = slash + 1;
  }
  return count;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Number of literal segments: more literal means more specific.
int specificity(const Route& r) {
  int n = 0;
  for (const auto& s : r.segments) n += is_param(s) ? 0 : 1;
  return n;
}

}  // namespace

void Router::add(Method method, std::string pattern, RouteOptions options, Handler handler) {
  if (options.credential && options.access != Access::anyone)
    throw std::logic_error("a route with its own credential takes no session: " + pattern);
  Route r{method, std::move(pattern), std::move(options), std::move(handler), {}};
  Segments split;
  const auto count = split_path(r.pattern, split);
  if (!count) throw std::logic_error("route pattern has too many segments: " + r.pattern);
  r.segments.assign(split.begin(), split.begin() + static_cast<std::ptrdiff_t>(*count));
  if (by_length_.size() <= r.segments.size()) by_length_.resize(r.segments.size() + 1);
  by_length_[r.segments.size()].push_back(routes_.size());
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Method method, std::string_view path) const {
  if (method == Method::head) method = Method::get;
  Match best;
  if (path.empty() || path.front() != '/') return best;
  Segments split;  // on the stack: this runs for every request
  const auto count = split_path(path, split);
  if (!count || *count >= by_length_.size()) return best;  // longer than any route
  const std::span<const std::string_view> segments(split.data(), *count);
  int best_score = -1;
  for (std::size_t index : by_length_[segments.size()]) {
    const Route& r = routes_[index];
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i)
      ok = is_param(r.segments[i]) ? !segments[i].empty() : r.segments[i] == segments[i];
    if (!ok) continue;
    best.path_known = true;
    if (r.method != method) continue;
    if (int score = specificity(r); score > best_score) {
      best_score = score;
      best.route = &r;
    }
  }
  if (best.route) {
    const auto& pattern = best.route->segments;
    for (std::size_t i = 0; i < segments.size(); ++i)
      if (is_param(pattern[i])) best.params.push_back({pattern[i].substr(1, pattern[i].size() - 2), std::string(segments[i])});
  }
  return best;
}

}  // namespace hub::http
