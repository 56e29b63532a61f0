#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/discussion/discussion_routes.hpp"

#include "hub/auth/account_store.hpp"
#include "hub/discussion/channel_store.hpp"
#include "hub/discussion/message_store.hpp"
#include "hub/discussion/policy.hpp"
#include "hub/http/json_body.hpp"
#include "hub/markdown/renderer.hpp"

namespace hub::discussion {
namespace {

using http::error_response;
using http::json_response;
using nlohmann::json;

// An optional ?name= id: nullopt when absent, an error when not a positive integer.
Result<std::optional<std::int64_t>> query_id(const http::Request& req, const char* name) {
  std::string v = req.query_param(name);
  if (v.empty()) return std::optional<std::int64_t>{};
  auto id = http::parse_id(v);
  if (!id && v != "0") return ApiError::invalid_field(name, std::string(name) + " must be a message id.");
  return std::optional<std::int64_t>(id.value_or(0));  // after=0: from the very first
}

// The message text: present, not blank, at most kMaxBodyBytes (413 beyond).
Result<std::string> body_field(const json& obj) {
  auto it = obj.find("body");
  if (it != obj.end() && it->is_string() && it->get_ref<const std::string&>().size() > kMaxBodyBytes) {
    ApiError e = ApiError::payload_too_large("body is longer than " + std::to_string(kMaxBodyBytes) + " bytes.");
    e.field = "body";
    return e;
  }
  auto body = http::string_field(obj, "body", 1, kMaxBodyBytes);
  if (!body) return body;
  if (body->find_first_not_of(" \t\r\n") == std::string::npos)
    return ApiError::invalid_field("body", "body must not be blank.");
  return body;
}

ApiError no_such_channel() { return ApiError::not_found("No such channel."); }
ApiError no_such_message() { return ApiError::not_found("No such message."); }

// A policy verdict as the API answers it: hidden is `hidden`, refused is 403 `refusal`, and a
// change to an archived channel is 409.
Status check(Verdict v, const ApiError& hidden, const std::string& refusal) {
  switch (v) {
    case Verdict::allowed: return http::Ok{};
    case Verdict::hidden: return hidden;
    case Verdict::refused: return ApiError::forbidden(refusal);
    case Verdict::archived:
      return ApiError::conflict("This channel is archived: its messages can be read, but not added to, edited or "
                                "reacted to.");
  }
  return ApiError::forbidden(refusal);
}

// An optional true/false field: nullopt when absent or null.
Result<std::optional<bool>> optional_bool_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<bool>{};
  auto value = http::bool_field(obj, name);
  if (!value) return value.error();
  return std::optional<bool>(*value);
}

// An action on one message: the policy rule that decides it, and the 403 it answers.
struct MessageAction {
  Verdict (*rule)(const Actor&, const ChannelFacts&, const MessageFacts&);
  const char* refusal;
};
Verdict see_message(const Actor& a, const ChannelFacts& ch, const MessageFacts&) { return policy::see_channel(a, ch); }
Verdict react_to(const Actor& a, const ChannelFacts& ch, const MessageFacts&) { return policy::react(a, ch); }
constexpr MessageAction kRead{see_message, ""};
constexpr MessageAction kReact{react_to, ""};
constexpr MessageAction kEdit{policy::edit_message, "Only the author may edit a message."};
constexpr MessageAction kDelete{policy::delete_message,
                                "Only the author, or a moderator of the channel, may delete a message; only an admin "
                                "may delete an admin's."};

// The facts about message `id` and the one acting on it, once the policy allows `action`. A
// message in a channel the actor may not see is the same 404 as a missing one.
struct MessageTarget {
  Actor actor;
  Channel channel;
  MessageRef message;
};
Result<MessageTarget> authorize(Connection& c, cohorts::CohortMembership& membership, const Principal& who,
                                std::int64_t id, const MessageAction& action) {
  auto ref = message_ref(c, id);
  if (!ref) return ref.error();
  Actor actor = actor_of(c, membership, who);
  auto channel = visible_channel(c, actor, ref->channel_id);
  if (!channel) return no_such_message();
  if (auto s = check(action.rule(actor, channel->facts(), ref->facts), no_such_message(), action.refusal); !s)
    return s.error();
  return MessageTarget{std::move(actor), std::move(*channel), std::move(*ref)};
}

json change_body(const Change& c) {
  json m = c.message;
  m["seq"] = c.seq;
  return {{"message", std::move(m)}, {"seq", c.seq}};
}

}  // namespace

DiscussionRoutes::DiscussionRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock,
                                   cohorts::CohortMembership& membership, LiveStream& live, DiscussionOptions options)
    : db_(db),
      cpu_(cpu),
      clock_(clock),
      membership_(membership),
      live_(live),
      post_limiter_(clock, options.post_burst, options.post_refill_seconds),
      preview_limiter_(clock, options.preview_burst, options.preview_refill_seconds) {}

boost::asio::awaitable<Result<std::string>> DiscussionRoutes::render(std::string markdown) {
  auto render_job = [markdown = std::move(markdown)]() -> Result<std::string> {
    return markdown::render_html(markdown, markdown::Flavor::chat);
  };
  co_return co_await cpu_.run(render_job);
}

template <class Job>
boost::asio::awaitable<http::Response> DiscussionRoutes::commit(Job& job, int status) {
  const auto submitted = std::chrono::steady_clock::now();
  auto written = co_await db_.write(job);
  live_.timings().write.observe_since(submitted);
  HUB_TRY(change, std::move(written));
  live_.publish(std::move(change->events));
  co_return json_response(status, change_body(*change));
}

void DiscussionRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  auto bind = [this](auto member) { return http::member_handler(this, member); };
  const std::size_t message_limit = 2 * kMaxBodyBytes + 1024;  // room for JSON escapes; the field check says 413
  router.add(Method::get, "/api/channels", {Access::user, 0}, bind(&DiscussionRoutes::list_channels));
  router.add(Method::post, "/api/channels", {Access::user, 2048}, bind(&DiscussionRoutes::create_channel));
  router.add(Method::patch, "/api/channels/{id}", {Access::user, 2048}, bind(&DiscussionRoutes::update_channel));
  router.add(Method::get, "/api/channels/{id}/messages", {Access::user, 0}, bind(&DiscussionRoutes::list_messages));
  router.add(Method::post, "/api/channels/{id}/messages", {Access::user, message_limit}, bind(&DiscussionRoutes::post));
  router.add(Method::put, "/api/channels/{id}/read", {Access::user, 256}, bind(&DiscussionRoutes::mark_read));
  router.add(Method::post, "/api/channels/{id}/mutes", {Access::user, 512}, bind(&DiscussionRoutes::mute));
  router.add(Method::patch, "/api/messages/{id}", {Access::user, message_limit}, bind(&DiscussionRoutes::edit));
  router.add(Method::delete_, "/api/messages/{id}", {Access::user, 0}, bind(&DiscussionRoutes::remove));
  router.add(Method::get, "/api/messages/{id}/history", {Access::user, 0}, bind(&DiscussionRoutes::history));
  router.add(Method::post, "/api/messages/{id}/reactions", {Access::user, 256}, bind(&DiscussionRoutes::react));
  router.add(Method::delete_, "/api/messages/{id}/reactions/{emoji}", {Access::user, 0},
             bind(&DiscussionRoutes::unreact));
  router.add(Method::post, "/api/render-preview", {Access::user, message_limit}, bind(&DiscussionRoutes::preview));
}

boost::asio::awaitable<http::Response> DiscussionRoutes::list_channels(Request& req, Context& ctx) {
  HUB_TRY(page, http::read_page(req));
  auto items_job = [this, who = ctx.user(), p = *page](Connection& c) {
    return discussion::list_channels(c, actor_of(c, membership_, who), p);
  };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::create_channel(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(name, http::string_field(*body, "name", 1, 80));
  if (name->find_first_not_of(" \t") == std::string::npos)
    co_return error_response(ApiError::invalid_field("name", "name must not be blank."));
  HUB_TRY(cohort_id, http::optional_int_field(*body, "cohort_id", 1, INT64_MAX));
  HUB_TRY(topic, http::optional_string_field(*body, "topic", 500));
  const std::int64_t now = clock_.now();
  auto create_job = [this, who = ctx.user(), n = *name, cohort = *cohort_id, t = topic->value_or(""),
                     now](Connection& c) -> Result<json> {
    if (cohort && !membership_.cohort_exists(c, *cohort)) return ApiError::invalid_field("cohort_id", "No such cohort.");
    const Verdict v = policy::create_channel(actor_of(c, membership_, who), {cohort});
    if (auto s = check(v, no_such_channel(), cohort ? "Only an admin or a mentor of the cohort may create its channels."
                                                    : "Only an admin may create hub-wide channels.");
        !s)
      return s.error();
    auto ch = insert_channel(c, n, cohort, t, who.user_id, now);
    if (!ch) return ch.error();
    if (auto s = auth::audit(c, who.user_id, "channel.create", "channel:" + std::to_string(ch->id), {{"name", n}}, now);
        !s)
      return s.error();
    return channel_json(*ch);
  };
  HUB_TRY(channel, co_await db_.write(create_job));
  co_return json_response(201, {{"channel", *channel}});
}

boost::asio::awaitable<http::Response> DiscussionRoutes::update_channel(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_channel());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(name, http::optional_string_field(*body, "name", 80));
  if (*name && name->value().find_first_not_of(" \t") == std::string::npos)
    co_return error_response(ApiError::invalid_field("name", "name must not be blank."));
  HUB_TRY(topic, http::optional_string_field(*body, "topic", 500));
  HUB_TRY(archived, optional_bool_field(*body, "archived"));
  const ChannelUpdate update{*name, *topic, *archived};
  const std::int64_t now = clock_.now();
  auto update_job = [this, who = ctx.user(), id = *id, update, now](Connection& c) -> Result<ChannelChange> {
    const Actor actor = actor_of(c, membership_, who);
    auto ch = visible_channel(c, actor, id);
    if (!ch) return ch.error();
    const bool renaming = (update.name && *update.name != ch->name) || (update.topic && *update.topic != ch->topic);
    const bool archiving = update.archived && *update.archived != ch->archived_at.has_value();
    const std::string whose = ch->cohort_id ? "Only an admin or a mentor of the cohort may " : "Only an admin may ";
    const std::string what = ch->cohort_id ? " its channels." : " hub-wide channels.";
    if (update.name || update.topic || !update.archived) {
      if (auto s = check(policy::rename_channel(actor, ch->facts()), no_such_channel(), whose + "rename" + what); !s)
        return s.error();
    }
    if (update.archived) {
      if (auto s = check(policy::archive_channel(actor, ch->facts()), no_such_channel(), whose + "archive" + what); !s)
        return s.error();
    }
    auto changed = discussion::update_channel(c, *ch, update, who.user_id, now);
    if (!changed) return changed.error();
    const std::string target = "channel:" + std::to_string(id);
    if (renaming) {
      json detail = {{"name", changed->channel.name}, {"was", ch->name}};
      if (auto s = auth::audit(c, who.user_id, "channel.rename", target, detail, now); !s) return s.error();
    }
    if (archiving) {
      const char* action = *update.archived ? "channel.archive" : "channel.unarchive";
      if (auto s = auth::audit(c, who.user_id, action, target, json::object(), now); !s) return s.error();
    }
    return changed;
  };
  HUB_TRY(changed, co_await db_.write(update_job));
  live_.publish(std::move(changed->events));
  co_return json_response(200, {{"channel", channel_json(changed->channel)}});
}

boost::asio::awaitable<http::Response> DiscussionRoutes::list_messages(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_channel());
  HUB_TRY(page, http::read_page(req));
  HUB_TRY(before, query_id(req, "before"));
  HUB_TRY(after, query_id(req, "after"));
  HUB_TRY(thread, query_id(req, "thread"));
  if (*before && *after)
    co_return error_response(ApiError::invalid_field("after", "Give before or after, not both."));
  MessageQuery q{*id, *thread, *before, *after, page->limit};
  auto items_job = [this, who = ctx.user(), q](Connection& c) -> Result<json> {
    auto ch = visible_channel(c, actor_of(c, membership_, who), q.channel_id);
    if (!ch) return ch.error();
    return discussion::list_messages(c, q);
  };
  HUB_TRY(items, co_await db_.read(items_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::post(Request& req, Context& ctx) {
  const auto parsed = std::chrono::steady_clock::now();
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_channel());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(text, body_field(*body));
  HUB_TRY(reply_to, http::optional_int_field(*body, "reply_to", 1, INT64_MAX));
  HUB_TRY(thread_root, http::optional_int_field(*body, "thread_root", 1, INT64_MAX));
  const std::int64_t user = ctx.user().user_id, now = clock_.now();
  if (int wait = post_limiter_.take("user:" + std::to_string(user)); wait > 0)
    co_return error_response(ApiError::rate_limited(wait));
  HUB_TRY(html, co_await render(*text));
  live_.timings().render.observe_since(parsed);
  NewMessage m{*text, std::move(*html), *reply_to, *thread_root};
  auto post_job = [this, who = ctx.user(), id = *id, m = std::move(m), now](Connection& c) -> Result<Change> {
    const Actor actor = actor_of(c, membership_, who);
    auto ch = visible_channel(c, actor, id);
    if (!ch) return ch.error();
    auto muted = muted_until(c, ch->id, who.user_id, now);
    if (!muted) return muted.error();
    const std::string refusal = *muted ? "You are muted in this channel until " + format_rfc3339(**muted) + "." : "";
    if (auto s = check(policy::post(actor, ch->facts(), muted->has_value()), no_such_channel(), refusal); !s)
      return s.error();
    return post_message(c, *ch, who.user_id, m, now);
  };
  co_return co_await commit(post_job, 201);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::mark_read(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_channel());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(message_id, http::int_field(*body, "message_id", 1, INT64_MAX));
  auto read_job = [this, who = ctx.user(), id = *id, mid = *message_id](Connection& c) -> Result<json> {
    auto ch = visible_channel(c, actor_of(c, membership_, who), id);
    if (!ch) return ch.error();
    auto in = channel_of(c, mid);
    if (!in || *in != id) return ApiError::invalid_field("message_id", "message_id must be a message in this channel.");
    if (auto s = discussion::mark_read(c, id, who.user_id, mid); !s) return s.error();
    return json{{"channel_id", id}, {"last_read_id", mid}};
  };
  HUB_TRY(marker, co_await db_.write(read_job));
  co_return json_response(200, *marker);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::mute(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_channel());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(handle_in, http::string_field(*body, "handle", 1, 64));
  HUB_TRY(handle, auth::normalize_handle(*handle_in));
  HUB_TRY(minutes, http::int_field(*body, "minutes", 1, 60 * 24 * 30));
  const std::int64_t now = clock_.now(), until = now + *minutes * 60;
  auto mute_job = [this, who = ctx.user(), id = *id, h = *handle, now, until](Connection& c) -> Result<json> {
    const Actor actor = actor_of(c, membership_, who);
    auto ch = visible_channel(c, actor, id);
    if (!ch) return ch.error();
    auto login = auth::find_login(c, h);
    if (!login) return login.error();
    if (!*login) return ApiError::invalid_field("handle", "No user has that handle.");
    if ((*login)->user_id == who.user_id) return ApiError::invalid_field("handle", "You cannot mute yourself.");
    auto target = auth::get_user(c, (*login)->user_id);
    if (!target) return target.error();
    if (auto s = check(policy::mute(actor, ch->facts(), target->role), no_such_channel(),
                       "Only an admin, or a mentor in a channel of their cohort, may mute; only an admin may mute "
                       "an admin.");
        !s)
      return s.error();
    if (auto s = discussion::mute(c, id, (*login)->user_id, until, who.user_id); !s) return s.error();
    if (auto s = auth::audit(c, who.user_id, "channel.mute", "channel:" + std::to_string(id),
                             {{"handle", h}, {"until", until}}, now);
        !s)
      return s.error();
    return json{{"channel_id", id}, {"handle", h}, {"until", format_rfc3339(until)}};
  };
  HUB_TRY(muted, co_await db_.write(mute_job));
  co_return json_response(201, {{"mute", *muted}});
}

boost::asio::awaitable<http::Response> DiscussionRoutes::edit(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_message());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(text, body_field(*body));
  HUB_TRY(html, co_await render(*text));
  const std::int64_t now = clock_.now();
  auto edit_job = [this, who = ctx.user(), id = *id, t = *text, h = std::move(*html), now](Connection& c) -> Result<Change> {
    if (auto target = authorize(c, membership_, who, id, kEdit); !target) return target.error();
    return edit_message(c, id, who.user_id, t, h, now);
  };
  co_return co_await commit(edit_job, 200);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::remove(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_message());
  const std::int64_t now = clock_.now();
  auto delete_job = [this, who = ctx.user(), id = *id, now](Connection& c) -> Result<Change> {
    auto target = authorize(c, membership_, who, id, kDelete);
    if (!target) return target.error();
    auto change = delete_message(c, id, who.user_id, now);
    if (!change) return change;
    if (target->message.facts.author_id != who.user_id) {  // a moderator's act is audited
      if (auto s = auth::audit(c, who.user_id, "message.delete", "message:" + std::to_string(id), json::object(), now);
          !s)
        return s.error();
    }
    return change;
  };
  co_return co_await commit(delete_job, 200);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::history(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_message());
  auto history_job = [this, who = ctx.user(), id = *id](Connection& c) -> Result<json> {
    if (auto target = authorize(c, membership_, who, id, kRead); !target) return target.error();
    return message_history(c, id);
  };
  HUB_TRY(items, co_await db_.read(history_job));
  co_return json_response(200, *items);
}

namespace {
// A reaction is one short token: an emoji or a :name:, no spaces or controls.
Status check_emoji(std::string_view e) {
  bool ok = !e.empty() && e.size() <= 32;
  for (unsigned char ch : e) ok = ok && ch > 0x20 && ch != 0x7f;
  if (!ok) return ApiError::invalid_field("emoji", "emoji must be 1 to 32 bytes with no spaces.");
  return http::Ok{};
}
}  // namespace

boost::asio::awaitable<http::Response> DiscussionRoutes::react(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_message());
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(emoji, http::string_field(*body, "emoji", 1, 32));
  HUB_TRY(valid, check_emoji(*emoji));
  const std::int64_t now = clock_.now();
  auto react_job = [this, who = ctx.user(), id = *id, e = *emoji, now](Connection& c) -> Result<Change> {
    if (auto target = authorize(c, membership_, who, id, kReact); !target) return target.error();
    return set_reaction(c, id, who.user_id, e, true, now);
  };
  co_return co_await commit(react_job, 200);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::unreact(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_message());
  std::string emoji(req.param("emoji"));
  HUB_TRY(valid, check_emoji(emoji));
  const std::int64_t now = clock_.now();
  auto unreact_job = [this, who = ctx.user(), id = *id, e = emoji, now](Connection& c) -> Result<Change> {
    if (auto target = authorize(c, membership_, who, id, kReact); !target) return target.error();
    return set_reaction(c, id, who.user_id, e, false, now);
  };
  co_return co_await commit(unreact_job, 200);
}

boost::asio::awaitable<http::Response> DiscussionRoutes::preview(Request& req, Context& ctx) {
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(text, body_field(*body));
  if (int wait = preview_limiter_.take("user:" + std::to_string(ctx.user().user_id)); wait > 0)
    co_return error_response(ApiError::rate_limited(wait));
  HUB_TRY(html, co_await render(*text));
  co_return json_response(200, {{"html", *html}});
}

}  // namespace hub::discussion
