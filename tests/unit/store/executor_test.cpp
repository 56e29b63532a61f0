#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <boost/asio/detached.hpp>

#include "hub/store/backup.hpp"
#include "hub/store/executor.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;
using namespace hub::store;
using hub::testing::run_coro;
using hub::testing::TempDir;

namespace {

std::vector<Migration> schema() {
  return {{1, "things", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;"},
          {2, "more", "ALTER TABLE things ADD COLUMN n INTEGER NOT NULL DEFAULT 0;"}};
}

Result<std::int64_t> count_things(Connection& c) {
  auto s = c.prepare("SELECT count(*) FROM things");
  auto row = s.step();
  if (!row) return row.error();
  return s.int64(0);
}

Result<std::int64_t> insert_thing(Connection& c, const std::string& name) {
  auto s = c.prepare("INSERT INTO things (name) VALUES (?1)");
  s.bind(1, std::string_view(name));
  if (auto r = s.run(); !r) return r.error();
  return c.last_insert_id();
}

std::string pragma(Connection& c, const char* name) {
  auto s = c.prepare(std::string("PRAGMA ") + name);
  REQUIRE(s.step().value());
  return s.text(0);
}

}  // namespace

TEST_CASE("store: every connection has WAL, synchronous=FULL, foreign keys and a busy timeout") {
  TempDir dir;
  auto c = Connection::open(dir.path + "/db", false);
  CHECK(pragma(*c, "journal_mode") == "wal");
  CHECK(pragma(*c, "synchronous") == "2");
  CHECK(pragma(*c, "foreign_keys") == "1");
  CHECK(pragma(*c, "busy_timeout") == "5000");
  auto r = Connection::open(dir.path + "/db", true);
  CHECK(pragma(*r, "foreign_keys") == "1");
  CHECK(pragma(*r, "busy_timeout") == "5000");
}

TEST_CASE("store: the executor's writer commits with synchronous=FULL, so an acknowledged write survives power loss") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  auto synchronous = [](Connection& c) -> Result<std::string> { return pragma(c, "synchronous"); };
  CHECK(db.write_now(synchronous).value() == "2");
  // Readers never commit; they keep SQLite's default, which is also FULL.
  CHECK(db.read_now(synchronous).value() == "2");
}

TEST_CASE("store: migrations apply once, record user_version, and refuse a newer database") {
  TempDir dir;
  const std::string path = dir.path + "/db";
  { Executor db(path, schema()); }
  { Executor db(path, schema()); }  // idempotent
  auto c = Connection::open(path, false);
  CHECK(pragma(*c, "user_version") == "2");
  std::vector<Migration> older = {schema()[0]};
  CHECK_THROWS_WITH(Executor(path, older), Catch::Contains("newer"));
}

TEST_CASE("store: a migration may rebuild a table (SQLite changes a CHECK only that way)") {
  TempDir dir;
  const std::string path = dir.path + "/db";
  auto rebuilt = schema();
  rebuilt.push_back({3, "rebuild", "CREATE TABLE things_next (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, "
                                   "n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0)) STRICT;"
                                   "INSERT INTO things_next SELECT id, name, n FROM things;"
                                   "DROP TABLE things;"
                                   "ALTER TABLE things_next RENAME TO things;"});
  { Executor db(path, schema()); }  // an older hub wrote version 2
  Executor db(path, rebuilt);
  CHECK(db.write_now([](Connection& c) { return insert_thing(c, "kept"); }));
  auto c = Connection::open(path, false);
  CHECK(pragma(*c, "user_version") == "3");
}

TEST_CASE("store: a failing write rolls back alone, its group-mates commit") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  boost::asio::io_context ioc;
  std::vector<std::future<Result<std::int64_t>>> results;
  for (std::string name : {"a", "b", "a", "c"}) {  // the second "a" violates UNIQUE
    auto insert_job = [name](Connection& c) { return insert_thing(c, name); };
    results.push_back(boost::asio::co_spawn(ioc, db.write(insert_job), boost::asio::use_future));
  }
  ioc.run();
  int failed = 0;
  for (auto& f : results) {
    auto r = f.get();
    if (!r) {
      ++failed;
      CHECK(r.error().status == 409);
    }
  }
  CHECK(failed == 1);
  CHECK(db.read_now(count_things).value() == 3);
}

TEST_CASE("store: an error result undoes the job's earlier statements") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  auto r = db.write_now([](Connection& c) -> Result<std::int64_t> {
    if (auto id = insert_thing(c, "kept?"); !id) return id;
    return ApiError::bad_request("changed my mind");
  });
  CHECK_FALSE(r.ok());
  CHECK(db.read_now(count_things).value() == 0);
}

TEST_CASE("store: an exception in a job becomes a 500 and rolls back") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  auto r = db.write_now([](Connection& c) -> Result<std::int64_t> {
    insert_thing(c, "x");
    throw std::runtime_error("bug");
  });
  CHECK(r.error().status == 500);
  CHECK(db.read_now(count_things).value() == 0);
}

TEST_CASE("store: readers run off the calling thread and see committed writes") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  auto caller = std::this_thread::get_id();
  auto out = run_coro([&]() -> boost::asio::awaitable<Result<std::int64_t>> {
    std::thread::id writer, reader;
    auto write_job = [&](Connection& c) {
      writer = std::this_thread::get_id();
      return insert_thing(c, "x");
    };
    auto w = co_await db.write(write_job);
    REQUIRE(w.ok());
    auto read_job = [&](Connection& c) {
      reader = std::this_thread::get_id();
      return count_things(c);
    };
    auto n = co_await db.read(read_job);
    CHECK(writer != caller);
    CHECK(reader != caller);
    co_return n;
  }());
  CHECK(out.value() == 1);
}

TEST_CASE("store: readers cannot write") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  auto r = db.read_now([](Connection& c) { return insert_thing(c, "x"); });
  CHECK_FALSE(r.ok());
}

TEST_CASE("store: a full queue answers 503 instead of growing") {
  TempDir dir;
  Executor db(dir.path + "/db", schema(), {.readers = 1, .max_queue = 1});
  std::mutex gate;
  gate.lock();
  std::atomic<bool> started{false};
  // The only reader is held inside a job, so the queue can fill.
  std::thread blocker([&] {
    db.read_now([&](Connection& c) {
      started = true;
      std::lock_guard lock(gate);
      return count_things(c);
    });
  });
  while (!started) std::this_thread::yield();
  boost::asio::io_context ioc;
  auto count_job = count_things;
  auto queued = boost::asio::co_spawn(ioc, db.read(count_job), boost::asio::use_future);
  auto refused = boost::asio::co_spawn(ioc, db.read(count_job), boost::asio::use_future);
  std::thread runner([&] { ioc.run(); });
  REQUIRE(refused.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(refused.get().error().status == 503);
  gate.unlock();
  runner.join();
  blocker.join();
  CHECK(queued.get().ok());
}

TEST_CASE("store: backup writes a consistent copy and refuses to overwrite") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  REQUIRE(db.write_now([](Connection& c) { return insert_thing(c, "kept"); }).ok());
  REQUIRE(backup_database(dir.path + "/db", dir.path + "/copy.db").ok());
  auto copy = Connection::open(dir.path + "/copy.db", true);
  CHECK(count_things(*copy).value() == 1);
  CHECK(backup_database(dir.path + "/db", dir.path + "/copy.db").error().status == 409);
}

TEST_CASE("store: a read job sees one snapshot, even when a write commits between its statements") {
  TempDir dir;
  Executor db(dir.path + "/db", schema(), {.readers = 1});
  REQUIRE(db.write_now([](Connection& c) { return insert_thing(c, "before"); }).ok());
  std::promise<void> first_read_done, write_done;
  auto write_done_future = write_done.get_future();
  bool wrote = false;  // Catch2 assertions are for the test's own thread
  std::thread writer([&] {
    first_read_done.get_future().wait();
    wrote = db.write_now([](Connection& c) { return insert_thing(c, "during"); }).ok();
    write_done.set_value();
  });
  auto counts = db.read_now([&](Connection& c) -> Result<std::pair<std::int64_t, std::int64_t>> {
    auto first = count_things(c);
    first_read_done.set_value();
    write_done_future.wait();  // the write has committed
    auto second = count_things(c);
    return std::pair{first.value(), second.value()};
  });
  writer.join();
  REQUIRE(wrote);
  CHECK(counts.value() == std::pair<std::int64_t, std::int64_t>{1, 1});
  CHECK(db.read_now(count_things).value() == 2);  // the next job sees it
}

TEST_CASE("store: a burst of reads completes in full, resuming each caller on the network thread") {
  TempDir dir;
  Executor db(dir.path + "/db", schema());
  REQUIRE(db.write_now([](Connection& c) { return insert_thing(c, "x"); }).ok());
  boost::asio::io_context ioc(1);
  db.complete_on(ioc.get_executor());
  const auto io_thread = std::make_shared<std::thread::id>();
  constexpr int kJobs = 500;
  int right = 0, on_io_thread = 0;
  for (int i = 0; i < kJobs; ++i) {
    boost::asio::co_spawn(
        ioc,
        [&, i]() -> boost::asio::awaitable<void> {
          auto job = [i](Connection& c) -> Result<std::int64_t> {
            auto n = count_things(c);
            if (!n) return n.error();
            return *n + i;
          };
          auto r = co_await db.read(job);
          if (r.ok() && *r == 1 + i) ++right;
          if (std::this_thread::get_id() == *io_thread) ++on_io_thread;
        },
        boost::asio::detached);
  }
  std::thread runner([&] {
    *io_thread = std::this_thread::get_id();
    ioc.run();
  });
  runner.join();
  CHECK(right == kJobs);
  CHECK(on_io_thread == kJobs);
}

TEST_CASE("store: with two readers, a quick read does not wait behind a slow one") {
  TempDir dir;
  Executor db(dir.path + "/db", schema(), {.readers = 2});
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> slow_started{false};
  boost::asio::io_context ioc;
  auto slow_job = [&](Connection& c) {
    slow_started = true;
    released.wait_for(std::chrono::seconds(10));  // bounded, so a failure cannot hang the suite
    return count_things(c);
  };
  auto slow = boost::asio::co_spawn(ioc, db.read(slow_job), boost::asio::use_future);
  std::thread runner([&] { ioc.run(); });
  while (!slow_started) std::this_thread::yield();
  // Past the 1 ms after which a batch counts as slow, the next job wakes the idle reader.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto quick_job = count_things;
  auto quick = boost::asio::co_spawn(ioc, db.read(quick_job), boost::asio::use_future);
  const bool quick_first = quick.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  CHECK(slow.wait_for(std::chrono::seconds(0)) != std::future_status::ready);
  release.set_value();
  runner.join();
  CHECK(quick_first);
  CHECK(quick.get().ok());
  CHECK(slow.get().ok());
}

TEST_CASE("store: jobs from many threads are never stranded by the wake-up rules") {
  TempDir dir;
  Executor db(dir.path + "/db", schema(), {.readers = 2, .max_queue = 100'000});
  std::atomic<int> done{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const bool write = (i % 10) == 0;
        auto r = write ? db.write_now([&](Connection& c) { return insert_thing(c, std::to_string(t * 1000 + i)); })
                       : db.read_now(count_things);
        if (r.ok()) ++done;
      }
    });
  for (auto& c : callers) c.join();
  CHECK(done == 1200);
  CHECK(db.read_now(count_things).value() == 120);
}

TEST_CASE("store: the WAL is checkpointed by a thread of its own, not by the writer's COMMIT, and every write is timed") {
  TempDir dir;
  const std::string path = dir.path + "/db";
  Executor db(path, schema(), {.checkpoint_pages = 2});
  for (int i = 0; i < 3; ++i)  // each commit appends several pages to the WAL
    REQUIRE(db.write_now([i](Connection& c) { return insert_thing(c, std::string(20'000, char('a' + i))); }).ok());
  db.stop();  // joins the checkpointer after it ran the checkpoint the last commit asked for
  CHECK(db.timings().checkpoint.count() >= 1);
  CHECK(db.timings().write_wait.count() == 3);  // once per job
  CHECK(db.timings().commit.count() >= 1);      // once per group
  CHECK(db.timings().commit.count() <= 3);
  CHECK(db.timings().write_group.count() == db.timings().commit.count());
  // The checkpoint copied every committed page into the database file itself: a copy of that file
  // alone, without its WAL, holds all three rows.
  std::filesystem::copy_file(path, dir.path + "/copy");
  auto copy = Connection::open(dir.path + "/copy", false);
  CHECK(count_things(*copy).value() == 3);
}

TEST_CASE("store: under steady writes the WAL stays bounded: the writer finishes a checkpoint the background one left") {
  // The risk of a checkpoint only on its own thread: a commit lands while it runs, the WAL is
  // not complete at the next BEGIN, so it is not restarted and only grows. (A finishing pass
  // on the writer that raced the thread's, instead of waiting for it, let it reach 68 pages.)
  TempDir dir;
  const std::string path = dir.path + "/db";
  Executor db(path, schema(), {.checkpoint_pages = 4});
  for (int i = 0; i < 60; ++i)
    REQUIRE(db.write_now([i](Connection& c) { return insert_thing(c, std::to_string(i) + std::string(6'000, 'x')); }).ok());
  // A commit here appends about three pages; the WAL restarts once past 2 x 4 pages, so its file
  // (which keeps its largest size) holds a few commits' pages at most, not 60 commits' 180.
  const auto wal_pages = std::filesystem::file_size(path + "-wal") / (4096 + 24);
  CHECK(wal_pages < 40);
  CHECK(db.read_now(count_things).value() == 60);
}

TEST_CASE("store: a WAL that grew while a reader held it is cut back once it restarts") {
  // The 100,000-message soak: with the machine busy, readers in long transactions kept the WAL
  // from restarting, and its file kept its largest size (44 MB) for good. journal_size_limit
  // truncates it when the writer restarts it.
  TempDir dir;
  const std::string path = dir.path + "/db";
  Executor db(path, schema(), {.checkpoint_pages = 4});
  auto reader = Connection::open(path, true);
  REQUIRE(reader->prepare("BEGIN").run().ok());
  REQUIRE(reader->prepare("SELECT count(*) FROM things").step().ok());  // holds its snapshot
  auto slowest = std::chrono::steady_clock::duration::zero();
  for (int i = 0; i < 60; ++i) {
    const auto began = std::chrono::steady_clock::now();
    REQUIRE(db.write_now([i](Connection& c) { return insert_thing(c, std::to_string(i) + std::string(6'000, 'x')); }).ok());
    slowest = std::max(slowest, std::chrono::steady_clock::now() - began);
  }
  // Past four times the mark the writer tries a RESTART, which this reader blocks: it waits
  // 100 ms for it, not the busy timeout (5 s), and then leaves RESTART alone for a second.
  CHECK(slowest < std::chrono::seconds(1));
  const auto frame = 4096 + 24;
  CHECK(std::filesystem::file_size(path + "-wal") / frame > 150);  // nothing could be restarted
  REQUIRE(reader->prepare("COMMIT").run().ok());
  for (int i = 0; i < 6; ++i)
    REQUIRE(db.write_now([i](Connection& c) { return insert_thing(c, "after " + std::to_string(i)); }).ok());
  // Cut to the limit (4 x the mark: 16 pages) at the restart, plus what was written since.
  CHECK(std::filesystem::file_size(path + "-wal") / frame < 30);
  CHECK(db.read_now(count_things).value() == 66);
}
