// Matrix bot mode end to end: a real hub logged in as one plain account of the spec-validated fake
// homeserver (tests/support/fake_homeserver.mjs), reading the room through /sync and sending for
// everyone as "Display Name: text".
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, Client, cli } from '../support/server.mjs';
import { startFakeHomeserver } from '../support/fake_homeserver.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const SERVER = 'hs.test';
const PROVENANCE = 'org.cohorthub.provenance';

describe('Matrix bot mode', { timeout: 90_000 }, () => {
  let hub, hs, env, dataDir, admin, name, channel, mapping, room, bob, bot, token;

  const timeline = () => hs.room(room).timeline;
  async function event(pred, what) {
    await hs.waitFor(() => timeline().some(pred), { what });
    return timeline().find(pred);
  }
  const items = async () => (await admin.get(`/api/channels/${channel}/messages?limit=200`)).json.items;
  const say = async (body) => (await admin.post(`/api/channels/${channel}/messages`, { body })).json.message;
  const text = (body) => ({ msgtype: 'm.text', body });
  const logged = (re) => hub.logged(re);  // the hub of the moment (tests restart it)
  // Resolves when the hub's log has `n` lines matching `re` (a global RegExp); no polling.
  const count = (re) => (hub.logs().match(re) || []).length;
  function loggedTimes(re, n) {
    if (count(re) >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { hub.child.stderr.off('data', check); reject(new Error(`${count(re)} of ${n} log lines ${re}`)); }, 10_000);
      const check = () => {
        if (count(re) < n) return;
        clearTimeout(timer);
        hub.child.stderr.off('data', check);
        resolve();
      };
      hub.child.stderr.on('data', check);
    });
  }
  async function start(extra = {}) {
    hub = await startHub({ dataDir, env: { ...env, ...extra } });
    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  }

  before(async () => {
    hs = await startFakeHomeserver({ serverName: SERVER });
    bot = hs.createUser('cohortbot');
    token = hs.tokenFor(bot);
    bob = hs.createUser('bob');
    room = hs.createRoom(bob, { preset: 'public_chat', name: 'General' });

    dataDir = mkdtempSync(join(tmpdir(), 'cohorthub-matrix-bot-'));
    const tokenFile = join(dataDir, 'bot.token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    env = {
      COHORTHUB_MATRIX_HOMESERVER_URL: hs.url,
      COHORTHUB_MATRIX_MODE: 'bot',
      COHORTHUB_MATRIX_BOT_USER_ID: bot,
      COHORTHUB_MATRIX_BOT_TOKEN_FILE: tokenFile,
      COHORTHUB_MATRIX_SYNC_TIMEOUT_MS: '300',  // short long polls: a new mapping is seen at once
    };
    cli(['init', '--data-dir', dataDir], { env });
    cli(['admin', 'create-admin', '--data-dir', dataDir, '--handle', ADMIN.handle],
      { env: { ...env, COHORTHUB_ADMIN_PASSWORD: ADMIN.password } });
    await start();
    name = (await admin.get('/api/me')).json.display_name;
    channel = (await admin.post('/api/channels', { name: 'general' })).json.channel.id;
    hs.sendAs(bob, room, 'm.room.message', text('said before the bridge came'));
    const mapped = await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'matrix', remote_id: room });
    assert.equal(mapped.status, 201, mapped.text);
    mapping = mapped.json.mapping.id;
    await hs.waitFor(() => hs.room(room).membershipOf(bot) === 'join', { what: 'the bot joining the room' });
    await hs.caughtUp(bot);
  });
  after(async () => {
    const exit = await hub?.stop();
    await hs?.close();
    assert.deepEqual(hs?.invalid ?? [], [], 'every request the hub made is valid per the spec');
    assert.deepEqual(exit, { code: 0, signal: null }, hub?.logs());
  });

  it('uploads a filter for the mapped room and imports nothing from before its join', async () => {
    const filters = hs.requests.filter((r) => r.userId === bot && r.path.endsWith('/filter') && r.status === 200);
    const last = filters.at(-1).body;
    assert.deepEqual(last.room.rooms, [room]);
    assert.deepEqual(last.room.timeline.types, ['m.room.message', 'm.reaction', 'm.room.redaction', 'm.room.member']);
    assert.equal(last.room.state.lazy_load_members, true);
    assert.deepEqual(await items(), []);
    const metrics = await admin.get('/metrics');
    assert.ok(Number(/^cohorthub_bridge_matrix_sync_rounds_total (\d+)$/m.exec(metrics.text)?.[1]) > 0, metrics.text);
  });

  it('a hub message appears as "Display Name: text" from the bot, and its echo is skipped', async () => {
    await say('Hello **Matrix**');
    const e = await event((x) => x.type === 'm.room.message' && x.sender === bot, 'the hub message');
    assert.equal(e.content.body, `${name}: Hello **Matrix**`);
    assert.match(e.content.formatted_body, new RegExp(`^<strong>${name}</strong>: .*<strong>Matrix</strong>`));
    assert.ok(e.content[PROVENANCE]);
    await hs.caughtUp(bot);
    assert.deepEqual((await items()).map((m) => m.body), ['Hello **Matrix**']);
  });

  it('Matrix messages, edits and reactions reach the channel through /sync, once each', async () => {
    const sent = hs.sendAs(bob, room, 'm.room.message', text('from *Element*'));
    hs.sendAs(bob, room, 'm.room.message', { ...text('* from Element, edited'),
      'm.new_content': text('from Element, edited'), 'm.relates_to': { rel_type: 'm.replace', event_id: sent.event_id } });
    hs.sendAs(bob, room, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: sent.event_id, key: '👍' } });
    await hs.caughtUp(bot);
    const mine = (await items()).filter((m) => m.author.via === 'matrix');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].body, 'from Element, edited');
    assert.equal(mine[0].author.display_name, 'bob');
    assert.deepEqual(mine[0].reactions.map((r) => [r.emoji, r.count]), [['👍', 1]]);
  });

  it('hub edits, reactions and deletes go out from the bot as relations and redactions', async () => {
    const id = (await say('draft')).id;
    const sent = await event((x) => x.content?.body === `${name}: draft`, 'the draft');
    assert.equal((await admin.patch(`/api/messages/${id}`, { body: 'final' })).status, 200);
    const edit = await event((x) => x.content?.['m.new_content']?.body === `${name}: final`, 'the edit');
    assert.deepEqual(edit.content['m.relates_to'], { rel_type: 'm.replace', event_id: sent.event_id });
    assert.ok((await admin.post(`/api/messages/${id}/reactions`, { emoji: '🎉' })).status < 300);
    const reaction = await event((x) => x.type === 'm.reaction' && x.sender === bot, 'the reaction');
    assert.deepEqual(reaction.content['m.relates_to'], { rel_type: 'm.annotation', event_id: sent.event_id, key: '🎉' });
    assert.ok((await admin.del(`/api/messages/${id}`)).status < 300);
    await event((x) => x.type === 'm.room.redaction' && (x.redacts ?? x.content.redacts) === sent.event_id, 'the redaction');
  });

  it('after a crash, a limited timeline is gap-filled from the stored next_batch: nothing lost or repeated', async () => {
    assert.deepEqual(await hub.stop({ signal: 'SIGKILL' }), { code: null, signal: 'SIGKILL' });
    const said = [];
    for (let i = 1; i <= 70; i++) {
      said.push(`offline ${i}`);
      hs.sendAs(bob, room, 'm.room.message', text(`offline ${i}`));
    }
    hs.failNext({ status: 429, retryAfterMs: 300, match: { path: /\/sync$/ } });  // and the first sync is rate-limited
    const before = hs.requests.length;
    await start();
    await hs.caughtUp(bot);
    const bodies = (await items()).map((m) => m.body).filter((b) => b.startsWith('offline '));
    assert.deepEqual(bodies, said, 'all 70, once each, in order');
    const after = hs.requests.slice(before).filter((r) => r.userId === bot || r.errcode === 'M_LIMIT_EXCEEDED');
    const syncs = after.filter((r) => r.path.endsWith('/sync'));
    assert.equal(syncs[0].status, 429);
    assert.ok(syncs[1].query.since, 'resumed from the stored next_batch, not from scratch');
    assert.ok(syncs.some((r) => r.status === 200 && r.response.rooms.join[room]?.timeline.limited), 'the timeline was limited');
    assert.ok(after.some((r) => r.path.endsWith('/messages') && r.query.dir === 'b' && r.status === 200), 'gap-filled');
    assert.equal(timeline().filter((e) => e.sender === bot && e.content?.body?.includes('offline')).length, 0, 'nothing echoed');
  });

  it('an echo that arrives through /sync before the send returns is still recognised: no loop, no duplicate', async () => {
    const itemsBefore = await items();
    const start = timeline().length;
    hs.echoBeforeReply();
    try {
      const id = (await say('raced')).id;
      const sent = await event((x) => x.content?.body === `${name}: raced`, 'the raced message');
      assert.equal((await admin.patch(`/api/messages/${id}`, { body: 'raced, edited' })).status, 200);
      await event((x) => x.content?.['m.new_content']?.body === `${name}: raced, edited`, 'the raced edit');
      assert.ok((await admin.post(`/api/messages/${id}/reactions`, { emoji: '🏁' })).status < 300);
      const reaction = await event((x) => x.type === 'm.reaction' && x.content['m.relates_to']?.key === '🏁', 'the raced reaction');
      assert.ok((await admin.del(`/api/messages/${id}/reactions/${encodeURIComponent('🏁')}`)).status < 300);
      await event((x) => x.type === 'm.room.redaction' && (x.redacts ?? x.content.redacts) === reaction.event_id, 'the reaction redacted');
      assert.ok((await admin.del(`/api/messages/${id}`)).status < 300);
      await event((x) => x.type === 'm.room.redaction' && (x.redacts ?? x.content.redacts) === sent.event_id, 'the message redacted');
      await hs.echoesAnswered(5);
    } finally {
      hs.echoBeforeReply(false);
    }
    // Each of the five sends was answered only after the bot's /sync had taken its event in.
    assert.deepEqual(hs.earlyEchoes.map((e) => [e.via, e.delivered]), Array(5).fill(['sync', true]));
    const added = timeline().slice(start);
    assert.deepEqual(added.map((e) => e.type), ['m.room.message', 'm.room.message', 'm.reaction', 'm.room.redaction', 'm.room.redaction'],
      'each change once in Matrix');
    assert.ok(added.every((e) => e.sender === bot));
    await hs.caughtUp(bot);
    const after = await items();
    assert.equal(after.length, itemsBefore.length + 1, 'the one hub message, no echo of it');
    const viaMatrix = (list) => list.filter((m) => m.author.via === 'matrix').length;
    assert.equal(viaMatrix(after), viaMatrix(itemsBefore), 'nothing came back from Matrix');
  });

  it('SIGTERM cuts a long /sync poll short: the hub exits at once and resumes from its stored next_batch', async () => {
    assert.deepEqual(await hub.stop(), { code: 0, signal: null });
    const restarted = hs.requests.length;
    await start({ COHORTHUB_MATRIX_SYNC_TIMEOUT_MS: '30000' });
    // Wait (on the fake's events) until the fake holds one of the bot's /sync requests: a long poll.
    let polling;
    for (;;) {
      polling = hs.requests.slice(restarted).filter((r) => r.userId === bot && r.path.endsWith('/sync')).at(-1);
      if (polling && polling.status === 0) break;
      await new Promise((resolve) => {
        const seen = (x) => { if (x.userId === bot) { hs.off('sync', seen); resolve(); } };
        hs.on('sync', seen);
      });
      await new Promise((resolve) => setImmediate(resolve));  // an answer at once is written by now
    }
    assert.equal(polling.query.timeout, '30000');
    const asked = Date.now();
    assert.deepEqual(await hub.stop(), { code: 0, signal: null });
    const took = Date.now() - asked;
    assert.ok(took < 5000, `the hub took ${took} ms to stop`);
    assert.match(hub.logs(), /"what":"stopped"/);

    hs.sendAs(bob, room, 'm.room.message', text('said while the hub restarted'));
    const before = hs.requests.length;
    await start();
    await hs.caughtUp(bot);
    const resumed = hs.requests.slice(before).find((r) => r.userId === bot && r.path.endsWith('/sync'));
    assert.equal(resumed.query.since, polling.query.since, 'the stored next_batch is the one before the cut poll');
    assert.deepEqual((await items()).filter((m) => m.body === 'said while the hub restarted').length, 1);
  });

  it('the bot kicked from the room: the mapping says so, sends park at once; invited back, it joins and its parked messages go out once', async () => {
    const fromBot = () => hs.requests.filter((r) => r.userId === bot && /\/(send|redact|join)/.test(r.path)).length;
    hs.kick(bob, room, bot, { reason: 'off-topic' });
    await logged(/"event":"bot removed"/);
    const why = /the bot was removed from the room by @bob:hs\.test \("off-topic"\): invite it back/;
    const listed = () => admin.get('/api/bridge/mappings').then((r) => r.json.items.find((m) => m.id === mapping));
    assert.match((await listed()).status, why);

    const calls = fromBot();
    const parkedLines = count(/"event":"send failed"/g);
    await say('while the bot is out 1');
    await say('while the bot is out 2');
    await loggedTimes(/"event":"send failed"/g, parkedLines + 2);
    const status = (await admin.get(`/api/bridge/mappings/${mapping}/status`)).json;
    assert.equal(status.parked.length, 2);
    for (const p of status.parked) {
      assert.equal(p.attempts, 1, 'parked at the first attempt: no retry storm');
      assert.match(p.error, why);
    }
    assert.match(status.status, why);
    assert.equal(fromBot(), calls, 'nothing was sent into the room, and the bot did not walk back in');

    hs.invite(bob, room, bot);
    await logged(/"event":"bot invited back"/);
    assert.equal(hs.room(room).membershipOf(bot), 'join');
    assert.equal((await listed()).status, '');
    // No admin's "retry": what was parked because the bot was out goes out now, in order.
    await event((x) => x.content?.body === `${name}: while the bot is out 2`, 'the parked messages');
    assert.equal((await admin.get(`/api/bridge/mappings/${mapping}/status`)).json.parked.length, 0);
    const out = timeline().filter((x) => /while the bot is out/.test(x.content?.body ?? ''));
    assert.deepEqual(out.map((x) => x.content.body), [1, 2].map((i) => `${name}: while the bot is out ${i}`));
    // The rejoined room's history is not imported again.
    const itemsNow = (await items()).length;
    await hs.caughtUp(bot);
    assert.equal((await items()).length, itemsNow);
    assert.ok(!(await items()).some((m) => m.body === 'said before the bridge came'));
  });

  it('a refused token shows on the mapping\'s status and stops the loop', async () => {
    hs.tokens.delete(token);
    await logged(/"event":"sync halted"/);
    const status = await admin.get(`/api/bridge/mappings/${mapping}/status`);
    assert.equal(status.status, 200);
    assert.match(JSON.stringify(status.json), /M_UNKNOWN_TOKEN/);
    assert.doesNotMatch(hub.logs(), new RegExp(token));
    const refused = hs.requests.filter((r) => r.path.endsWith('/sync') && r.errcode === 'M_UNKNOWN_TOKEN');
    assert.equal(refused.length, 1, 'no retry after the token was refused');
  });
});
