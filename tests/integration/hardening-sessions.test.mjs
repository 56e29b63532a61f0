// Issue 10, sessions and accounts, against real cohorthub processes: forgetting a credential
// closes its /api/live sockets and leaving a cohort ends that cohort's subscriptions (hole 5);
// login throttling behind a trusted proxy (hole 11); an API token is never a session cookie (hole 17).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, Client } from '../support/server.mjs';
import { openLive } from '../support/live.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const PASSWORD = 'a long enough passphrase';

async function register(hub, admin, handle, cohort) {
  const code = (await admin.post('/api/invites', { role: 'member', ...(cohort ? { cohort_id: cohort } : {}) })).json.code;
  const c = new Client(hub.url);
  const r = await c.post('/api/register', { invite_code: code, handle, display_name: handle.toUpperCase(), password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  return c;
}

const cookieOf = (client) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

// A /api/live connection (tests/support/live.mjs).
function live(hub, headers) {
  return openLive(hub.url, headers);
}

const subscribed = (f) => f.some((x) => x.type === 'subscribed');
const isClosed = (_f, closed) => closed !== null;

async function subscribe(socket, channels) {
  await socket.opened;
  socket.send({ subscribe: channels });
  await socket.until(subscribed);
}

describe('credentials and memberships end live access', () => {
  let hub, admin, cohortId, channel, lobby;
  before(async () => {
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '500' } });
    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    cohortId = (await admin.post('/api/cohorts', { name: 'Live cohort', starts_on: '2026-01-05' })).json.cohort.id;
    channel = (await admin.post('/api/channels', { name: 'cohort-room', cohort_id: cohortId })).json.channel.id;
    lobby = (await admin.post('/api/channels', { name: 'lobby' })).json.channel.id;
  });
  after(async () => { await hub?.stop(); });

  test('an API token used as a bearer token is not then accepted as a session cookie', async () => {
    const sam = await register(hub, admin, 'tokenuser');
    const token = (await sam.post('/api/tokens', { name: 'ci' })).json.token;
    const asBearer = await fetch(hub.url + '/api/me', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(asBearer.status, 200);
    const asCookie = await fetch(hub.url + '/api/me', { headers: { cookie: `ch_session=${token}` } });
    assert.equal(asCookie.status, 401);
    const write = await fetch(hub.url + '/api/tokens', {
      method: 'POST', headers: { cookie: `ch_session=${token}`, 'content-type': 'application/json', origin: hub.url },
      body: JSON.stringify({ name: 'stolen' }),
    });
    assert.equal(write.status, 401);
  });

  test('logout closes the live sockets of that session, and only those', async () => {
    const first = await register(hub, admin, 'logoutuser', cohortId);
    const second = new Client(hub.url);
    assert.equal((await second.post('/api/login', { handle: 'logoutuser', password: PASSWORD })).status, 200);
    const a = live(hub, { cookie: cookieOf(first), origin: hub.url });
    const b = live(hub, { cookie: cookieOf(second), origin: hub.url });
    await subscribe(a, [channel]);
    await subscribe(b, [channel]);
    assert.equal((await first.post('/api/logout', {})).status, 204);
    await a.until(isClosed);
    assert.equal(a.closed.code, 1008);
    const posted = (await admin.post(`/api/channels/${channel}/messages`, { body: 'still here?' })).json;
    await b.until((f) => f.some((x) => x.type === 'event' && x.seq === posted.seq));
    assert.equal(b.closed, null);
    b.ws.close();
  });

  test('revoking an API token closes the live sockets opened with it', async () => {
    const sam = await register(hub, admin, 'revokeuser', cohortId);
    const made = (await sam.post('/api/tokens', { name: 'bot' })).json;
    const other = (await sam.post('/api/tokens', { name: 'other bot' })).json;
    const a = live(hub, { authorization: `Bearer ${made.token}` });
    const b = live(hub, { authorization: `Bearer ${other.token}` });
    await subscribe(a, [channel]);
    await subscribe(b, [channel]);
    assert.equal((await sam.del(`/api/tokens/${made.id}`)).status, 204);
    await a.until(isClosed);
    assert.equal(a.closed.code, 1008);
    const posted = (await admin.post(`/api/channels/${channel}/messages`, { body: 'for the other bot' })).json;
    await b.until((f) => f.some((x) => x.type === 'event' && x.seq === posted.seq));
    assert.equal(b.closed, null);
    b.ws.close();
  });

  test("removing a member from a cohort ends that cohort's subscriptions on their live sockets", async () => {
    const sam = await register(hub, admin, 'leaver', cohortId);
    const samId = (await sam.get('/api/me')).json.id;
    const socket = live(hub, { cookie: cookieOf(sam), origin: hub.url });
    await subscribe(socket, [channel, lobby]);
    const removed = await admin.del(`/api/cohorts/${cohortId}/members/${samId}`);
    assert.equal(removed.status, 204, removed.text);
    await socket.until((f) => f.some((x) => x.type === 'unsubscribed'));
    assert.deepEqual(socket.frames.find((x) => x.type === 'unsubscribed').channels, [channel]);
    const secret = (await admin.post(`/api/channels/${channel}/messages`, { body: 'members only' })).json;
    const open = (await admin.post(`/api/channels/${lobby}/messages`, { body: 'for everyone' })).json;
    await socket.until((f) => f.some((x) => x.type === 'event' && x.seq === open.seq));
    assert.ok(!socket.events().some((x) => x.seq === secret.seq), 'an event of the left cohort was delivered');
    assert.equal((await sam.get(`/api/cohorts/${cohortId}`)).status, 404);
    // Only admins remove members; a second removal finds nothing.
    const lee = await register(hub, admin, 'leeremoval', cohortId);
    assert.equal((await lee.del(`/api/cohorts/${cohortId}/members/${samId}`)).status, 403);
    assert.equal((await admin.del(`/api/cohorts/${cohortId}/members/${samId}`)).status, 404);
    socket.ws.close();
  });
});

describe('login throttling behind a trusted proxy', () => {
  let hub, admin;
  const login = (handle, password, forwardedFor) => fetch(hub.url + '/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: hub.url, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ handle, password }),
  });
  before(async () => {
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_SERVER_TRUSTED_PROXIES: '127.0.0.1, ::1' } });
    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    await register(hub, admin, 'victim');
  });
  after(async () => { await hub?.stop(); });

  test('each client behind the proxy has its own address bucket', async () => {
    for (let i = 0; i < 10; ++i) assert.equal((await login(`nobody${i}`, 'wrong password', '198.51.100.7')).status, 401);
    assert.equal((await login('nobody', 'wrong password', '198.51.100.7')).status, 429);
    // The proxy appends the client it saw; what the client claimed before that is not believed.
    assert.equal((await login('nobody', 'wrong password', '10.9.9.9, 198.51.100.7')).status, 429);
    assert.equal((await login('nobody', 'wrong password', '198.51.100.8')).status, 401);
  });

  test('IPv6 clients share a bucket per /64', async () => {
    for (let i = 0; i < 10; ++i) assert.equal((await login(`v6user${i}`, 'wrong password', '2001:db8:1:2::1')).status, 401);
    assert.equal((await login('v6user', 'wrong password', '2001:db8:1:2:ffff::9')).status, 429);
    assert.equal((await login('v6user', 'wrong password', '2001:db8:1:3::1')).status, 401);
  });

  test("five wrong passwords from one client do not lock the user out from another", async () => {
    for (let i = 0; i < 5; ++i) assert.equal((await login('victim', 'wrong password', '203.0.113.5')).status, 401);
    assert.equal((await login('victim', 'wrong password', '203.0.113.5')).status, 429);
    assert.equal((await login('victim', PASSWORD, '203.0.113.66')).status, 200);
  });
});

describe('login throttling without a trusted proxy', () => {
  let hub;
  before(async () => { hub = await startHub({ admin: ADMIN }); });
  after(async () => { await hub?.stop(); });

  test('X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
    const attempt = (i) => fetch(hub.url + '/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: hub.url, 'x-forwarded-for': `198.51.100.${i}` },
      body: JSON.stringify({ handle: `spoof${i}`, password: 'wrong password' }),
    });
    for (let i = 0; i < 10; ++i) assert.equal((await attempt(i)).status, 401);
    assert.equal((await attempt(99)).status, 429);
  });
});

test('a scrypt cost below N=2^17 is refused at start-up without the test-only escape', async () => {
  await assert.rejects(
    startHub({ env: { COHORTHUB_AUTH_SCRYPT_LOG2_N: '16', COHORTHUB_TEST_INSECURE_SCRYPT: '' } }),
    /auth\.scrypt_log2_n must be at least 17/);
});
