#include "playbooks/mentoring_routes.hpp"

#include <climits>

#include "hub/auth/account_store.hpp"
#include "hub/http/json_body.hpp"
#include "playbooks/markdown.hpp"
#include "playbooks/mentoring_store.hpp"

namespace hub::playbooks {
namespace {

using http::error_response;
using http::json_response;

ApiError no_such_assignment() { return ApiError::not_found("No such assignment."); }

// Who may see an assignment is the policy's; everyone else is told it does not exist.
Result<AssignmentParties> visible_assignment(Connection& c, const Actor& who, std::int64_t id) {
  auto parties = assignment_parties(c, id);
  if (!parties) return parties.error();
  if (!*parties) return no_such_assignment();
  auto paired = is_mentor_of(c, (*parties)->mentor_id, (*parties)->mentee_id);
  if (!paired) return paired.error();
  if (!can_read_assignment(who, {(*parties)->mentor_id, (*parties)->mentee_id, *paired})) return no_such_assignment();
  return **parties;
}

Result<auth::User> user_field(Connection& c, std::int64_t id, const char* field) {
  auto u = auth::get_user(c, id);
  if (!u) return ApiError::invalid_field(field, std::string("No user has that ") + field + ".");
  return u;
}

// A user as the policy sees them: role and cohorts.
Result<Actor> person_facts(Connection& c, const auth::User& u) {
  auto cohorts = cohorts_of(c, u.id);
  if (!cohorts) return cohorts.error();
  return Actor{u.id, auth::role_from(u.role), std::move(*cohorts)};
}

ApiError pair_refusal(PairVerdict v) {
  switch (v) {
    case PairVerdict::allowed: break;
    case PairVerdict::not_a_mentor: return ApiError::forbidden("Only an admin or a mentor pairs mentors and mentees.");
    case PairVerdict::not_yourself: return ApiError::forbidden("A mentor pairs mentees with themselves only.");
    case PairVerdict::mentor_cannot_mentor: return ApiError::invalid_field("mentor_id", "That user is not a mentor.");
    case PairVerdict::same_person: return ApiError::invalid_field("mentee_id", "A mentor cannot mentor themselves.");
    case PairVerdict::mentee_not_member: return ApiError::forbidden("Only members are mentored, not mentors or admins.");
    case PairVerdict::no_shared_cohort: return ApiError::forbidden("A mentor and a mentee must share a cohort.");
  }
  return ApiError::internal("A pairing was refused for no reason.");
}

}  // namespace

void MentoringRoutes::add_to(http::Router& router) {
  using http::Access;
  using http::Method;
  router.add(Method::post, "/api/mentorships", {Access::user, 1024}, http::member_handler(this, &MentoringRoutes::pair));
  router.add(Method::get, "/api/mentorships", {Access::user, 0}, http::member_handler(this, &MentoringRoutes::pairs));
  router.add(Method::delete_, "/api/mentorships/{mentor_id}/{mentee_id}", {Access::user, 0},
             http::member_handler(this, &MentoringRoutes::unpair));
  router.add(Method::post, "/api/assignments", {Access::user, 2048}, http::member_handler(this, &MentoringRoutes::assign));
  router.add(Method::get, "/api/assignments", {Access::user, 0}, http::member_handler(this, &MentoringRoutes::assignments));
  router.add(Method::get, "/api/assignments/{id}", {Access::user, 0}, http::member_handler(this, &MentoringRoutes::assignment));
  router.add(Method::patch, "/api/assignments/{id}/items/{n}", {Access::user, 4096},
             http::member_handler(this, &MentoringRoutes::tick));
  router.add(Method::get, "/api/mentoring/dashboard", {Access::user, 0},
             http::member_handler(this, &MentoringRoutes::dashboard));
}

boost::asio::awaitable<http::Response> MentoringRoutes::pair(Request& req, Context& ctx) {
  const Actor who = actor_of(ctx);
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(mentor_id, http::int_field(*body, "mentor_id", 1, INT64_MAX));
  HUB_TRY(mentee_id, http::int_field(*body, "mentee_id", 1, INT64_MAX));
  const std::int64_t now = s_.clock.now();
  auto pair_job = [=, mentor = *mentor_id, mentee = *mentee_id](Connection& c) -> Result<json> {
    auto m = user_field(c, mentor, "mentor_id");
    if (!m) return m.error();
    auto e = user_field(c, mentee, "mentee_id");
    if (!e) return e.error();
    auto mentor_facts = person_facts(c, *m);
    if (!mentor_facts) return mentor_facts.error();
    auto mentee_facts = person_facts(c, *e);
    if (!mentee_facts) return mentee_facts.error();
    if (auto v = pair_verdict(who, *mentor_facts, *mentee_facts); v != PairVerdict::allowed) return pair_refusal(v);
    if (auto s = insert_mentorship(c, mentor, mentee, who.user_id, now); !s) return s.error();
    json detail = {{"mentor", m->handle}, {"mentee", e->handle}};
    if (auto a = auth::audit(c, who.user_id, "mentorship.create", "user:" + std::to_string(mentee), detail, now); !a)
      return a.error();
    return json{{"mentor", person_json(m->id, m->handle, m->display_name)},
                {"mentee", person_json(e->id, e->handle, e->display_name)},
                {"created_at", format_rfc3339(now)}};
  };
  HUB_TRY(pair, co_await s_.db.write(pair_job));
  co_return json_response(201, {{"mentorship", *pair}});
}

boost::asio::awaitable<http::Response> MentoringRoutes::pairs(Request&, Context& ctx) {
  std::optional<std::int64_t> user;
  if (!sees_every_pairing(actor_of(ctx))) user = ctx.user().user_id;
  auto pairs_job = [user](Connection& c) { return list_mentorships(c, user); };
  HUB_TRY(items, co_await s_.db.read(pairs_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> MentoringRoutes::unpair(Request& req, Context& ctx) {
  auto mentor = req.id_param("mentor_id"), mentee = req.id_param("mentee_id");
  if (!mentor || !mentee) co_return error_response(ApiError::not_found("No such mentorship."));
  if (!can_end_pairing(actor_of(ctx), *mentor, *mentee))
    co_return error_response(ApiError::forbidden("Only the mentor, the mentee or an admin ends a mentorship."));
  const std::int64_t actor = ctx.user().user_id, now = s_.clock.now();
  auto unpair_job = [=, m = *mentor, e = *mentee](Connection& c) -> Result<http::Ok> {
    if (auto s = delete_mentorship(c, m, e); !s) return s;
    return auth::audit(c, actor, "mentorship.delete", "user:" + std::to_string(e), {{"mentor_id", m}}, now);
  };
  HUB_TRY(done, co_await s_.db.write(unpair_job));
  co_return http::empty_response(204);
}

boost::asio::awaitable<http::Response> MentoringRoutes::assign(Request& req, Context& ctx) {
  const Actor who = actor_of(ctx);
  // Refused before any work when the actor could assign to no one at all.
  if (!can_assign(who, /*paired_with_mentee=*/true))
    co_return error_response(ApiError::forbidden("Only a mentor assigns playbooks."));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(mentee_id, http::int_field(*body, "mentee_id", 1, INT64_MAX));
  HUB_TRY(slug, http::string_field(*body, "playbook", 1, 200));
  HUB_TRY(revision_in, http::optional_int_field(*body, "revision", 1, INT_MAX));
  HUB_TRY(due_on, http::optional_string_field(*body, "due_on", 10));
  if (*due_on && !http::is_valid_date(**due_on))
    co_return error_response(ApiError::invalid_field("due_on", "due_on must be a date, YYYY-MM-DD."));

  struct Pinned {
    std::int64_t playbook_id = 0;
    int revision = 0;
    std::string content;
  };
  auto pinned_job = [slug = *slug, rev = *revision_in](Connection& c) -> Result<Pinned> {
    auto pb = find_playbook(c, slug);
    if (!pb) return pb.error();
    if (!*pb) return ApiError::invalid_field("playbook", "No playbook has that slug.");
    const int n = rev ? int(*rev) : (*pb)->head;
    auto r = get_revision(c, (*pb)->id, n);
    if (!r) return r.error();
    if (!*r) return ApiError::invalid_field("revision", "The playbook has no such revision.");
    return Pinned{(*pb)->id, n, std::move((*r)->content)};
  };
  HUB_TRY(pinned, co_await s_.db.read(pinned_job));
  auto items_job = [content = pinned->content]() -> Result<std::vector<TaskItem>> { return task_items(content); };
  HUB_TRY(items, co_await s_.cpu.run(items_job));
  if (items->empty())
    co_return error_response(ApiError::invalid_field("playbook", "That revision has no task list (- [ ] items) to assign."));
  const std::int64_t now = s_.clock.now();
  auto assign_job = [=, mentee = *mentee_id, p = *pinned, list = *items, due = *due_on](Connection& c) -> Result<std::int64_t> {
    auto e = user_field(c, mentee, "mentee_id");
    if (!e) return e.error();
    auto mentors = is_mentor_of(c, who.user_id, mentee);
    if (!mentors) return mentors.error();
    if (!can_assign(who, *mentors)) return ApiError::forbidden("You are not this member's mentor; pair with them first.");
    return insert_assignment(c, who.user_id, mentee, p.playbook_id, p.revision, due, list, now);
  };
  HUB_TRY(id, co_await s_.db.write(assign_job));
  auto show_job = [id = *id, day = today()](Connection& c) { return assignment_json(c, id, day); };
  HUB_TRY(shown, co_await s_.db.read(show_job));
  co_return json_response(201, *shown);
}

boost::asio::awaitable<http::Response> MentoringRoutes::assignments(Request& req, Context& ctx) {
  const Actor who = actor_of(ctx);
  HUB_TRY(page, http::read_page(req));
  HUB_TRY(mentee, int_query(req, "mentee_id"));
  const bool as_mentor = req.query_param("as") == "mentor";
  auto list_job = [=, p = *page, mentee = *mentee, day = today()](Connection& c) -> Result<json> {
    if (mentee) {
      auto paired = is_mentor_of(c, who.user_id, *mentee);
      if (!paired) return paired.error();
      if (!can_list_assignments_of(who, *mentee, *paired))
        return ApiError::forbidden("You see only your own mentees' assignments.");
      std::optional<std::int64_t> set_by;
      if (lists_only_own_assignments(who, *mentee)) set_by = who.user_id;
      return list_assignments(c, mentee, set_by, p, day);
    }
    if (as_mentor) return list_assignments(c, std::nullopt, who.user_id, p, day);
    return list_assignments(c, who.user_id, std::nullopt, p, day);
  };
  HUB_TRY(items, co_await s_.db.read(list_job));
  co_return json_response(200, *items);
}

boost::asio::awaitable<http::Response> MentoringRoutes::assignment(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_assignment());
  auto show_job = [who = actor_of(ctx), id = *id, day = today()](Connection& c) -> Result<json> {
    if (auto v = visible_assignment(c, who, id); !v) return v.error();
    return assignment_json(c, id, day);
  };
  HUB_TRY(shown, co_await s_.db.read(show_job));
  co_return json_response(200, *shown);
}

boost::asio::awaitable<http::Response> MentoringRoutes::tick(Request& req, Context& ctx) {
  auto id = req.id_param("id");
  if (!id) co_return error_response(no_such_assignment());
  auto n = req.id_param("n");
  if (!n || *n > INT_MAX) co_return error_response(ApiError::not_found("The assignment has no such item."));
  HUB_TRY(body, http::parse_json_object(req.body));
  HUB_TRY(done, http::bool_field(*body, "done"));
  HUB_TRY(note, http::optional_string_field(*body, "note", kMaxNote));
  const std::int64_t now = s_.clock.now();
  auto tick_job = [=, who = actor_of(ctx), id = *id, n = int(*n), done = *done, note = *note,
                   day = today()](Connection& c) -> Result<json> {
    auto parties = visible_assignment(c, who, id);
    if (!parties) return parties.error();
    if (!can_tick_item(who, {parties->mentor_id, parties->mentee_id, true}))
      return ApiError::forbidden("Only the mentee ticks off their checklist.");
    if (auto s = set_item(c, id, n, done, note, who.user_id, now); !s) return s.error();
    return assignment_json(c, id, day);
  };
  HUB_TRY(shown, co_await s_.db.write(tick_job));
  co_return json_response(200, *shown);
}

boost::asio::awaitable<http::Response> MentoringRoutes::dashboard(Request& req, Context& ctx) {
  const Actor who = actor_of(ctx);
  HUB_TRY(mentor_in, int_query(req, "mentor_id"));
  const std::int64_t mentor = mentor_in->value_or(who.user_id);
  if (!can_read_dashboard(who, mentor)) co_return error_response(ApiError::forbidden("You see only your own dashboard."));
  auto dashboard_job = [mentor, day = today()](Connection& c) { return mentor_dashboard(c, mentor, day); };
  HUB_TRY(board, co_await s_.db.read(dashboard_job));
  co_return json_response(200, *board);
}

}  // namespace hub::playbooks
