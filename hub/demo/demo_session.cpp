#include "hub/demo/demo_session.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "hub/http/pipeline.hpp"

namespace hub::demo {

DemoSession::~DemoSession() {
  // The demo's sessions end with it, as a logout would end them; nothing of them stays behind.
  (void)hub_.db().write_now([this](store::Connection& c) -> http::Status {
    for (const auto& [user, token] : sessions_)
      if (auto s = auth::delete_session(c, auth::sha256_hex(token)); !s) return s;
    return http::Ok{};
  });
}

const std::string& DemoSession::session_of(std::int64_t user_id) {
  auto found = sessions_.find(user_id);
  if (found != sessions_.end()) return found->second;
  std::string token = auth::random_token(32);
  auto opened = hub_.db().write_now([&](store::Connection& c) {
    return auth::insert_session(c, auth::sha256_hex(token), user_id, clock_.now(), until_);
  });
  if (!opened) throw std::runtime_error("demo: could not open a session: " + opened.error().message);
  return sessions_.emplace(user_id, std::move(token)).first->second;
}

nlohmann::json DemoSession::call(std::int64_t user_id, http::Method method, const std::string& path,
                                 const nlohmann::json& body) {
  http::Request req;
  req.method = method;
  req.target = path;
  const auto q = path.find('?');
  req.path = path.substr(0, q);
  if (q != std::string::npos) req.query = path.substr(q + 1);
  req.remote_ip = "127.0.0.1";
  req.headers.set("Host", "demo.invalid");
  req.headers.set("Sec-Fetch-Site", "same-origin");
  req.headers.set("Cookie", auth::session_cookie_name(hub_.auth_options()) + "=" + session_of(user_id));
  if (!body.is_null()) {
    req.headers.set("Content-Type", "application/json");
    req.body = body.dump();
  }
  boost::asio::io_context ioc;
  auto done = boost::asio::co_spawn(ioc, hub_.service().handle(std::move(req)), boost::asio::use_future);
  ioc.run();
  http::Response res = done.get();
  if (res.status >= 300)
    throw std::runtime_error("demo: " + std::string(http::method_name(method)) + " " + path + " answered " +
                             std::to_string(res.status) + ": " + res.body);
  if (res.body.empty()) return nlohmann::json::object();
  return nlohmann::json::parse(res.body);
}

}  // namespace hub::demo
