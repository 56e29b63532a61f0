// hub/net's log lines: one JSON object per line on stderr, as docs/operations.md promises.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/error.hpp>

#include "hub/net/fail.hpp"

namespace {

// Captures what is written to std::cerr while it lives.
class captured_stderr {
 public:
  captured_stderr() : old_(std::cerr.rdbuf(out_.rdbuf())) {}
  ~captured_stderr() { std::cerr.rdbuf(old_); }
  std::vector<std::string> lines() const {
    std::vector<std::string> all;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) all.push_back(line);
    return all;
  }

 private:
  std::ostringstream out_;
  std::streambuf* old_;
};

}  // namespace

TEST_CASE("net log: an I/O error is one JSON object with level, what=net, event and message") {
  captured_stderr cap;
  const auto ec = make_error_code(boost::asio::error::no_descriptors);
  hub::net::fail(ec, "accept");
  const auto lines = cap.lines();
  REQUIRE(lines.size() == 1);
  const auto j = nlohmann::json::parse(lines[0]);
  CHECK(j["level"] == "error");
  CHECK(j["what"] == "net");
  CHECK(j["event"] == "accept");
  CHECK(j["msg"] == ec.message());
}

TEST_CASE("net log: an escaped exception's message is JSON-escaped on one line") {
  captured_stderr cap;
  try {
    throw std::runtime_error("a \"quoted\"\nline\\ with \x01 control");
  } catch (...) {
    hub::net::fail(std::current_exception(), "service handler");
  }
  hub::net::fail(std::make_exception_ptr(42), "websocket on_open");
  const auto lines = cap.lines();
  REQUIRE(lines.size() == 2);
  const auto a = nlohmann::json::parse(lines[0]);
  CHECK(a["what"] == "net");
  CHECK(a["event"] == "service handler");
  CHECK(a["msg"] == "a \"quoted\"\nline\\ with \x01 control");
  const auto b = nlohmann::json::parse(lines[1]);
  CHECK(b["event"] == "websocket on_open");
  CHECK(b["msg"] == "a non-standard exception");
}

TEST_CASE("net log: expected disconnects write nothing") {
  captured_stderr cap;
  hub::net::fail(make_error_code(boost::asio::error::eof), "read");
  hub::net::fail(make_error_code(boost::asio::error::connection_reset), "read");
  CHECK(cap.lines().empty());
}
