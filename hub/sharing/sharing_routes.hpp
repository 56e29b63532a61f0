// The Engagements, rates, waves and cohort-success routes of API.md.
#pragma once

#include <memory>

#include "hub/cohorts/cohort_store.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/router.hpp"
#include "hub/sharing/record_keys.hpp"
#include "hub/sharing/sharing_options.hpp"
#include "hub/sharing/wave_publisher.hpp"
#include "hub/store/executor.hpp"

namespace hub::sharing {

class SharingRoutes {
 public:
  // Reads both key files (throws at start-up when they are missing). `rng` null: OpenSSL.
  SharingRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, cohorts::CohortMembership& membership,
                const SharingOptions& options, std::unique_ptr<Randomness> rng = nullptr);
  void add_to(http::Router& router);
  WavePublisher& publisher() { return publisher_; }

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> create(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show(Request& req, Context& ctx);
  boost::asio::awaitable<Response> update(Request& req, Context& ctx);
  boost::asio::awaitable<Response> remove(Request& req, Context& ctx);
  boost::asio::awaitable<Response> renew(Request& req, Context& ctx);
  boost::asio::awaitable<Response> rates(Request& req, Context& ctx);
  boost::asio::awaitable<Response> position(Request& req, Context& ctx);
  boost::asio::awaitable<Response> close_wave(Request& req, Context& ctx);
  boost::asio::awaitable<Response> success(Request& req, Context& ctx);
  // The rates document: from memory, loaded once from the last wave.
  boost::asio::awaitable<http::Result<std::shared_ptr<const std::string>>> rates_document();
  std::string today() const;

  store::Executor& db_;
  const Clock& clock_;
  cohorts::CohortMembership& membership_;
  const SharingOptions options_;
  const RecordCipher cipher_;
  const Pseudonymizer pseudonyms_;
  WavePublisher publisher_;
};

}  // namespace hub::sharing
