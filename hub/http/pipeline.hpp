// The request pipeline: routing, authentication, CSRF, security headers, access log and metrics.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "hub/http/access_log.hpp"
#include "hub/http/metrics.hpp"
#include "hub/http/router.hpp"
#include "hub/http/service.hpp"
#include "hub/http/static_files.hpp"

namespace hub::http {

struct PipelineOptions {
  std::string public_origin;  // e.g. https://hub.example.org behind a proxy; empty: derive from Host
};

class Pipeline final : public Service {
 public:
  // `files` may be null (no web front end). All references must outlive the pipeline.
  Pipeline(const Router& router, Authenticator& auth, const StaticFiles* files, Metrics& metrics, AccessLog& log,
           PipelineOptions options);

  void add_websocket(std::string path, WebSocketHandler& handler);

  std::size_t body_limit(Method method, std::string_view path) const override;
  boost::asio::awaitable<Response> handle(Request request) override;
  WebSocketHandler* websocket(std::string_view path) override;
  void connection_opened() override { metrics_.connection_opened(); }
  void connection_closed() override { metrics_.connection_closed(); }

 private:
  // The route to call, after CSRF checks; or null, with `answer` set, when the pipeline answers
  // itself (static file, 404, 405, CSRF refusal). Sets `route_label` for metrics and the log.
  const Route* route(Request& request, std::string& route_label, Response& answer) const;
  // Adds the security headers; `page` (a static file) gets the front end's CSP, the rest a
  // policy that loads nothing.
  void finish(const Request& request, Response& response, bool page) const;
  std::string next_request_id();

  const Router& router_;
  Authenticator& auth_;
  const StaticFiles* files_;
  Metrics& metrics_;
  AccessLog& log_;
  const PipelineOptions options_;
  std::map<std::string, WebSocketHandler*, std::less<>> websockets_;  // set before serving, then read-only
  std::string id_prefix_;                 // random per process, so ids from restarts never collide
  std::atomic<std::uint64_t> id_counter_{0};
};

// Whether `origin` is this hub's: the configured public origin, or the one the request's Host
// names. The one same-origin rule, for CSRF and for WebSocket upgrades.
bool is_same_origin(const Request& request, std::string_view origin, std::string_view public_origin);

// The CSRF rule of API.md for a request not authenticated by bearer token: state-changing methods
// need a same-origin Origin (or Sec-Fetch-Site: same-origin), and bodies need a JSON content type.
Status check_csrf(const Request& request, std::string_view public_origin);

bool is_state_changing(Method m);

// One access-log line, as JSON: the path without its query (queries may carry invite codes), and
// no client address, header or body.
void append_access_log_line(std::string& out, const Request& request, const Response& response,
                            std::string_view route, double seconds, std::int64_t user_id);
std::string access_log_line(const Request& request, const Response& response, std::string_view route,
                            double seconds, std::int64_t user_id);

}  // namespace hub::http
