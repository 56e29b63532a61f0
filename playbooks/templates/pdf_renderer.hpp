// HTML → PDF with WeasyPrint, in long-lived child processes (`/usr/bin/python3 -I -c <script>`):
// importing weasyprint costs about half a second, so a worker is started at the first PDF and
// kept. Each worker runs under a memory limit (RLIMIT_AS) and every job under a time limit (the
// worker is killed and restarted when it overruns). Jobs wait in a bounded queue; a full queue
// answers 503 with Retry-After at once. The caller's coroutine is resumed on its own executor,
// so the network thread never waits on WeasyPrint.
//
// The worker fetches nothing: its URL fetcher refuses every URL (the print stylesheet is inline,
// see document_page), and no base URL is given, so relative references resolve to nothing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/http/error.hpp"

namespace hub::playbooks::templates {

struct PdfOptions {
  std::string python = "/usr/bin/python3";
  int workers = 1;               // PDFs rendered at once
  std::size_t queue = 4;         // PDFs waiting beyond those; more get 503
  int timeout_ms = 20000;        // per PDF
  std::size_t memory_mb = 1024;  // address space of each worker
};

class PdfRenderer {
 public:
  explicit PdfRenderer(PdfOptions options);
  ~PdfRenderer();  // stop()
  PdfRenderer(const PdfRenderer&) = delete;
  PdfRenderer& operator=(const PdfRenderer&) = delete;

  // The PDF of `html`. 503 (with Retry-After) when the queue is full; 503 naming the Debian package
  // when WeasyPrint is missing; 503 when the PDF overran its time or memory.
  boost::asio::awaitable<http::Result<std::string>> render(std::string html);

  // Ends the workers after the jobs already queued. Idempotent.
  void stop();
  std::size_t queue_depth() const;

 private:
  struct Job {
    std::string html;
    std::function<void(http::Result<std::string>)> complete;
  };
  class Worker;  // one child process and its pipes
  void loop(int slot);

  const PdfOptions options_;
  mutable std::mutex mutex_;        // guards jobs_, busy_, stopping_ and missing_
  std::condition_variable wake_;    // signalled when a job arrives or stopping_ is set
  std::deque<Job> jobs_;            // with busy_, bounded by options_.queue + options_.workers
  std::size_t busy_ = 0;            // jobs a worker is rendering
  bool stopping_ = false;
  bool missing_ = false;            // a worker reported that weasyprint cannot be imported
  std::vector<std::thread> threads_;  // one per worker slot
};

}  // namespace hub::playbooks::templates
