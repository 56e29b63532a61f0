// What a member's digest says about their own pipeline: renewals due soon and clients gone quiet.
// Engagements are sealed and belong to hub/sharing; the digest asks through this interface and
// never reads sharing's tables itself. Only the owner's own digest holds these lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/sharing/record_keys.hpp"
#include "hub/store/connection.hpp"

namespace hub::mail {

struct PipelineNote {
  std::string label;  // the owner's private name for the client
  std::string date;   // YYYY-MM-DD: the renewal's due date, or the last contact
};

struct OwnPipeline {
  std::vector<PipelineNote> renewals;  // due within the window, soonest first
  std::vector<PipelineNote> quiet;     // open engagements not contacted for a while, longest first
};

class PipelineReader {
 public:
  virtual ~PipelineReader() = default;
  // `owner`'s own pipeline as of `today` (YYYY-MM-DD). REQUIRES: a read job's connection.
  virtual http::Result<OwnPipeline> own_pipeline(store::Connection& db, std::int64_t owner,
                                                 const std::string& today) const = 0;
};

// The reader over hub/sharing's sealed store, with the hub's record cipher.
class SealedPipelineReader final : public PipelineReader {
 public:
  static constexpr std::int64_t kRenewalWindowDays = 30;
  // `records_key`: keys/records-aes256.key's contents; `quiet_weeks`: [sharing] quiet_weeks.
  SealedPipelineReader(std::string records_key, std::int64_t quiet_weeks)
      : cipher_(std::move(records_key)), quiet_weeks_(quiet_weeks) {}
  http::Result<OwnPipeline> own_pipeline(store::Connection& db, std::int64_t owner,
                                         const std::string& today) const override;

 private:
  const sharing::RecordCipher cipher_;
  const std::int64_t quiet_weeks_;
};

}  // namespace hub::mail
