// The fake homeserver (tests/support/fake_homeserver.mjs) checked on its own: with the official
// matrix-js-sdk as a client, so it behaves like a homeserver and not like our assumptions, and
// with raw requests for what a bridge relies on (txnId idempotency, 429s, appservice retries,
// schema validation).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as sdk from 'matrix-js-sdk';
import { logger as sdkLogger } from 'matrix-js-sdk/lib/logger.js';
import { startFakeHomeserver } from '../support/fake_homeserver.mjs';
import { AppservicePusher } from '../support/fake_appservice_pusher.mjs';

const AS_TOKEN = 'as-secret';
const HS_TOKEN = 'hs-secret';
let hs;
let appservice;   // a stand-in appservice: records transactions, answers with `answers` first

before(async () => {
  appservice = await startRecordingAppservice();
  hs = await startFakeHomeserver({ serverName: 'fake.test', asToken: AS_TOKEN, hsToken: HS_TOKEN,
    hubUrl: appservice.url, appserviceId: 'hub', userPrefix: 'hub', autoRetry: false });
});

after(async () => {
  await hs?.close();
  await appservice?.close();
});

// A request to the fake, as the appservice (optionally masquerading) or with a user's token.
async function call(method, path, { body, token = AS_TOKEN, asUser } = {}) {
  const url = new URL(hs.url + '/_matrix/client/v3' + path);
  if (asUser) url.searchParams.set('user_id', asUser);
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

async function ghost(localpart) {
  const r = await call('POST', '/register', { body: { type: 'm.login.application_service', username: localpart } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.user_id;
}

function publicRoomWith(...userIds) {
  const owner = hs.createUser(`owner${Math.random().toString(36).slice(2, 8)}`);
  const roomId = hs.createRoom(owner, { preset: 'public_chat' });
  for (const u of userIds) hs.join(u, roomId);
  return { owner, roomId };
}

const text = (body) => ({ msgtype: 'm.text', body });

sdkLogger.setLevel('silent');

test('matrix-js-sdk logs in, creates a room, sends, syncs and sees its message, redacts it', async () => {
  hs.createUser('alice', 'alice-password');
  const anonymous = sdk.createClient({ baseUrl: hs.url, logger: quietLogger() });
  const login = await anonymous.loginRequest({ type: 'm.login.password',
    identifier: { type: 'm.id.user', user: 'alice' }, password: 'alice-password' });
  assert.equal(login.user_id, '@alice:fake.test');
  const client = sdk.createClient({ baseUrl: hs.url, logger: quietLogger(), userId: login.user_id,
    accessToken: login.access_token, deviceId: login.device_id });
  assert.equal((await client.whoami()).user_id, '@alice:fake.test');

  const { room_id: roomId } = await client.createRoom({ name: 'Cohort 1', preset: 'private_chat' });
  const { event_id: eventId } = await client.sendMessage(roomId, text('hello from the sdk'));
  assert.match(eventId, /^\$/);

  const seen = new Promise((resolve) => client.on(sdk.RoomEvent.Timeline, (event) => {
    if (event.getId() === eventId) resolve(event);
  }));
  // matrix-js-sdk arms a 110 s timer per /sync request and never clears it (timeoutSignal in
  // http-api/utils.js); unref them, or this file's process lingers after its last test.
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = (...args) => { const t = realSetTimeout(...args); t.unref?.(); return t; };
  await client.startClient({ initialSyncLimit: 10 });
  try {
    const event = await seen;
    assert.equal(event.getContent().body, 'hello from the sdk');
    assert.equal(event.getSender(), '@alice:fake.test');

    const redacted = new Promise((resolve) => client.on(sdk.RoomEvent.Redaction, (ev) => {
      if (ev.event.redacts === eventId || ev.getContent().redacts === eventId) resolve(ev);
    }));
    await client.redactEvent(roomId, eventId, undefined, { reason: 'typo' });
    await redacted;
    assert.deepEqual(hs.room(roomId).timeline.find((e) => e.event_id === eventId).content, {});
    assert.equal(client.getRoom(roomId).findEventById(eventId).isRedacted(), true);
  } finally {
    client.stopClient();
    globalThis.setTimeout = realSetTimeout;
  }
  assert.deepEqual(hs.invalid, [], 'matrix-js-sdk sent only bodies the spec allows');
  assert.deepEqual(hs.warnings, []);
});

test('a resent txnId gets the same event id and no second event; per user, per path', async () => {
  const bob = await ghost('hub_bob');
  const carol = await ghost('hub_carol');
  const { roomId } = publicRoomWith(bob, carol);
  const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`;
  const first = await call('PUT', path, { body: text('once'), asUser: bob });
  const again = await call('PUT', path, { body: text('once'), asUser: bob });
  assert.equal(first.status, 200);
  assert.deepEqual(again.json, first.json);
  const other = await call('PUT', path, { body: text('once'), asUser: carol });
  assert.notEqual(other.json.event_id, first.json.event_id);
  const bodies = hs.room(roomId).timeline.filter((e) => e.type === 'm.room.message').map((e) => e.sender);
  assert.deepEqual(bodies, [bob, carol]);
});

test('429 M_LIMIT_EXCEEDED has retry_after_ms and Retry-After, and applies nothing; a lost 500 did apply', async () => {
  const dan = await ghost('hub_dan');
  const { roomId } = publicRoomWith(dan);
  const before = hs.room(roomId).timeline.length;
  hs.failNext({ status: 429, retryAfterMs: 1500 });
  const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/r1`;
  const limited = await call('PUT', path, { body: text('x'), asUser: dan });
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.json, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 1500 });
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.equal(hs.room(roomId).timeline.length, before);

  hs.failNext({ status: 500, after: true });
  const lost = await call('PUT', path, { body: text('x'), asUser: dan });
  assert.equal(lost.status, 500);
  assert.equal(lost.json.errcode, 'M_UNKNOWN');
  const retried = await call('PUT', path, { body: text('x'), asUser: dan });
  assert.equal(retried.status, 200);
  assert.equal(hs.room(roomId).timeline.filter((e) => e.type === 'm.room.message').length, 1);

  hs.rateLimit({ perSecond: 1, burst: 2 });
  const bucket = [];
  for (let i = 0; i < 3; i++) {
    const r = await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/rl${i}`, { body: text('x'), asUser: dan });
    bucket.push([r.status, r.json.retry_after_ms > 0]);
  }
  hs.calm();
  assert.deepEqual(bucket, [[200, false], [200, false], [429, true]]);

  hs.chaos({ p429: 0.5, p500: 0.25, seed: 7 });
  const statuses = [];
  for (let i = 0; i < 40; i++) statuses.push((await call('GET', '/account/whoami', { asUser: dan })).status);
  hs.calm();
  assert.ok(statuses.includes(429) && statuses.includes(500) && statuses.includes(200), statuses.join());
});

test('authentication and membership errors have the spec shape', async () => {
  const erin = await ghost('hub_erin');
  const { roomId, owner } = publicRoomWith();
  const send = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/a1`;
  assert.equal((await call('GET', '/account/whoami', { token: null })).json.errcode, 'M_MISSING_TOKEN');
  const unknown = await call('GET', '/account/whoami', { token: 'nope' });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.json.errcode, 'M_UNKNOWN_TOKEN');
  const outside = await call('GET', '/account/whoami', { asUser: owner });
  assert.deepEqual([outside.status, outside.json.errcode], [403, 'M_FORBIDDEN']);
  const unregistered = await call('GET', '/account/whoami', { asUser: '@hub_nobody:fake.test' });
  assert.deepEqual([unregistered.status, unregistered.json.errcode], [403, 'M_FORBIDDEN']);
  assert.equal((await call('GET', '/account/whoami', { asUser: erin })).json.user_id, erin);
  const notJoined = await call('PUT', send, { body: text('x'), asUser: erin });
  assert.deepEqual([notJoined.status, notJoined.json.errcode], [403, 'M_FORBIDDEN']);

  const reg = (username, token = AS_TOKEN) => call('POST', '/register',
    { token, body: { type: 'm.login.application_service', username } });
  assert.equal((await reg('hub_erin')).json.errcode, 'M_USER_IN_USE');
  assert.equal((await reg('outsider')).json.errcode, 'M_EXCLUSIVE');
  const squatter = await call('POST', '/register', { token: null,
    body: { username: 'hub_squatter', password: 'pw', auth: { type: 'm.login.dummy' } } });
  assert.deepEqual([squatter.status, squatter.json.errcode], [400, 'M_EXCLUSIVE']);
});

test('a body that breaks the spec schema is 400 M_BAD_JSON and recorded; nothing is applied', async () => {
  const fay = await ghost('hub_fay');
  const { roomId } = publicRoomWith(fay);
  const room = encodeURIComponent(roomId);
  const before = hs.room(roomId).timeline.length;
  const invalidBefore = hs.invalid.length;
  const noMsgtype = await call('PUT', `/rooms/${room}/send/m.room.message/b1`, { body: { body: 'x' }, asUser: fay });
  assert.deepEqual([noMsgtype.status, noMsgtype.json.errcode], [400, 'M_BAD_JSON']);
  assert.match(noMsgtype.json.error, /msgtype/);
  const { event_id: target } = (await call('PUT', `/rooms/${room}/send/m.room.message/b2`, { body: text('ok'), asUser: fay })).json;
  const badEdit = await call('PUT', `/rooms/${room}/send/m.room.message/b3`, { asUser: fay, body: {
    ...text('* fixed'), 'm.relates_to': { rel_type: 'm.replace', event_id: target } } });
  assert.equal(badEdit.json.errcode, 'M_BAD_JSON', 'an edit without m.new_content');
  const badReaction = await call('PUT', `/rooms/${room}/send/m.reaction/b4`, { asUser: fay,
    body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: 'no-dollar', key: '👍' } } });
  assert.equal(badReaction.json.errcode, 'M_BAD_JSON');
  const badName = await call('PUT', `/profile/${encodeURIComponent(fay)}/displayname`, { body: { displayname: 7 }, asUser: fay });
  assert.equal(badName.json.errcode, 'M_BAD_JSON');
  assert.equal(hs.invalid.length - invalidBefore, 4);
  assert.equal(hs.room(roomId).timeline.length, before + 1);

  const reaction = { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key: '👍' } };
  assert.equal((await call('PUT', `/rooms/${room}/send/m.reaction/b5`, { body: reaction, asUser: fay })).status, 200);
  const twice = await call('PUT', `/rooms/${room}/send/m.reaction/b6`, { body: reaction, asUser: fay });
  assert.equal(twice.json.errcode, 'M_DUPLICATE_ANNOTATION');
});

test('appservice transactions: Synapse retries the same txnId with backoff 2 s, 4 s, ... until a 200', async () => {
  const gus = await ghost('hub_gus');
  const { roomId, owner } = publicRoomWith(gus);
  await hs.pushed();
  appservice.transactions.length = 0;
  appservice.answers.push(500, 429);
  const attemptsBefore = hs.pushAttempts.length;
  const event = hs.sendAs(owner, roomId, 'm.room.message', text('from Matrix'));
  await until(() => hs.pushAttempts.length === attemptsBefore + 1);
  assert.equal(hs.appserviceStatus.retryInMs, 2000);
  assert.equal(hs.retryNow(), true);
  await until(() => hs.pushAttempts.length === attemptsBefore + 2);
  assert.equal(hs.appserviceStatus.retryInMs, 4000);
  hs.sendAs(owner, roomId, 'm.room.message', text('queued while down'));
  hs.retryNow();
  await hs.pushed();

  const txns = appservice.transactions;
  assert.deepEqual(txns.map((t) => t.status), [500, 429, 200, 200]);
  assert.equal(new Set(txns.slice(0, 3).map((t) => t.txnId)).size, 1, 'one txnId for the retries');
  assert.equal(new Set(txns.slice(0, 3).map((t) => t.raw)).size, 1, 'the same body each time');
  assert.equal(Number(txns[3].txnId), Number(txns[0].txnId) + 1);
  assert.deepEqual(txns[2].body.events.map((e) => e.event_id), [event.event_id]);
  assert.equal(txns[3].body.events[0].content.body, 'queued while down');
  assert.ok(txns.every((t) => t.authorization === `Bearer ${HS_TOKEN}`));
  assert.equal(hs.appserviceStatus.down, false);

  // A successful ping by the appservice ends the backoff at once (as Synapse since
  // element-hq/synapse#18521): the held transaction goes without retryNow().
  appservice.answers.push(503);
  hs.sendAs(owner, roomId, 'm.room.message', text('held until the ping'));
  await until(() => hs.appserviceStatus.down);
  const ping = await fetch(`${hs.url}/_matrix/client/v1/appservice/hub/ping`, { method: 'POST',
    headers: { authorization: `Bearer ${AS_TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
  assert.equal(ping.status, 200);
  await hs.pushed();
  assert.deepEqual(txns.slice(-2).map((t) => [t.status, t.body.events[0].content.body]),
    [[503, 'held until the ping'], [200, 'held until the ping']]);
  assert.equal(hs.appserviceStatus.down, false);

  // Bad input for the appservice's own tests: raw bytes, another token, no validation.
  await hs.pushTransaction(Buffer.from([0x7b, 0xff, 0x7d]), { txnId: 'raw', token: 'wrong' });
  assert.deepEqual([txns.at(-1).txnId, txns.at(-1).authorization, txns.at(-1).raw], ['raw', 'Bearer wrong', '{\ufffd}']);
  await assert.rejects(hs.pushTransaction([{ type: 'm.room.message' }]), /invalid transaction/);
  await hs.pushTransaction([{ type: 'm.room.message' }], { check: false });

  // Its own ghosts' events come back too, as from Synapse: loop prevention is the hub's job.
  await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/echo1`, { body: text('mine'), asUser: gus });
  await hs.pushed();
  assert.equal(txns.at(-1).body.events[0].sender, gus);
});

test('appservice ping and queries; state, media and avatars', async () => {
  const ping = await fetch(`${hs.url}/_matrix/client/v1/appservice/hub/ping`, { method: 'POST',
    headers: { authorization: `Bearer ${AS_TOKEN}`, 'content-type': 'application/json' }, body: '{"transaction_id":"p1"}' });
  assert.equal(ping.status, 200);
  assert.equal(typeof (await ping.json()).duration_ms, 'number');
  assert.deepEqual(appservice.other.at(-1), { path: '/_matrix/app/v1/ping', body: { transaction_id: 'p1' }, authorization: `Bearer ${HS_TOKEN}` });
  const wrongId = await fetch(`${hs.url}/_matrix/client/v1/appservice/other/ping`, { method: 'POST',
    headers: { authorization: `Bearer ${AS_TOKEN}` }, body: '{}' });
  assert.equal(wrongId.status, 403);

  const ivy = await ghost('hub_ivy');
  const unknownAlias = await call('POST', `/join/${encodeURIComponent('#hub_nowhere:fake.test')}`, { body: {}, asUser: ivy });
  assert.deepEqual([unknownAlias.status, unknownAlias.json.errcode], [404, 'M_NOT_FOUND']);
  assert.deepEqual(hs.queries.at(-1), { kind: 'aliases', id: '#hub_nowhere:fake.test', status: 404 });

  const { roomId } = publicRoomWith(ivy);
  const room = encodeURIComponent(roomId);
  const named = await call('PUT', `/rooms/${room}/state/m.room.name`, { body: { name: 'Mine' }, asUser: ivy });
  assert.deepEqual([named.status, named.json.errcode], [403, 'M_FORBIDDEN'], 'power level 0 may not set state');
  const topic = await call('GET', `/rooms/${room}/state/m.room.create/`, { asUser: ivy });
  assert.equal(topic.json.room_version, '10');

  const upload = await fetch(`${hs.url}/_matrix/media/v3/upload?user_id=${encodeURIComponent(ivy)}`, { method: 'POST',
    headers: { authorization: `Bearer ${AS_TOKEN}`, 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50]) });
  const { content_uri: avatar } = await upload.json();
  assert.match(avatar, /^mxc:\/\/fake\.test\//);
  const set = await call('PUT', `/profile/${encodeURIComponent(ivy)}/avatar_url`, { body: { avatar_url: avatar }, asUser: ivy });
  assert.equal(set.status, 200);
  const member = hs.room(roomId).timeline.at(-1);
  assert.deepEqual([member.type, member.state_key, member.content.avatar_url, member.content.displayname],
    ['m.room.member', ivy, avatar, 'hub_ivy']);
  assert.deepEqual(member.unsigned.prev_content, { membership: 'join', displayname: 'hub_ivy' });
  const members = await call('GET', `/rooms/${room}/joined_members`, { asUser: ivy });
  assert.deepEqual(members.json.joined[ivy], { display_name: 'hub_ivy', avatar_url: avatar });

  // Room version 11 moved `redacts` into the content; 10 keeps it at the top level.
  for (const version of ['10', '11']) {
    const { owner, roomId: r } = publicRoomWith();
    const target = hs.sendAs(owner, r, 'm.room.message', text('oops'));
    hs.room(r).version = version;
    const redaction = hs.redactAs(owner, r, target.event_id, 'typo');
    assert.deepEqual([redaction.redacts, redaction.content], version === '10'
      ? [target.event_id, { reason: 'typo' }] : [undefined, { reason: 'typo', redacts: target.event_id }]);
    assert.deepEqual(target.content, {});
    assert.equal(target.unsigned.redacted_because.event_id, redaction.event_id);
  }
});

test('appservice backoff doubles from 2 s and stops growing at 512 s, as Synapse does', async () => {
  const pusher = new AppservicePusher({ send: async () => ({ status: 503 }), validate: () => '', autoRetry: false });
  pusher.start();
  pusher.push([{ type: 'm.room.message' }]);
  const delays = [];
  for (let i = 0; i < 11; i++) {
    await until(() => pusher.attempts.length === i + 1);
    delays.push(pusher.status().retryInMs / 1000);
    pusher.retryNow();
  }
  pusher.close();
  assert.deepEqual(delays, [2, 4, 8, 16, 32, 64, 128, 256, 512, 512, 512]);
  assert.deepEqual(new Set(pusher.attempts.map((a) => a.txnId)), new Set(['1']));
});

test('/sync: a long poll wakes on a new event; more than the limit is limited, gap-filled by /messages', async () => {
  const hal = hs.createUser('hal', 'pw');
  const token = hs.tokenFor(hal);
  const { roomId, owner } = publicRoomWith(hal);
  const sync = (q) => call('GET', `/sync?${new URLSearchParams(q)}`, { token });
  const filter = JSON.stringify({ room: { rooms: [roomId], timeline: { limit: 5 } } });
  const first = await sync({ filter });
  assert.ok(first.json.rooms.join[roomId]);

  const polling = sync({ filter, since: first.json.next_batch, timeout: '30000' });
  const sent = hs.sendAs(owner, roomId, 'm.room.message', text('wake up'));
  const woken = await polling;
  assert.deepEqual(woken.json.rooms.join[roomId].timeline.events.map((e) => e.event_id), [sent.event_id]);
  assert.equal(woken.json.rooms.join[roomId].timeline.limited, false);

  const ids = [];
  for (let i = 0; i < 12; i++) ids.push(hs.sendAs(owner, roomId, 'm.room.message', text(`m${i}`)).event_id);
  const burst = await sync({ filter, since: woken.json.next_batch });
  const timeline = burst.json.rooms.join[roomId].timeline;
  assert.equal(timeline.limited, true);
  assert.deepEqual(timeline.events.map((e) => e.event_id), ids.slice(-5));
  const gap = await call('GET', `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=4&from=${timeline.prev_batch}`, { token });
  assert.deepEqual(gap.json.chunk.map((e) => e.event_id), ids.slice(3, 7).reverse());
  const rest = await call('GET', `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=3&from=${gap.json.end}`, { token });
  assert.deepEqual(rest.json.chunk.map((e) => e.event_id), ids.slice(0, 3).reverse());

  await call('PUT', `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/hal-1`, { body: text('own'), token });
  const own = await sync({ filter, since: burst.json.next_batch });
  assert.equal(own.json.rooms.join[roomId].timeline.events[0].unsigned.transaction_id, 'hal-1');
  const othersView = await call('GET', `/sync?${new URLSearchParams({ filter, since: burst.json.next_batch })}`,
    { token: hs.tokenFor(hal) });
  assert.equal(othersView.json.rooms.join[roomId].timeline.events[0].unsigned.transaction_id, undefined,
    'another device of the same user does not see the txnId');

  const late = hs.waitFor(() => hs.room(roomId).timeline.some((e) => e.content.body === 'late'), { what: 'late' });
  hs.sendAs(owner, roomId, 'm.room.message', text('late'));
  await late;
  await assert.rejects(hs.waitFor(() => false, { timeoutMs: 1, what: 'nothing' }), /timed out waiting for nothing/);

  const caughtUp = await sync({ filter, since: own.json.next_batch });
  const quiet = await sync({ filter, since: caughtUp.json.next_batch, timeout: '0' });
  assert.deepEqual(quiet.json.rooms.join, {});
  assert.equal(quiet.json.next_batch, `s${hs.pos}`);
});

// ---- helpers ----

async function startRecordingAppservice() {
  const transactions = [];
  const answers = [];
  const other = [];   // pings and queries: {path, body, authorization}
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (!req.url.startsWith('/_matrix/app/v1/transactions/')) {
      other.push({ path: decodeURIComponent(req.url), body: raw ? JSON.parse(raw) : null, authorization: req.headers.authorization });
      const found = req.url.endsWith('/ping');
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
      res.end(found ? '{}' : JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'no such thing' }));
      return;
    }
    const status = answers.length ? answers.shift() : 200;
    const txnId = decodeURIComponent(req.url.split('/').pop());
    let body = null;
    try { body = JSON.parse(raw); } catch { /* a bad-input test sent bytes */ }
    transactions.push({ txnId, raw, body, status, authorization: req.headers.authorization });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? '{}' : JSON.stringify({ errcode: 'M_UNKNOWN', error: 'test says no' }));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, transactions, answers, other,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

// Waits for a condition driven by I/O already under way (no timers involved on our side).
async function until(cond) {
  const deadline = Date.now() + 5000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition never held');
}

function quietLogger() {
  const noop = () => {};
  const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, getChild: () => logger };
  return logger;
}
