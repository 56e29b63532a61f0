// Digests: one message per member who asked for it, daily or weekly, with what happened in the
// channels they can read (unread messages, top threads), mentions of them, proposals awaiting
// their review, their own checklist items due and, for them alone, their own renewals due in the
// next 30 days and clients gone quiet (through a PipelineReader); and a mentor's weekly summary of the mentees
// they are paired with. Built in bulk: one read of the period's activity, then per-member filtering in
// memory on the mail thread, then queued in batches; each member's digest for a period is queued
// at most once (mail_digest_runs), in the same transaction as its message.
#pragma once

#include <cstdint>
#include <string>

#include "hub/auth/membership.hpp"
#include "hub/mail/own_pipeline.hpp"
#include "hub/store/executor.hpp"

namespace hub::mail {

class MailModule;

struct DigestRun {
  // "daily" | "weekly" | "any" (an admin's "now": every member who wants a digest) | "mentees"
  // (mentors' weekly summaries of their mentees' checklists)
  std::string frequency;
  std::string period;         // the key that makes the run once-only, e.g. "daily:2026-11-30"
  std::int64_t since = 0;     // activity after this Unix time
};

class DigestBuilder {
 public:
  // All references must outlive this object.
  DigestBuilder(store::Executor& db, const MailModule& mail, auth::Membership& membership);

  // Where a member's own renewals and quiet clients come from; without one, digests leave them
  // out. REQUIRES: before the first build; `reader` outlives this object.
  void read_pipelines_through(const PipelineReader* reader) { pipelines_ = reader; }

  // Builds and queues the digests of `run`; returns how many were queued. Blocking (mail thread,
  // a CPU-pool job or the command line, never the network thread).
  http::Result<int> build(const DigestRun& run);

  // The scheduled runs due at `now` (daily at mail.digest_hour_utc, weekly on Mondays), each once:
  // call it as often as you like.
  int run_scheduled(std::int64_t now, int hour_utc);

 private:
  store::Executor& db_;
  const MailModule& mail_;
  auth::Membership& membership_;
  const PipelineReader* pipelines_ = nullptr;  // set once before use
  std::string done_date_;  // the last date whose scheduled runs were built by this process (mail thread only)
};

}  // namespace hub::mail
