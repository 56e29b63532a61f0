#include "hub/sharing/wave_publisher.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "hub/sharing/vocabulary.hpp"

namespace hub::sharing {

SharedCopies build_shared_copies(const WaveInputs& in, const RecordCipher& cipher, const Pseudonymizer& pseudonyms,
                                 std::int64_t today, std::int64_t top_code, std::size_t* unreadable) {
  SharedCopies out;
  std::map<std::int64_t, std::string> pseudonym_of;
  std::map<std::int64_t, std::optional<std::int64_t>> first_signed;  // owners who share anything
  std::size_t bad = 0;
  for (const auto& row : in.rows) {
    auto text = cipher.open(row.sealed, engagement_aad(row.id, row.owner_id));
    auto e = text ? from_sealed_text(*text) : std::nullopt;
    if (!e) {
      ++bad;
      continue;
    }
    if (!e->shared) continue;
    auto& first = first_signed[row.owner_id];
    auto [it, fresh] = pseudonym_of.try_emplace(row.owner_id);
    if (fresh) it->second = pseudonyms.pseudonym(row.owner_id);
    if (!e->signed_on || !is_signed_stage(e->stage)) continue;
    const std::int64_t signed_day = day_number(*e->signed_on);
    if (signed_day > today) continue;
    auto amount = coarse_amount(e->annual_amount, e->currency, top_code);
    if (!amount) continue;
    SharedRecord r;
    r.pseudonym = it->second;
    r.tier = e->tier;
    r.region = e->region;
    r.ecosystem = e->ecosystem;
    r.amount = *amount;
    r.days_to_sign = signed_day - day_number(e->first_contact_on);
    r.signed_day = signed_day;
    auto churned = e->churned_on();
    r.churned = churned.has_value();
    r.survival_days = std::max<std::int64_t>(0, (churned ? std::min(day_number(*churned), today) : today) - signed_day);
    if (*e->first_renewal_day() <= today && !e->renewals.empty() && day_number(e->renewals[0].decided_on) <= today)
      r.first_renewed = e->renewals[0].outcome == "renewed";
    out.records.push_back(std::move(r));
    first = first ? std::min(*first, signed_day) : signed_day;
  }
  for (const auto& m : in.members) {
    auto f = first_signed.find(m.user_id);
    if (f == first_signed.end()) continue;
    const std::int64_t join_day = m.joined_at / 86400;
    SharedMembership s{pseudonym_of[m.user_id], m.cohort_id, quarter_of_day(join_day), std::nullopt};
    if (f->second) s.days_to_first_client = std::max<std::int64_t>(0, *f->second - join_day);
    out.memberships.push_back(std::move(s));
  }
  if (unreadable) *unreadable = bad;
  return out;
}

WavePublisher::WavePublisher(store::Executor& db, http::CpuPool& cpu, const Clock& clock, const RecordCipher& cipher,
                             const Pseudonymizer& pseudonyms, DisclosureOptions options, std::unique_ptr<Randomness> rng)
    : db_(db), cpu_(cpu), clock_(clock), cipher_(cipher), pseudonyms_(pseudonyms), options_(options), rng_(std::move(rng)) {}

WavePublisher::~WavePublisher() {
  {
    std::lock_guard lock(schedule_mutex_);
    stop_ = true;
  }
  schedule_wake_.notify_all();
  if (schedule_.joinable()) schedule_.join();
}

namespace {
// Clears a flag when the close ends, however it ends.
struct ClosingGuard {
  std::atomic<bool>& flag;
  ~ClosingGuard() { flag = false; }
};
http::ApiError already_closing() { return http::ApiError::conflict("A wave is being closed already."); }
}  // namespace

http::Result<ClosedWave> WavePublisher::compute_and_store(WaveInputs& in, const std::string& closed_by) {
  const std::int64_t now = clock_.now();
  std::size_t unreadable = 0;
  auto copies = build_shared_copies(in, cipher_, pseudonyms_, now / 86400, options_.top_code, &unreadable);
  if (unreadable) std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"wave close skipped unreadable rows\",\"rows\":%zu}\n", unreadable);
  auto result = compute_wave(copies.records, copies.memberships, in.cohort_ids, in.previous, options_, *rng_);
  auto store_job = [&](store::Connection& c) {
    return store_wave(c, now, closed_by, copies.records, copies.memberships, result, options_.noise);
  };
  return db_.write_now(store_job);
}

boost::asio::awaitable<http::Result<ClosedWave>> WavePublisher::close(std::string closed_by) {
  if (closing_.exchange(true)) co_return already_closing();
  ClosingGuard guard{closing_};
  auto inputs_job = [](store::Connection& c) { return load_wave_inputs(c); };
  auto inputs = co_await db_.read(inputs_job);
  if (!inputs) co_return inputs.error();
  // Decryption and disclosure control run on the CPU pool; the store step waits for the writer
  // from that pool thread, never from the network thread.
  auto shared_inputs = std::make_shared<WaveInputs>(std::move(*inputs));
  auto work = [this, shared_inputs, closed_by]() { return compute_and_store(*shared_inputs, closed_by); };
  auto closed = co_await cpu_.run(work);
  if (closed) cache_rates(closed->rates_document);
  co_return closed;
}

http::Result<ClosedWave> WavePublisher::close_now(const std::string& closed_by) {
  if (closing_.exchange(true)) return already_closing();
  ClosingGuard guard{closing_};
  auto inputs = db_.read_now([](store::Connection& c) { return load_wave_inputs(c); });
  if (!inputs) return inputs.error();
  auto closed = compute_and_store(*inputs, closed_by);
  if (closed) cache_rates(closed->rates_document);
  return closed;
}

bool WavePublisher::close_if_due(std::int64_t wave_days) {
  if (wave_days <= 0) return false;
  auto last = db_.read_now([](store::Connection& c) { return last_wave_time(c); });
  if (!last) return false;
  if (*last && clock_.now() - **last < wave_days * 86400) return false;
  auto closed = close_now("schedule");
  return closed.ok();
}

void WavePublisher::start_schedule(std::int64_t wave_days, std::int64_t period_s) {
  if (wave_days <= 0 || schedule_.joinable()) return;
  schedule_ = std::thread([this, wave_days, period_s] {
    std::unique_lock lock(schedule_mutex_);
    while (!stop_) {
      lock.unlock();
      close_if_due(wave_days);
      lock.lock();
      schedule_wake_.wait_for(lock, std::chrono::seconds(period_s), [this] { return stop_; });
    }
  });
}

std::shared_ptr<const std::string> WavePublisher::cached_rates() const {
  std::lock_guard lock(cache_mutex_);
  return rates_;
}

void WavePublisher::cache_rates(std::string document) {
  auto p = std::make_shared<const std::string>(std::move(document));
  std::lock_guard lock(cache_mutex_);
  rates_ = std::move(p);
}

}  // namespace hub::sharing
