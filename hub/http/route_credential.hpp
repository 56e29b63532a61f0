// Routes that authenticate their own requests: a Matrix homeserver's bearer token, a Slack
// signature over the raw body. Such a route names its credential in RouteOptions; the pipeline
// then checks that credential instead of the session cookie and applies no cookie CSRF rule (the
// credential is not something a browser sends on its own).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hub/http/message.hpp"

namespace hub::http {

class RouteCredential {
 public:
  virtual ~RouteCredential() = default;
  // nullopt when `request` carries the credential; otherwise the response that refuses it (the
  // remote protocol's own error shape, e.g. Matrix's {"errcode":"M_FORBIDDEN"}).
  virtual std::optional<Response> refusal(const Request& request) const = 0;
};

// `Authorization: Bearer <token>` compared in constant time with the current `expected()` (it
// may change while serving). No or another scheme gets `missing`, a wrong token `wrong`.
struct BearerTokenOptions {
  std::function<std::string()> expected;  // an empty token refuses everything
  std::function<Response()> missing;      // default: 401 unauthenticated
  std::function<Response()> wrong;        // default: 403 forbidden
};
std::shared_ptr<const RouteCredential> bearer_token(BearerTokenOptions options);

// A hex HMAC-SHA256 in header `header` (after `prefix`, e.g. "v0="), keyed by `secret()`, over
// what `signed_text(request)` returns (the raw body with whatever the remote prefixes); nullopt
// from signed_text refuses (a stale timestamp). Anything wrong gets `refused` (default 401).
struct BodySignatureOptions {
  std::string header;
  std::string prefix;
  std::function<std::string()> secret;
  std::function<std::optional<std::string>(const Request&)> signed_text;
  std::function<Response()> refused;
};
std::shared_ptr<const RouteCredential> body_signature(BodySignatureOptions options);

// Lowercase hex of HMAC-SHA256(key, text).
std::string hmac_sha256_hex(std::string_view key, std::string_view text);
// Equal in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hub::http
