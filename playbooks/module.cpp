#include "playbooks/module.hpp"

namespace hub::playbooks {

PlaybookModule::PlaybookModule(store::Executor& db, http::CpuPool& cpu, const Clock& clock)
    : services_{db, cpu, clock, views_},
      playbooks_(services_),
      proposals_(services_),
      mentoring_(services_),
      exchange_(services_) {}

void PlaybookModule::add_to(http::Router& router) {
  playbooks_.add_to(router);
  proposals_.add_to(router);
  mentoring_.add_to(router);
  exchange_.add_to(router);
}

}  // namespace hub::playbooks
