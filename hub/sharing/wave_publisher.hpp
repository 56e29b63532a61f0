// Closes waves: reads every sealed row, builds the shared copies (coarse, pseudonymous), computes
// what may be published and stores it. Also keeps the last rates document in memory, so GET
// /api/rates never touches the database, and closes waves on the configured schedule.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/awaitable.hpp>

#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/sharing/randomness.hpp"
#include "hub/sharing/record_keys.hpp"
#include "hub/sharing/sharing_store.hpp"
#include "hub/store/executor.hpp"

namespace hub::sharing {

// The shared copies of one wave, built from decrypted rows. Pure, for tests and benchmarks.
struct SharedCopies {
  std::vector<SharedRecord> records;
  std::vector<SharedMembership> memberships;
};
// REQUIRES: rows are sealed under `cipher`. Rows that fail to open are skipped and counted.
SharedCopies build_shared_copies(const WaveInputs& in, const RecordCipher& cipher, const Pseudonymizer& pseudonyms,
                                 std::int64_t today_day, std::int64_t top_code, std::size_t* unreadable = nullptr);

class WavePublisher {
 public:
  WavePublisher(store::Executor& db, http::CpuPool& cpu, const Clock& clock, const RecordCipher& cipher,
                const Pseudonymizer& pseudonyms, DisclosureOptions options, std::unique_ptr<Randomness> rng);
  ~WavePublisher();  // stops the schedule

  // Closes the open wave; conflict when a close is already running.
  boost::asio::awaitable<http::Result<ClosedWave>> close(std::string closed_by);
  // The blocking form, for the schedule thread and the command line. Never on the network thread.
  http::Result<ClosedWave> close_now(const std::string& closed_by);
  // Closes a wave when the last one is `wave_days` old (or there is none). Returns true if it did.
  bool close_if_due(std::int64_t wave_days);
  // Checks close_if_due every `period_s` seconds on a thread of its own.
  void start_schedule(std::int64_t wave_days, std::int64_t period_s = 60);

  // The last rates document, or null when not yet loaded.
  std::shared_ptr<const std::string> cached_rates() const;
  void cache_rates(std::string document);

 private:
  http::Result<ClosedWave> compute_and_store(WaveInputs& in, const std::string& closed_by);

  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  const RecordCipher& cipher_;
  const Pseudonymizer& pseudonyms_;
  const DisclosureOptions options_;
  std::unique_ptr<Randomness> rng_;     // used by one close at a time (closing_)
  std::atomic<bool> closing_{false};    // a close is running
  mutable std::mutex cache_mutex_;      // guards rates_
  std::shared_ptr<const std::string> rates_;
  std::mutex schedule_mutex_;           // guards stop_
  std::condition_variable schedule_wake_;
  bool stop_ = false;
  std::thread schedule_;
};

}  // namespace hub::sharing
