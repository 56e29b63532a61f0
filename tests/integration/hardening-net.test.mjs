// The network edge against a real cohorthub process (issue 10): Host header rules, undecodable
// query strings, /metrics for admins only, per-address connection caps, JSON log lines, and a
// shutdown while CPU jobs are still running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { startHub, Client } from '../support/server.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const PER_IP = 3;
const LIVE_PER_USER = 2;
// fetch() keeps connections from 127.0.0.1 open between tests; the caps are tested from other
// loopback addresses (all of 127.0.0.0/8 is loopback on Linux).
const CAPPED = '127.0.0.2', OTHER = '127.0.0.3', LIVE_FROM = '127.0.0.4';
let hub;

function endpoint(url) {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

// Sends raw bytes and returns the raw response text once the server closes (or after 5 s).
function raw(bytes, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ ...endpoint(hub.url), localAddress }, () => socket.write(bytes));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    socket.setTimeout(5000, () => { socket.destroy(); resolve(data); });
  });
}

function statusOf(text) {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

function bodyOf(text) {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

// An open keep-alive connection that has had one request answered (so the hub has counted it).
function openConnection({ localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ ...endpoint(hub.url), localAddress }, () =>
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      data += d;
      if (data.includes('\r\n\r\n')) resolve({ socket, status: statusOf(data), text: data });
    });
    socket.on('error', reject);
    socket.on('end', () => resolve({ socket, status: statusOf(data), text: data }));
  });
}

async function adminClient() {
  const c = new Client(hub.url);
  assert.equal((await c.post('/api/login', ADMIN)).status, 200);
  return c;
}

before(async () => {
  hub = await startHub({
    admin: ADMIN,
    env: {
      COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '200',
      COHORTHUB_SERVER_MAX_CONNECTIONS_PER_IP: String(PER_IP),
      COHORTHUB_SERVER_MAX_LIVE_PER_USER: String(LIVE_PER_USER),
    },
  });
});
after(async () => { await hub?.stop(); });

test('HTTP/1.1 without a Host header, or with two, gets 400 (RFC 9112 section 3.2)', async () => {
  const none = await raw('GET /healthz HTTP/1.1\r\n\r\n');
  assert.equal(statusOf(none), 400, none);
  assert.equal(bodyOf(none).error.code, 'bad_request');
  const two = await raw('GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n');
  assert.equal(statusOf(two), 400, two);
  const twoOld = await raw('GET /healthz HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n');
  assert.equal(statusOf(twoOld), 400, twoOld);
  // HTTP/1.0 predates Host; one Host is what every client sends.
  assert.equal(statusOf(await raw('GET /healthz HTTP/1.0\r\n\r\n')), 200);
  assert.equal(statusOf(await raw('GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')), 200);
});

test('a query key or value that does not percent-decode is a 400 bad_request on every route', async () => {
  const admin = await adminClient();
  for (const q of ['limit=%zz', 'limit=%4', 'limit=%00', '%zz=1', 'x=1&cursor=%g0']) {
    const r = await admin.get(`/api/cohorts?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.json.error.code, 'bad_request', q);
  }
  const anon = new Client(hub.url);
  assert.equal((await anon.get('/healthz?a=%zz')).status, 400);
  assert.equal((await anon.get('/api/me?a=%zz')).status, 400);  // before authentication, too
  // Well-formed escapes and '+' are fine; a bad number stays the route's own 400.
  assert.equal((await admin.get('/api/cohorts?limit=%32%30')).status, 200);
  assert.equal((await admin.get('/api/cohorts?x=a+b%20c')).status, 200);
  assert.equal((await admin.get('/api/cohorts?limit=abc')).status, 400);
});

test('/metrics answers admins only, even from loopback', async () => {
  const anon = await new Client(hub.url).get('/metrics');
  assert.equal(anon.status, 401, anon.text);
  assert.equal(anon.json.error.code, 'unauthenticated');
  const admin = await (await adminClient()).get('/metrics');
  assert.equal(admin.status, 200);
  assert.match(admin.text, /cohorthub_connections_open \d+/);
});

test('connections per client address are capped; another address still gets in', async () => {
  const held = [];
  try {
    for (let i = 0; i < PER_IP; i++) {
      const c = await openConnection({ localAddress: CAPPED });
      held.push(c.socket);
      assert.equal(c.status, 200, c.text);
    }
    const refused = await openConnection({ localAddress: CAPPED });
    held.push(refused.socket);
    assert.equal(refused.status, 503, refused.text);
    assert.equal(bodyOf(refused.text).error.code, 'unavailable');

    const other = await openConnection({ localAddress: OTHER });
    held.push(other.socket);
    assert.equal(other.status, 200, other.text);
  } finally {
    for (const s of held) s.destroy();
  }
  // Closing frees the places again.
  let again;
  for (let i = 0; i < 50; i++) {
    again = await openConnection({ localAddress: CAPPED });
    again.socket.destroy();
    if (again.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(again.status, 200);
});

test('live sockets per user are capped: the next upgrade gets 429', async () => {
  const admin = await adminClient();
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const open = () => new Promise((resolve) => {
    const ws = new WebSocket(hub.url.replace(/^http/, 'ws') + '/api/live',
      { headers: { cookie, origin: hub.url }, localAddress: LIVE_FROM });
    ws.on('error', () => {});
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode }));
  });
  const first = await open(), second = await open();
  assert.equal(first.status, 101);
  assert.equal(second.status, 101);
  const third = await open();
  assert.equal(third.status, 429);
  first.ws.close();
  await new Promise((r) => first.ws.once('close', r));
  let again;
  for (let i = 0; i < 50; i++) {
    again = await open();
    if (again.status === 101) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(again.status, 101);
  second.ws.close();
  again.ws.close();
});

test('every line the hub writes to stderr is one JSON object, the open-files limit among them', async () => {
  const lines = hub.logs().split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 0);
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), line);
  const nofile = lines.map((l) => JSON.parse(l)).find((o) => o.what === 'net' && o.event === 'open_files_limit');
  assert.ok(nofile, hub.logs());
  assert.ok(nofile.soft >= nofile.wanted || nofile.soft === nofile.hard, JSON.stringify(nofile));
});

test('a shutdown while CPU jobs still run exits cleanly', async () => {
  // One CPU thread and an expensive password hash: the logins queue up behind each other and
  // outlast the 1 s shutdown deadline, so the event loop stops with CPU jobs still running.
  const slowAdmin = { handle: 'slow', password: 'correct horse battery staple' };
  const slow = await startHub({
    admin: slowAdmin,
    env: {
      COHORTHUB_AUTH_SCRYPT_LOG2_N: '17',
      COHORTHUB_CPU_THREADS: '1',
      COHORTHUB_SERVER_SHUTDOWN_TIMEOUT_S: '1',
      COHORTHUB_AUTH_LOGIN_BURST_PER_HANDLE: '100',
      COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '100',
    },
  });
  const logins = [];
  for (let i = 0; i < 8; i++) logins.push(new Client(slow.url).post('/api/login', slowAdmin).catch(() => null));
  await new Promise((r) => setTimeout(r, 300));
  const exit = await slow.stop();
  await Promise.all(logins);
  assert.doesNotMatch(slow.logs(), /AddressSanitizer|runtime error|terminate called/);
  assert.deepEqual(exit, { code: 0, signal: null }, slow.logs());
});
