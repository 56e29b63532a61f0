// The playbooks module as the hub sees it: its routes, and the view cache they share.
#pragma once

#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"
#include "playbooks/exchange.hpp"
#include "playbooks/mentoring_routes.hpp"
#include "playbooks/playbook_routes.hpp"
#include "playbooks/proposal_routes.hpp"
#include "playbooks/schema.hpp"
#include "playbooks/services.hpp"
#include "playbooks/view_cache.hpp"

namespace hub::playbooks {

class PlaybookModule {
 public:
  PlaybookModule(store::Executor& db, http::CpuPool& cpu, const Clock& clock);
  void add_to(http::Router& router);
  // Review requests are mailed through `mailer` from now on. REQUIRES: before the hub serves.
  void mail_review_requests_through(const ReviewRequestMailer* mailer) { services_.review_mail = mailer; }

 private:
  ViewCache views_;  // rendered heads, shared by every route that changes or shows a playbook
  Services services_;
  PlaybookRoutes playbooks_;
  ProposalRoutes proposals_;
  MentoringRoutes mentoring_;
  ExchangeRoutes exchange_;
};

}  // namespace hub::playbooks
