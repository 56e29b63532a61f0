// The Matrix bridge end to end: a real hub and a small homeserver stand-in on loopback (it speaks
// the client-server calls the appservice makes and pushes appservice transactions). The
// spec-validated fake homeserver (tests/support/fake_homeserver.mjs) replaces it once it lands.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, Client, cli } from '../support/server.mjs';
import { launchChromium } from '../support/browser.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const ROOM = '!general:hs.test';
const PROVENANCE = 'org.cohorthub.provenance';

// The homeserver side: records what the hub sends, answers like a homeserver, and can refuse the
// next sends with 429 M_LIMIT_EXCEEDED.
class Homeserver {
  constructor() {
    this.events = [];          // {type, sender, content, txn, redacts?}
    this.byTxn = new Map();    // `${sender} ${txn}` -> event id: a resent txnId is the same event
    this.registered = new Set();
    this.displayNames = new Map();
    this.limitNext = 0;
    this.limited = 0;
    this.waiters = [];
    this.asToken = '';
    this.problems = [];        // requests a homeserver would refuse; none expected
    this.server = createServer((req, res) => this.handle(req, res));
  }
  async listen() {
    await new Promise((ok) => this.server.listen(0, '127.0.0.1', ok));
    return `http://127.0.0.1:${this.server.address().port}`;
  }
  close() { return new Promise((ok) => this.server.close(ok)); }
  // Resolves with the first recorded event that `pred` accepts (now or when it arrives).
  wait(pred, what = 'an event') {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}: ${JSON.stringify(this.events)}`)), 10_000);
      this.waiters.push({ pred, ok: (e) => { clearTimeout(timer); ok(e); } });
    });
  }
  record(e) {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.ok(e), false) : true));
  }
  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const url = new URL(req.url, 'http://hs');
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    const send = (status, json) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(json)); };
    if (req.headers.authorization !== `Bearer ${this.asToken}`) return send(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'bad as_token' });
    const user = url.searchParams.get('user_id');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (req.method === 'POST' && url.pathname === '/_matrix/client/v3/register') {
      if (body.type !== 'm.login.application_service') this.problems.push(`register type ${body.type}`);
      const id = `@${body.username}:hs.test`;
      if (this.registered.has(id)) return send(400, { errcode: 'M_USER_IN_USE', error: 'taken' });
      this.registered.add(id);
      return send(200, { user_id: id });
    }
    if (req.method === 'PUT' && parts[4] === 'profile' && parts[6] === 'displayname') {
      this.displayNames.set(parts[5], body.displayname);
      return send(200, {});
    }
    if (req.method === 'POST' && parts[4] === 'rooms' && parts[6] === 'join') return send(200, { room_id: parts[5] });
    if (req.method === 'PUT' && parts[4] === 'rooms' && (parts[6] === 'send' || parts[6] === 'redact')) {
      if (!this.registered.has(user) && user !== '@cohorthub:hs.test') this.problems.push(`unregistered sender ${user}`);
      if (this.limitNext > 0) {
        this.limitNext -= 1;
        this.limited += 1;
        return send(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 300 });
      }
      const txn = parts[8];
      const key = `${user} ${txn}`;
      if (!this.byTxn.has(key)) {
        const eventId = `$hs${this.events.length + 1}`;
        this.byTxn.set(key, eventId);
        if (!body[PROVENANCE]) this.problems.push(`no provenance key on ${JSON.stringify(body)}`);
        const e = parts[6] === 'send'
          ? { event_id: eventId, type: parts[7], sender: user, content: body, txn, room: parts[5] }
          : { event_id: eventId, type: 'm.room.redaction', sender: user, redacts: parts[7], txn, room: parts[5] };
        this.record(e);
      }
      return send(200, { event_id: this.byTxn.get(key) });
    }
    send(404, { errcode: 'M_UNRECOGNIZED', error: `${req.method} ${url.pathname}` });
  }
}

describe('Matrix bridge', { timeout: 90_000 }, () => {
  let hub, hs, admin, channel, hsToken, pushes = 0;

  const push = (events, txn = `t${++pushes}`, token = hsToken) =>
    fetch(`${hub.url}/_matrix/app/v1/transactions/${encodeURIComponent(txn)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
  const message = (id, content, sender = '@bob:hs.test') =>
    ({ type: 'm.room.message', event_id: id, room_id: ROOM, sender, origin_server_ts: 1, content });
  const items = async () => (await admin.get(`/api/channels/${channel}/messages`)).json.items;

  before(async () => {
    hs = new Homeserver();
    const hsUrl = await hs.listen();
    const env = { COHORTHUB_MATRIX_HOMESERVER_URL: hsUrl, COHORTHUB_MATRIX_SERVER_NAME: 'hs.test' };
    const dataDir = mkdtempSync(join(tmpdir(), 'cohorthub-matrix-'));
    cli(['init', '--data-dir', dataDir], { env });
    cli(['admin', 'create-admin', '--data-dir', dataDir, '--handle', ADMIN.handle],
      { env: { ...env, COHORTHUB_ADMIN_PASSWORD: ADMIN.password } });
    const yaml = cli(['bridge', 'matrix-registration', '--data-dir', dataDir], { env });
    assert.equal(cli(['bridge', 'matrix-registration', '--data-dir', dataDir], { env }), yaml, 'idempotent');
    hsToken = /^hs_token: (\S+)$/m.exec(yaml)[1];
    hs.asToken = /^as_token: (\S+)$/m.exec(yaml)[1];
    assert.match(yaml, /regex: "@cohorthub_\.\*:hs\\\\.test"/);
    assert.equal(statSync(join(dataDir, 'keys', 'matrix-hs-token')).mode & 0o077, 0);
    assert.equal(readFileSync(join(dataDir, 'matrix-registration.yaml'), 'utf8'), yaml);
    hub = await startHub({ dataDir, env });
    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    channel = (await admin.post('/api/channels', { name: 'general' })).json.channel.id;
    // The admin mapping API is the lead's; until it is in, the mapping goes straight into the database.
    const mapped = await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'matrix', remote_id: ROOM });
    if (mapped.status !== 201) {
      execFileSync('sqlite3', [join(dataDir, 'cohorthub.db'),
        `PRAGMA busy_timeout=5000; INSERT INTO bridge_mappings (channel_id, network, remote_room, created_by, created_at) VALUES (${channel}, 'matrix', '${ROOM}', 1, 0);`]);
    }
  });
  after(async () => {
    assert.deepEqual(hs?.problems ?? [], []);
    const exit = await hub?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, hub?.logs());
    await hs?.close();
  });

  it('a hub message appears in the room as its author\'s ghost, with HTML and a provenance key', async () => {
    const posted = await admin.post(`/api/channels/${channel}/messages`, { body: 'Hello **Matrix**' });
    assert.equal(posted.status, 201);
    const e = await hs.wait((x) => x.type === 'm.room.message' && x.content.body === 'Hello **Matrix**', 'the hub message');
    assert.equal(e.sender, '@cohorthub_ada:hs.test');
    assert.equal(e.room, ROOM);
    assert.equal(e.content.format, 'org.matrix.custom.html');
    assert.match(e.content.formatted_body, /<strong>Matrix<\/strong>/);
    assert.equal(hs.displayNames.get('@cohorthub_ada:hs.test'), ADMIN.handle);
  });

  it('a pushed transaction appears in the channel "via": "matrix", once however often it is retried', async () => {
    const events = [message('$m1', { msgtype: 'm.text', body: 'from *Element*', format: 'org.matrix.custom.html',
      formatted_body: 'from <em>Element</em><script>alert(1)</script>' })];
    for (let i = 0; i < 3; i++) assert.equal((await push(events, 'retried-txn')).status, 200);
    const mine = (await items()).filter((m) => m.body === 'from *Element*');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].author.via, 'matrix');
    assert.match(mine[0].html, /<em>Element<\/em>/);
    // Never echoed back into the room.
    assert.ok(!hs.events.some((e) => e.content?.body === 'from *Element*'));
  });

  it('a wrong hs_token gets 403 M_FORBIDDEN and changes nothing', async () => {
    const before = (await items()).length;
    const r = await push([message('$evil', { msgtype: 'm.text', body: 'forged' })], 'forged', 'not-the-token');
    assert.equal(r.status, 403);
    assert.equal((await r.json()).errcode, 'M_FORBIDDEN');
    const none = await fetch(`${hub.url}/_matrix/app/v1/transactions/x`, { method: 'PUT', body: '{"events":[]}' });
    assert.equal(none.status, 401);
    assert.equal((await items()).length, before);
  });

  it('hub edits, reactions and deletes become m.replace, m.annotation and redactions', async () => {
    const id = (await admin.post(`/api/channels/${channel}/messages`, { body: 'draft' })).json.message.id;
    const sent = await hs.wait((x) => x.content?.body === 'draft', 'the draft');
    assert.equal((await admin.patch(`/api/messages/${id}`, { body: 'final' })).status, 200);
    const edit = await hs.wait((x) => x.content?.['m.new_content']?.body === 'final', 'the edit');
    assert.deepEqual(edit.content['m.relates_to'], { rel_type: 'm.replace', event_id: sent.event_id });
    assert.ok((await admin.post(`/api/messages/${id}/reactions`, { emoji: '🎉' })).status < 300);
    const reaction = await hs.wait((x) => x.type === 'm.reaction', 'the reaction');
    assert.deepEqual(reaction.content['m.relates_to'], { rel_type: 'm.annotation', event_id: sent.event_id, key: '🎉' });
    assert.ok((await admin.del(`/api/messages/${id}/reactions/${encodeURIComponent('🎉')}`)).status < 300);
    await hs.wait((x) => x.type === 'm.room.redaction' && x.redacts === reaction.event_id, 'the reaction redacted');
    assert.ok((await admin.del(`/api/messages/${id}`)).status < 300);
    await hs.wait((x) => x.type === 'm.room.redaction' && x.redacts === sent.event_id, 'the message redacted');
  });

  it('Matrix edits, replies, reactions and redactions apply to the hub message', async () => {
    assert.equal((await push([message('$root', { msgtype: 'm.text', body: 'root' })])).status, 200);
    const root = (await items()).find((m) => m.body === 'root');
    const events = [
      message('$e', { msgtype: 'm.text', body: '* root!', 'm.new_content': { msgtype: 'm.text', body: 'root!' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$root' } }),
      message('$re', { msgtype: 'm.text', body: '> <@bob:hs.test> root\n\nan answer',
        'm.relates_to': { 'm.in_reply_to': { event_id: '$root' } } }),
      { type: 'm.reaction', event_id: '$rx', room_id: ROOM, sender: '@carol:hs.test',
        content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$root', key: '👍' } } },
      message('$ghost', { msgtype: 'm.text', body: 'an echo' }, '@cohorthub_ada:hs.test'),
      message('$else', { msgtype: 'm.text', body: 'unmapped' }),
    ];
    events[4].room_id = '!elsewhere:hs.test';
    assert.equal((await push(events)).status, 200);
    let all = await items();
    const edited = all.find((m) => m.id === root.id);
    assert.equal(edited.body, 'root!');
    assert.equal(edited.reactions[0].emoji, '👍');
    const answer = all.find((m) => m.body === 'an answer');
    assert.equal(answer.reply_to, root.id);
    assert.ok(!all.some((m) => m.body === 'an echo' || m.body === 'unmapped'));
    const redact = (id, target) => ({ type: 'm.room.redaction', event_id: id, room_id: ROOM, sender: '@bob:hs.test', redacts: target, content: {} });
    assert.equal((await push([redact('$d1', '$rx'), redact('$d2', '$re'), redact('$d3', '$never')])).status, 200);
    all = await items();
    assert.deepEqual(all.find((m) => m.id === root.id).reactions, []);
    assert.equal(all.find((m) => m.id === answer.id).deleted, true);
    assert.match(hub.logs(), /a redaction of an event never bridged/);
  });

  it('a 429 is waited out, and the message then arrives once', async () => {
    hs.limitNext = 1;
    await admin.post(`/api/channels/${channel}/messages`, { body: 'after the limit' });
    await hs.wait((x) => x.content?.body === 'after the limit', 'the rate-limited message');
    assert.equal(hs.limited, 1);
    assert.equal(hs.events.filter((x) => x.content?.body === 'after the limit').length, 1);
  });

  it('the discussion page marks a Matrix author "via Matrix"', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${hub.url}/login?next=${encodeURIComponent(`/channels/${channel}`)}`);
      await page.getByLabel('Handle').fill(ADMIN.handle);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      const bridged = page.locator('.message', { hasText: 'from Element' });
      await bridged.locator('.message-via').waitFor();
      assert.equal((await bridged.locator('.message-via').textContent()).trim(), 'via Matrix');
      const local = page.locator('.message', { hasText: 'Hello Matrix' });
      assert.equal(await local.locator('.message-via').count(), 0);
    } finally {
      await browser.close();
    }
  });
});
