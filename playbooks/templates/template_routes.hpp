// The Templates routes of API.md: the gallery, drafts with history and diff, releases, forks and
// pulls, ratings, and filling in (HTML; PDF through the PdfRenderer).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/router.hpp"
#include "hub/sharing/record_keys.hpp"
#include "hub/store/executor.hpp"
#include "playbooks/templates/field_schema.hpp"
#include "playbooks/templates/parsed_cache.hpp"
#include "playbooks/templates/policy.hpp"
#include "playbooks/templates/template_store.hpp"

namespace hub::playbooks::templates {

class PdfRenderer;

// SPDX ids a template may carry; a no-derivatives one makes the template fill-only.
bool is_known_license(std::string_view spdx);
bool is_fill_only_license(std::string_view spdx);

// What a render needs once the template and values are resolved (shared with saved documents).
struct RenderRequest {
  std::string slug;
  std::optional<std::string> version;  // a release; empty: the latest, else the head draft
  std::optional<int> revision;         // a draft revision instead of a release
  nlohmann::json fields = nlohmann::json::object();
  std::optional<std::int64_t> engagement_id;
  std::string format = "html";  // html | json | pdf
  std::string paper = "a4";     // a4 | letter
  std::string title;            // empty: the template's title
};

class TemplateRoutes {
 public:
  // `records_key`: the raw 32-byte key sealing saved documents and opening engagements.
  // `pdf` may be null: PDF requests then get 503.
  TemplateRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, std::string records_key,
                 PdfRenderer* pdf);
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> gallery(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show(Request& req, Context& ctx);
  boost::asio::awaitable<Response> save(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revisions(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revision(Request& req, Context& ctx);
  boost::asio::awaitable<Response> diff(Request& req, Context& ctx);
  boost::asio::awaitable<Response> releases(Request& req, Context& ctx);
  boost::asio::awaitable<Response> release(Request& req, Context& ctx);
  boost::asio::awaitable<Response> fork(Request& req, Context& ctx);
  boost::asio::awaitable<Response> pull(Request& req, Context& ctx);
  boost::asio::awaitable<Response> rate(Request& req, Context& ctx);
  boost::asio::awaitable<Response> render(Request& req, Context& ctx);
  boost::asio::awaitable<Response> preview(Request& req, Context& ctx);
  boost::asio::awaitable<Response> prefill(Request& req, Context& ctx);
  boost::asio::awaitable<Response> documents(Request& req, Context& ctx);
  boost::asio::awaitable<Response> save_document(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show_document(Request& req, Context& ctx);
  boost::asio::awaitable<Response> update_document(Request& req, Context& ctx);
  boost::asio::awaitable<Response> delete_document(Request& req, Context& ctx);
  boost::asio::awaitable<Response> render_document(Request& req, Context& ctx);

 public:
  // Resolves, checks and fills; records the use. Used by render and by saved documents.
  boost::asio::awaitable<Response> render_for(RenderRequest r, std::int64_t user_id);

 private:
  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  const sharing::RecordCipher cipher_;  // seals saved documents; opens the actor's engagements
  PdfRenderer* pdf_;                    // not owned; null when PDF is off
  ParsedTemplateCache parsed_;          // templates as filled, by revision content
};

}  // namespace hub::playbooks::templates
