// A worker thread of WebSocket clients for the discussion benchmarks (see discussion_bench_lib.mjs).
// A minimal client on raw sockets: Node's `ws` parses and copies every frame, and 1,000 of them on
// this machine measure the client, not the server. This one only finds the send time (ms since the
// epoch) in each text frame and records the latency; it answers pings and nothing else.
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from 'node:net';

const { url, headers, count, subscribe, mode } = workerData;
const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let received = 0, closed = 0;
const sockets = [];
// Hub frames carry the message body "bench <time> <k>"; ceiling frames start {"t":<time>.
const MARK = Buffer.from(mode === 'hub' ? '"body":"bench ' : '{"t":');

function masked(opcode, payload) {  // client frames must be masked; an all-zero key is allowed
  const body = Buffer.from(payload);
  const head = body.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | body.length])
    : Buffer.from([0x80 | opcode, 0x80 | 126, body.length >> 8, body.length & 255]);
  return Buffer.concat([head, Buffer.alloc(4), body]);
}

function readNumber(buf, at, end) {
  let v = 0, frac = 0, scale = 1;
  for (let i = at; i < end; i++) {
    const c = buf[i];
    if (c === 46) { frac = 1; continue; }
    if (c < 48 || c > 57) break;
    if (frac) { scale /= 10; v += (c - 48) * scale; } else v = v * 10 + (c - 48);
  }
  return v;
}

function open() {
  return new Promise((ready, fail) => {
    const u = new URL(url);
    const sock = connect(Number(u.port), u.hostname);
    sockets.push(sock);
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    sock.on('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    });
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101')) return fail(new Error(buf.subarray(0, end).toString()));
        upgraded = true;
        buf = buf.subarray(end + 4);
        if (subscribe) sock.write(masked(1, JSON.stringify(subscribe))); else ready();
      }
      let at = 0;
      const t = now();
      while (buf.length - at >= 2) {
        const op = buf[at] & 15;
        let len = buf[at + 1] & 127, hdr = 2;
        if (len === 126) { if (buf.length - at < 4) break; len = buf.readUInt16BE(at + 2); hdr = 4; }
        else if (len === 127) { if (buf.length - at < 10) break; len = Number(buf.readBigUInt64BE(at + 2)); hdr = 10; }
        if (buf.length - at < hdr + len) break;
        const start = at + hdr, end = start + len;
        if (op === 9) sock.write(masked(10, buf.subarray(start, end)));
        else if (op === 1) {
          const m = buf.indexOf(MARK, start);
          if (m >= 0 && m < end) {
            received++;
            latencies.push(t - readNumber(buf, m + MARK.length, end));
          } else if (buf.indexOf('"subscribed"', start) >= 0 && buf.indexOf('"subscribed"', start) < end) ready();
        } else if (op === 8) sock.end();
        at = end;
      }
      buf = buf.subarray(at);
    });
    sock.on('close', () => { closed++; });
    sock.on('error', (e) => fail(e));
  });
}

for (let i = 0; i < count; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, count - i) }, open));
}
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  if (m === 'report') {
    parentPort.postMessage({ received, closed, latencies: latencies.splice(0) });
    received = 0;
  }
  if (m === 'close') {
    for (const s of sockets) s.destroy();
    parentPort.postMessage({ closed: true });
  }
});
