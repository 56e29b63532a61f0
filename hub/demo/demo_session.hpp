// Acts as the demo's people through the hub's own routes, in process: every change the demo makes
// goes through the router, the policy and the store exactly as a browser's request would.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/app.hpp"

namespace hub::demo {

class DemoSession {
 public:
  // REQUIRES: `clock` is the clock `hub` was built with; sessions last until `until`.
  DemoSession(Hub& hub, FakeClock& clock, std::int64_t until) : hub_(hub), clock_(clock), until_(until) {}
  ~DemoSession();  // ends every session it opened

  // Sends one request as `user_id` and returns the JSON answer. Throws std::runtime_error naming
  // the request when the hub refuses it: the demo script is wrong, not the visitor.
  nlohmann::json call(std::int64_t user_id, http::Method method, const std::string& path,
                      const nlohmann::json& body = nullptr);
  nlohmann::json post(std::int64_t user_id, const std::string& path, const nlohmann::json& body) {
    return call(user_id, http::Method::post, path, body);
  }
  nlohmann::json patch(std::int64_t user_id, const std::string& path, const nlohmann::json& body) {
    return call(user_id, http::Method::patch, path, body);
  }
  nlohmann::json put(std::int64_t user_id, const std::string& path, const nlohmann::json& body) {
    return call(user_id, http::Method::put, path, body);
  }
  nlohmann::json get(std::int64_t user_id, const std::string& path) { return call(user_id, http::Method::get, path); }

  FakeClock& clock() { return clock_; }
  // Moves the clock to `t` (the demo only ever moves it forward).
  void set_time(std::int64_t t) { clock_.advance(t - clock_.now()); }

 private:
  // The session cookie value of `user_id`, opened on first use as a login would.
  const std::string& session_of(std::int64_t user_id);

  Hub& hub_;
  FakeClock& clock_;
  const std::int64_t until_;
  std::map<std::int64_t, std::string> sessions_;  // user id -> session token
};

}  // namespace hub::demo
