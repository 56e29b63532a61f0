// The mail module: its routes (preferences, one-click unsubscribe, mailed invites, the admin
// outbox), the sender thread, and what other code needs to queue a message in its own write job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hub/auth/membership.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/router.hpp"
#include "hub/mail/digest.hpp"
#include "hub/mail/mail_sender.hpp"
#include "hub/mail/mention_mailer.hpp"
#include "hub/mail/message.hpp"
#include "hub/mail/preferences.hpp"
#include "hub/mail/review_mailer.hpp"
#include "hub/mail/transport.hpp"
#include "hub/auth/invite_mailer.hpp"
#include "hub/mail/unsubscribe_token.hpp"
#include "hub/store/executor.hpp"

namespace hub::mail {

struct MailOptions {
  bool enabled = false;            // [mail] smtp_url is set
  Identity identity;               // [mail] from, from_name
  SmtpSettings smtp;
  RetryPolicy retry;
  std::int64_t poll_ms = 5000;
  std::string link_origin;         // e.g. https://hub.example.org; may be set later (set_link_origin)
  std::string unsubscribe_key;     // keys/mail-unsubscribe.key
  std::int64_t unsubscribe_ttl_s = 90 * 86400;
  int digest_hour_utc = 7;         // scheduled digests are built from this hour on
  std::string records_key;         // keys/records-aes256.key: digests read members' own sealed engagements
  std::int64_t quiet_weeks = 6;    // [sharing] quiet_weeks: when a client counts as gone quiet
};

class MailModule final : public auth::InviteMailer {
 public:
  // All references must outlive this object.
  MailModule(store::Executor& db, http::CpuPool& cpu, const Clock& clock, auth::Membership& membership,
             MailOptions options);
  ~MailModule();
  void add_to(http::Router& router);

  bool enabled() const { return options_.enabled; }
  // The origin links in mail point at, when the config names none (the listen address is known
  // only once the server listens). REQUIRES: before the hub serves.
  void set_link_origin(std::string origin);
  // Starts the sender thread over the SMTP transport (serve only). REQUIRES: enabled().
  void start_sender();
  void stop_sender();

  // A message to `user_id` of `kind`, with its one-click unsubscribe link and footer filled in.
  Draft draft_for_member(std::int64_t user_id, const std::string& kind, const Preferences& to) const;
  const MailOptions& options() const { return options_; }
  std::int64_t now() const { return clock_.now(); }
  // Mail for new mentions; the sender thread runs it before each round of deliveries.
  MentionMailer& mentions() { return mentions_; }
  DigestBuilder& digests() { return digests_; }
  // Mail for review requests, queued by playbooks in the proposal's own write job.
  const ReviewMailer& review_requests() const { return review_requests_; }
  const UnsubscribeSigner& signer() const { return signer_; }
  // POST /api/invites with `email` (hub/auth asks through this interface).
  http::Status check(const std::string& email, const std::string& name) const override;
  Result<std::string> queue(Connection& db, const auth::InviteLetter& letter, std::int64_t now) const override;
  void wake() const override;

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> get_preferences(Request& req, Context& ctx);
  boost::asio::awaitable<Response> put_preferences(Request& req, Context& ctx);
  boost::asio::awaitable<Response> describe_unsubscribe(Request& req, Context& ctx);
  boost::asio::awaitable<Response> unsubscribe(Request& req, Context& ctx);
  boost::asio::awaitable<Response> outbox(Request& req, Context& ctx);
  boost::asio::awaitable<Response> retry(Request& req, Context& ctx);
  boost::asio::awaitable<Response> digests_now(Request& req, Context& ctx);

  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  auth::Membership& membership_;
  MailOptions options_;                   // link_origin set before serving, then read-only
  const UnsubscribeSigner signer_;
  std::unique_ptr<Transport> transport_;  // the SMTP client, while the sender runs
  std::unique_ptr<SealedPipelineReader> pipelines_;  // null without a records key
  MentionMailer mentions_;
  DigestBuilder digests_;
  ReviewMailer review_requests_;
  std::unique_ptr<MailSender> sender_;    // null until start_sender()
};

// Milliseconds since the epoch of the system clock: the sender's clock.
std::int64_t system_now_ms();

}  // namespace hub::mail
