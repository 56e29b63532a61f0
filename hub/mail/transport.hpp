// The seam between the outbox and the operator's mail server: the sender hands a finished
// message to a Transport; tests use a fake one, the hub libcurl's SMTP client.
#pragma once

#include <string>

#include "hub/http/error.hpp"

namespace hub::mail {

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers `mime` from `from` to `to`, blocking until the server accepted or refused it. An error
  // names what failed, without credentials. Called from the sender's own thread only.
  virtual http::Status send(const std::string& from, const std::string& to, const std::string& mime) = 0;
};

struct SmtpSettings {
  std::string url;        // smtp://host:port or smtps://host:port
  std::string username;   // empty: no AUTH
  std::string password;
  bool require_starttls = true;  // for smtp:// URLs
  long timeout_ms = 30000;
};

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpSettings settings);
  http::Status send(const std::string& from, const std::string& to, const std::string& mime) override;

 private:
  const SmtpSettings settings_;
};

}  // namespace hub::mail
