// A whole hub on a temporary data directory, driven through its Service interface (no sockets).
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/app.hpp"
#include "tests/unit/support/run_coro.hpp"

namespace hub::testing {

struct Reply {
  int status = 0;
  http::Headers headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string error_code() const;
  std::string set_cookie() const;  // the first Set-Cookie's name=value
};

class HubFixture {
 public:
  // `environment` adds COHORTHUB_* settings to the fixture's own (cheap scrypt, no access log).
  explicit HubFixture(std::map<std::string, std::string> environment = {});
  ~HubFixture();

  // Sends a request as a browser on this origin would (cookie + Origin); `cookie` may be empty.
  Reply call(http::Method method, const std::string& target, const std::string& body = "",
             const std::string& cookie = "", http::Headers extra = {});
  Reply bearer(http::Method method, const std::string& target, const std::string& token, const std::string& body = "");

  std::int64_t add_user(const std::string& handle, const std::string& role);
  std::string login(const std::string& handle);  // returns the cookie "name=value"
  std::string invite(const std::string& admin_cookie, const std::string& role, std::int64_t cohort_id = 0);
  std::int64_t count(const std::string& table);

  static constexpr const char* kPassword = "a long enough passphrase";
  std::string remote_ip = "127.0.0.1";  // the peer address of every call
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Hub> hub;
};

}  // namespace hub::testing
