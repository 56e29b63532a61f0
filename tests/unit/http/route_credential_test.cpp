// Routes that authenticate themselves: outside the cookie CSRF rule, and only on their credential.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hub/http/pipeline.hpp"
#include "hub/http/route_credential.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::http;

namespace {

// Every request with the cookie "s=ok" is user 7 by cookie, as hub/auth would say.
class CredentialTestAuth final : public Authenticator {
 public:
  boost::asio::awaitable<Result<std::optional<Principal>>> authenticate(const Request& r) override {
    if (r.cookie("s") == "ok") co_return std::optional<Principal>(Principal{7, "ana", "member", true, "", 0});
    co_return std::optional<Principal>();
  }
};

Handler credential_test_ok() {
  return [](Request&, Context& c) -> boost::asio::awaitable<Response> {
    Response r;
    r.body = c.principal ? "user" : "remote";
    co_return r;
  };
}

Response matrix_refusal(int status, const char* errcode) {
  Response r;
  r.status = status;
  r.body = nlohmann::json{{"errcode", errcode}, {"error", "Bad token"}}.dump();
  return r;
}

struct CredentialPipeline {
  Router router;
  CredentialTestAuth auth;
  Metrics metrics;
  AccessLog log{nullptr};
  std::optional<Pipeline> pipeline;

  CredentialPipeline() {
    router.add(Method::post, "/api/cookie-route", {Access::user, 1024}, credential_test_ok());
    BearerTokenOptions bearer;
    bearer.expected = [] { return std::string("hs-secret"); };
    bearer.missing = [] { return matrix_refusal(401, "M_UNAUTHORIZED"); };
    bearer.wrong = [] { return matrix_refusal(403, "M_FORBIDDEN"); };
    router.add(Method::put, "/_matrix/app/v1/transactions/{txnId}", {Access::anyone, 1024, bearer_token(bearer)},
               credential_test_ok());
    BodySignatureOptions sig;
    sig.header = "X-Signature";
    sig.prefix = "v0=";
    sig.secret = [] { return std::string("signing-secret"); };
    sig.signed_text = [](const Request& r) -> std::optional<std::string> {
      auto ts = r.headers.get("X-Timestamp");
      if (ts != "1000") return std::nullopt;  // stands for "within five minutes"
      return "v0:" + std::string(ts) + ":" + r.body;
    };
    router.add(Method::post, "/hooks/signed", {Access::anyone, 1024, body_signature(sig)}, credential_test_ok());
    pipeline.emplace(router, auth, nullptr, metrics, log, PipelineOptions{});
  }

  // A request as a cross-site page (or a remote server) would send it: no Origin, text/plain.
  Response send(Method m, std::string path, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
    Request r;
    r.method = m;
    r.path = r.target = std::move(path);
    r.body = std::move(body);
    r.headers.set("Host", "hub.example");
    r.headers.set("Content-Type", "text/plain");
    for (auto& [name, value] : headers) r.headers.set(name, value);
    return hub::testing::run_coro(pipeline->handle(std::move(r)));
  }
};

}  // namespace

TEST_CASE("route credential: a bearer route is served without Origin or JSON type, on its token only") {
  CredentialPipeline p;
  const std::string path = "/_matrix/app/v1/transactions/t1";
  auto ok = p.send(Method::put, path, "{}", {{"Authorization", "Bearer hs-secret"}});
  CHECK(ok.status == 200);
  CHECK(ok.body == "remote");
  auto wrong = p.send(Method::put, path, "{}", {{"Authorization", "Bearer hs-secreT"}});
  CHECK(wrong.status == 403);
  CHECK(nlohmann::json::parse(wrong.body)["errcode"] == "M_FORBIDDEN");
  CHECK(p.send(Method::put, path, "{}", {{"Authorization", "Bearer hs-secret-longer"}}).status == 403);
  auto missing = p.send(Method::put, path, "{}", {});
  CHECK(missing.status == 401);
  CHECK(nlohmann::json::parse(missing.body)["errcode"] == "M_UNAUTHORIZED");
  // A session cookie is no substitute for the route's credential.
  CHECK(p.send(Method::put, path, "{}", {{"Cookie", "s=ok"}, {"Origin", "http://hub.example"}}).status == 401);
}

TEST_CASE("route credential: the exemption from the CSRF rule is the credential route's alone") {
  CredentialPipeline p;
  // The same cross-site shape with a valid cookie is refused on an ordinary route...
  auto cookie = p.send(Method::post, "/api/cookie-route", "{}", {{"Cookie", "s=ok"}});
  CHECK(cookie.status == 400);  // text/plain: not JSON
  auto cross = p.send(Method::post, "/api/cookie-route", "{}",
                      {{"Cookie", "s=ok"}, {"Content-Type", "application/json"}, {"Origin", "http://evil.example"}});
  CHECK(cross.status == 403);
  // ...and served when same-origin JSON.
  auto fine = p.send(Method::post, "/api/cookie-route", "{}",
                     {{"Cookie", "s=ok"}, {"Content-Type", "application/json"}, {"Origin", "http://hub.example"}});
  CHECK(fine.status == 200);
  CHECK(fine.body == "user");
}

TEST_CASE("route credential: a body signature must match the exact raw body and a fresh timestamp") {
  CredentialPipeline p;
  const std::string body = R"({"type":"event_callback"})";
  const std::string sig = "v0=" + hmac_sha256_hex("signing-secret", "v0:1000:" + body);
  CHECK(p.send(Method::post, "/hooks/signed", body, {{"X-Signature", sig}, {"X-Timestamp", "1000"}}).status == 200);
  CHECK(p.send(Method::post, "/hooks/signed", body + " ", {{"X-Signature", sig}, {"X-Timestamp", "1000"}}).status ==
        401);
  CHECK(p.send(Method::post, "/hooks/signed", body, {{"X-Signature", sig}, {"X-Timestamp", "999"}}).status == 401);
  CHECK(p.send(Method::post, "/hooks/signed", body, {{"X-Timestamp", "1000"}}).status == 401);
  CHECK(p.send(Method::post, "/hooks/signed", body, {{"X-Signature", "v0=" + std::string(64, '0')},
                                                    {"X-Timestamp", "1000"}}).status == 401);
}

TEST_CASE("route credential: HMAC-SHA256 matches Slack's published example") {
  const std::string body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name="
      "foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2F"
      "hooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
      "47445629121.803a0bc887a14d10d2c447fce8b6703c";
  CHECK(hmac_sha256_hex("8f742231b10e8888abcd99yyyzzz85a5", "v0:1531420618:" + body) ==
        "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
}

TEST_CASE("route credential: a credential route that also asks for a session is a programming error") {
  Router r;
  BearerTokenOptions bearer;
  bearer.expected = [] { return std::string("x"); };
  CHECK_THROWS_AS(r.add(Method::put, "/x", {Access::user, 1024, bearer_token(bearer)}, credential_test_ok()),
                  std::logic_error);
}
