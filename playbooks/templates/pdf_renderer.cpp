#include "playbooks/templates/pdf_renderer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "hub/http/await_callback.hpp"

namespace hub::playbooks::templates {
namespace {

using http::ApiError;

// The worker: one line "READY" (or "MISSING weasyprint"), then per job "<n>\n<html bytes>" in and
// "OK <n>\n<pdf>" or "ERR <n>\n<message>" out.
constexpr const char* kWorkerScript = R"py(
import sys, logging
out, inp = sys.stdout.buffer, sys.stdin.buffer
try:
    import weasyprint
except Exception:
    out.write(b"MISSING weasyprint\n"); out.flush(); sys.exit(0)
logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
logging.getLogger("fontTools").setLevel(logging.CRITICAL)
def refuse(url, *args, **kwargs):
    raise ValueError("the hub fetches nothing while printing")
out.write(b"READY\n"); out.flush()
while True:
    line = inp.readline()
    if not line:
        break
    html = inp.read(int(line)).decode("utf-8", "replace")
    try:
        pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=refuse).write_pdf()
        out.write(b"OK %d\n" % len(pdf)); out.write(pdf)
    except Exception as e:
        msg = str(e).encode("utf-8", "replace")[:300]
        out.write(b"ERR %d\n" % len(msg)); out.write(msg)
    out.flush()
)py";

ApiError pdf_missing() {
  return ApiError::unavailable(
      "PDF needs WeasyPrint, which is not installed: install the Debian package `weasyprint`. HTML still works.");
}

}  // namespace

class PdfRenderer::Worker {
 public:
  explicit Worker(const PdfOptions& o) : options_(o) {}
  ~Worker() { kill_child(); }

  // The PDF, or an error; restarts the child after a timeout or a crash.
  http::Result<std::string> render(const std::string& html, bool& missing) {
    if (pid_ <= 0) {
      if (auto s = start(missing); !s) return s.error();
    }
    std::string header = std::to_string(html.size()) + "\n";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
    if (!write_all(header) || !write_all(html)) return fail("The PDF worker stopped.");
    std::string status;
    if (!read_line(status, deadline)) return fail("The PDF took longer than its time limit, or ran out of memory.");
    auto space = status.find(' ');
    std::size_t n = space == std::string::npos ? 0 : std::strtoull(status.c_str() + space + 1, nullptr, 10);
    std::string body;
    if (n > 64 * 1024 * 1024 || !read_exact(body, n, deadline))
      return fail("The PDF took longer than its time limit, or ran out of memory.");
    if (status.rfind("OK ", 0) == 0) return body;
    return ApiError{422, "invalid_field", "The document could not be printed: " + body, "fields"};
  }

 private:
  http::Status start(bool& missing) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) return ApiError::unavailable("Cannot start the PDF worker.");
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
      ::close(to_child[0]), ::close(to_child[1]);
      return ApiError::unavailable("Cannot start the PDF worker.");
    }
    // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
    const char* argv[] = {options_.python.c_str(), "-I", "-c", kWorkerScript, nullptr};
    const char* envp[] = {"LANG=C.UTF-8", "PATH=/usr/bin:/bin", nullptr};
    rlimit as{options_.memory_mb * 1024 * 1024, options_.memory_mb * 1024 * 1024};
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, 2);
      ::setrlimit(RLIMIT_AS, &as);
      ::execve(argv[0], const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (pid < 0) {
      ::close(to_child[1]), ::close(from_child[0]);
      return ApiError::unavailable("Cannot start the PDF worker.");
    }
    pid_ = pid, in_ = to_child[1], out_ = from_child[0];
    std::string hello;
    // Importing weasyprint takes about half a second; a generous bound covers a busy machine.
    if (!read_line(hello, std::chrono::steady_clock::now() + std::chrono::seconds(30)) || hello != "READY") {
      int status = kill_child();
      // "MISSING": the module is absent; exit 127: no interpreter to run it.
      if (hello.rfind("MISSING", 0) == 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 127)) {
        missing = true;
        return pdf_missing();
      }
      return ApiError::unavailable("The PDF worker did not start; try again in a moment.");
    }
    return http::Ok{};
  }

  ApiError fail(const std::string& message) {
    kill_child();
    return ApiError::unavailable(message);
  }

  // Ends the child (if still running) and returns its wait status.
  int kill_child() {
    if (in_ >= 0) ::close(in_);
    if (out_ >= 0) ::close(out_);
    in_ = out_ = -1;
    int status = 0;
    if (pid_ > 0) {
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    pid_ = -1;
    buffered_.clear();
    return status;
  }

  bool write_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(in_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(std::size_t(n));
    }
    return true;
  }

  // Reads more into buffered_ before the deadline; false on timeout, EOF or error.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{out_, POLLIN, 0};
    int r = ::poll(&p, 1, int(left.count()));
    if (r < 0 && errno == EINTR) return true;
    if (r <= 0) return false;
    char chunk[65536];
    ssize_t n = ::read(out_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) return false;
    buffered_.append(chunk, std::size_t(n));
    return true;
  }

  bool read_line(std::string& line, std::chrono::steady_clock::time_point deadline) {
    while (buffered_.find('\n') == std::string::npos) {
      if (buffered_.size() > 4096 || !fill(deadline)) return false;
    }
    auto nl = buffered_.find('\n');
    line = buffered_.substr(0, nl);
    buffered_.erase(0, nl + 1);
    return true;
  }

  bool read_exact(std::string& out, std::size_t n, std::chrono::steady_clock::time_point deadline) {
    while (buffered_.size() < n)
      if (!fill(deadline)) return false;
    out = buffered_.substr(0, n);
    buffered_.erase(0, n);
    return true;
  }

  const PdfOptions& options_;
  pid_t pid_ = -1;        // the child, or -1 before the first PDF and after a failure
  int in_ = -1, out_ = -1;  // the child's stdin and stdout
  std::string buffered_;  // read from the child, not yet consumed
};

PdfRenderer::PdfRenderer(PdfOptions options) : options_(std::move(options)) {
  ::signal(SIGPIPE, SIG_IGN);  // a dead worker must not end the hub
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this, i] { loop(i); });
}

PdfRenderer::~PdfRenderer() { stop(); }

void PdfRenderer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

std::size_t PdfRenderer::queue_depth() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

boost::asio::awaitable<http::Result<std::string>> PdfRenderer::render(std::string html) {
  using R = http::Result<std::string>;
  return http::await_callback<R>([this, html = std::move(html)](std::function<void(R)> complete) mutable {
    std::unique_lock lock(mutex_);
    if (missing_) {
      lock.unlock();
      return complete(R(pdf_missing()));
    }
    // Idle workers take a job at once; beyond them, `queue` jobs may wait.
    if (stopping_ || jobs_.size() + busy_ >= options_.queue + std::size_t(std::max(1, options_.workers))) {
      lock.unlock();
      ApiError busy = ApiError::unavailable("Too many PDFs are being made; try again in a few seconds.");
      busy.retry_after_s = 2 + int(options_.queue) * 2 / std::max(1, options_.workers);
      return complete(R(busy));
    }
    jobs_.push_back({std::move(html), std::move(complete)});
    lock.unlock();
    wake_.notify_one();
  });
}

void PdfRenderer::loop(int) {
  Worker worker(options_);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
      ++busy_;
      if (missing_) {
        --busy_;
        lock.unlock();
        job.complete(pdf_missing());
        continue;
      }
    }
    bool missing = false;
    auto pdf = worker.render(job.html, missing);
    {
      std::lock_guard lock(mutex_);
      missing_ = missing_ || missing;
      --busy_;
    }
    job.complete(std::move(pdf));
  }
}

}  // namespace hub::playbooks::templates
