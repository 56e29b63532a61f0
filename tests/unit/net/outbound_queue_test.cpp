// The bounded WebSocket outbound queue, without sockets.
#include <catch2/catch.hpp>

#include "hub/net/outbound_queue.hpp"

using hub::net::outbound_queue;
using result = outbound_queue::push_result;

namespace {
std::shared_ptr<const std::string> msg(std::size_t n) { return std::make_shared<const std::string>(n, 'm'); }
}  // namespace

TEST_CASE("outbound_queue: the first push wakes the writer, later ones queue behind it") {
  outbound_queue q(10, 1000);
  CHECK(q.push(msg(1)) == result::wake_writer);
  CHECK(q.push(msg(1)) == result::queued);
  CHECK(q.pop());
  CHECK(q.pop());
  CHECK_FALSE(q.pop());  // the writer is idle again...
  CHECK(q.push(msg(1)) == result::wake_writer);  // ...so the next push wakes it
}

TEST_CASE("outbound_queue: more messages than allowed overflows, empties and closes the queue") {
  outbound_queue q(3, 1000);
  for (int i = 0; i < 3; ++i) CHECK(q.push(msg(1)) != result::overflow);
  CHECK(q.push(msg(1)) == result::overflow);
  CHECK_FALSE(q.pop());
  CHECK(q.push(msg(1)) == result::closed);
}

TEST_CASE("outbound_queue: more bytes than allowed overflows, popping frees bytes") {
  outbound_queue q(100, 100);
  CHECK(q.push(msg(60)) == result::wake_writer);
  CHECK(q.pop());                              // 60 bytes leave the queue (now in flight)
  CHECK(q.push(msg(60)) == result::queued);    // the writer has not reported idle
  CHECK(q.push(msg(41)) == result::overflow);  // 101 queued bytes
}

TEST_CASE("outbound_queue: a shared broadcast string is queued, not copied") {
  outbound_queue a(10, 1000), b(10, 1000);
  auto shared = msg(50);
  a.push(shared);
  b.push(shared);
  CHECK(a.pop().get() == shared.get());
  CHECK(b.pop().get() == shared.get());
}

TEST_CASE("outbound_queue: close() drops what is queued and refuses more") {
  outbound_queue q(10, 1000);
  q.push(msg(1));
  q.close();
  CHECK_FALSE(q.pop());
  CHECK(q.push(msg(1)) == result::closed);
}
