// The Matrix bridge end to end: a real hub and the spec-validated fake homeserver
// (tests/support/fake_homeserver.mjs), which checks every request the hub makes against the
// Matrix spec's schemas and pushes appservice transactions the way Synapse does.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startHub, Client, cli, restoreBackup } from '../support/server.mjs';
import { launchChromium } from '../support/browser.mjs';
import { startFakeHomeserver } from '../support/fake_homeserver.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const SERVER = 'hs.test';
const GHOST = `@cohorthub_ada:${SERVER}`;

describe('Matrix bridge', { timeout: 90_000 }, () => {
  let hub, hs, admin, channel, room, bob, registration;

  const timeline = () => hs.room(room).timeline;
  // The first event of the room that `pred` accepts, once it is there.
  async function event(pred, what) {
    await hs.waitFor(() => timeline().some(pred), { what });
    return timeline().find(pred);
  }
  const items = async () => (await admin.get(`/api/channels/${channel}/messages`)).json.items;
  const say = async (body) => (await admin.post(`/api/channels/${channel}/messages`, { body })).json.message;
  // Waits until the hub's channel satisfies `pred` (the push is asynchronous).
  async function channelWhere(pred, what) {
    await hs.pushed();
    const all = await items();
    assert.ok(pred(all), `${what}: ${JSON.stringify(all.map((m) => m.body))}`);
    return all;
  }

  const logged = (re) => hub.logged(re);  // the hub of the moment (tests restart it)
  const KICKED = /the bot was removed from the room by @bob:hs\.test \("spam"\): invite it back: its parked messages then go out/;

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cohorthub-matrix-'));
    const env = { COHORTHUB_MATRIX_SERVER_NAME: SERVER };
    cli(['init', '--data-dir', dataDir], { env });
    cli(['admin', 'create-admin', '--data-dir', dataDir, '--handle', ADMIN.handle],
      { env: { ...env, COHORTHUB_ADMIN_PASSWORD: ADMIN.password } });
    const yaml = cli(['bridge', 'matrix-registration', '--data-dir', dataDir], { env });
    assert.equal(cli(['bridge', 'matrix-registration', '--data-dir', dataDir], { env }), yaml, 'the same tokens again');
    assert.equal(readFileSync(join(dataDir, 'matrix-registration.yaml'), 'utf8'), yaml);
    assert.equal(statSync(join(dataDir, 'keys', 'matrix-hs-token')).mode & 0o077, 0);
    registration = YAML.parse(yaml);
    assert.deepEqual(registration.namespaces.users, [{ exclusive: true, regex: '@cohorthub_.*:hs\\.test' }]);
    assert.equal(registration.rate_limited, false);

    // The homeserver reaches the hub once it listens (port 0), so the URL is set after.
    hs = await startFakeHomeserver({ serverName: SERVER, registration: { ...registration, url: undefined } });
    hub = await startHub({ dataDir, env: { ...env, COHORTHUB_MATRIX_HOMESERVER_URL: hs.url } });
    hs.setAppserviceUrl(hub.url);
    bob = hs.createUser('bob');
    room = hs.createRoom(bob, { preset: 'public_chat', name: 'General' });

    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    channel = (await admin.post('/api/channels', { name: 'general' })).json.channel.id;
    const mapped = await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'matrix', remote_id: room });
    assert.equal(mapped.status, 201, mapped.text);
  });
  after(async () => {
    const exit = await hub?.stop();
    await hs?.close();
    assert.deepEqual(hs?.invalid ?? [], [], 'every request the hub made is valid per the spec');
    assert.deepEqual(exit, { code: 0, signal: null }, hub?.logs());
  });

  it('a hub message appears in the room as its author\'s ghost, with HTML and a provenance key', async () => {
    await say('Hello **Matrix**');
    const e = await event((x) => x.type === 'm.room.message' && x.content.body === 'Hello **Matrix**', 'the hub message');
    assert.equal(e.sender, GHOST);
    assert.equal(e.content.format, 'org.matrix.custom.html');
    assert.match(e.content.formatted_body, /<strong>Matrix<\/strong>/);
    assert.ok(e.content['org.cohorthub.provenance']);
    assert.equal(hs.room(room).membershipOf(GHOST), 'join');  // it joined on M_FORBIDDEN
    assert.equal(hs.users.get(GHOST).displayname, ADMIN.handle);
    // The homeserver pushed the ghost's own events back: the hub skipped them as echoes.
    await hs.pushed();
    assert.equal((await items()).length, 1);
    assert.match(hub.logs(), /"reason":"an echo: /);
  });

  it('a Matrix message appears in the channel "via": "matrix", once however often it is pushed', async () => {
    const sent = hs.sendAs(bob, room, 'm.room.message', { msgtype: 'm.text', body: 'from *Element*',
      format: 'org.matrix.custom.html', formatted_body: 'from <em>Element</em><script>alert(1)</script>' });
    const all = await channelWhere((ms) => ms.some((m) => m.body === 'from *Element*'), 'the Matrix message');
    const mine = all.find((m) => m.body === 'from *Element*');
    assert.equal(mine.author.via, 'matrix');
    assert.match(mine.html, /<em>Element<\/em>/);
    assert.doesNotMatch(mine.html, /script/);
    // Synapse retries a transaction it got no answer for, and may resend an event in another.
    const event = { ...sent, unsigned: {} };
    for (const txnId of ['again-1', 'again-1', 'again-2'])
      assert.equal((await hs.pushTransaction([event], { txnId })).status, 200);
    assert.equal((await items()).filter((m) => m.body === 'from *Element*').length, 1);
    assert.ok(!timeline().some((e) => e.sender === GHOST && e.content?.body === 'from *Element*'), 'never echoed back');
  });

  it('a wrong or missing hs_token is refused and changes nothing', async () => {
    const before = (await items()).length;
    const forged = { type: 'm.room.message', event_id: '$forged', room_id: room, sender: bob, origin_server_ts: 1,
      content: { msgtype: 'm.text', body: 'forged' } };
    const wrong = await hs.pushTransaction([forged], { txnId: 'forged', token: 'not-the-token' });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.errcode, 'M_FORBIDDEN');
    const none = await hs.pushTransaction([forged], { txnId: 'forged', token: null });
    assert.equal(none.status, 401);
    assert.equal((await items()).length, before);
  });

  it('hub edits, reactions and deletes become m.replace, m.annotation and redactions', async () => {
    const id = (await say('draft')).id;
    const sent = await event((x) => x.content?.body === 'draft', 'the draft');
    assert.equal((await admin.patch(`/api/messages/${id}`, { body: 'final' })).status, 200);
    const edit = await event((x) => x.content?.['m.new_content']?.body === 'final', 'the edit');
    assert.deepEqual(edit.content['m.relates_to'], { rel_type: 'm.replace', event_id: sent.event_id });
    assert.ok((await admin.post(`/api/messages/${id}/reactions`, { emoji: '🎉' })).status < 300);
    const reaction = await event((x) => x.type === 'm.reaction', 'the reaction');
    assert.deepEqual(reaction.content['m.relates_to'], { rel_type: 'm.annotation', event_id: sent.event_id, key: '🎉' });
    assert.ok((await admin.del(`/api/messages/${id}/reactions/${encodeURIComponent('🎉')}`)).status < 300);
    await event((x) => x.type === 'm.room.redaction' && x.redacts === reaction.event_id, 'the reaction redacted');
    assert.ok((await admin.del(`/api/messages/${id}`)).status < 300);
    await event((x) => x.type === 'm.room.redaction' && x.redacts === sent.event_id, 'the message redacted');
  });

  it('an echo pushed to the hub before its send returns is still recognised: no loop, no duplicate', async () => {
    const itemsBefore = await items();
    const start = timeline().length;
    hs.echoBeforeReply();
    try {
      const id = (await say('raced')).id;
      const sent = await event((x) => x.content?.body === 'raced', 'the raced message');
      assert.equal((await admin.patch(`/api/messages/${id}`, { body: 'raced, edited' })).status, 200);
      await event((x) => x.content?.['m.new_content']?.body === 'raced, edited', 'the raced edit');
      assert.ok((await admin.post(`/api/messages/${id}/reactions`, { emoji: '🏁' })).status < 300);
      const reaction = await event((x) => x.type === 'm.reaction' && x.content['m.relates_to']?.key === '🏁', 'the raced reaction');
      assert.ok((await admin.del(`/api/messages/${id}/reactions/${encodeURIComponent('🏁')}`)).status < 300);
      await event((x) => x.type === 'm.room.redaction' && x.redacts === reaction.event_id, 'the reaction redacted');
      assert.ok((await admin.del(`/api/messages/${id}`)).status < 300);
      await event((x) => x.type === 'm.room.redaction' && x.redacts === sent.event_id, 'the message redacted');
      await hs.echoesAnswered(5);
    } finally {
      hs.echoBeforeReply(false);
    }
    // Each of the five sends was answered only after the hub had acknowledged the transaction
    // that carried its event.
    assert.deepEqual(hs.earlyEchoes.map((e) => [e.via, e.delivered]), Array(5).fill(['transaction', true]));
    const added = timeline().slice(start);
    assert.deepEqual(added.map((e) => e.type), ['m.room.message', 'm.room.message', 'm.reaction', 'm.room.redaction', 'm.room.redaction'],
      'each change once in Matrix');
    assert.ok(added.every((e) => e.sender === GHOST));
    await hs.pushed();
    const after = await items();
    assert.equal(after.length, itemsBefore.length + 1, 'the one hub message, no echo of it');
    const viaMatrix = (list) => list.filter((m) => m.author.via === 'matrix').length;
    assert.equal(viaMatrix(after), viaMatrix(itemsBefore), 'nothing came back from Matrix');
  });

  it('Matrix edits, replies, threads, reactions and redactions apply to the hub message', async () => {
    const carol = hs.createUser('carol');
    hs.join(carol, room);
    const root = hs.sendAs(bob, room, 'm.room.message', { msgtype: 'm.text', body: 'root' });
    const rootId = (await channelWhere((ms) => ms.some((m) => m.body === 'root'), 'the root')).find((m) => m.body === 'root').id;
    hs.sendAs(bob, room, 'm.room.message', { msgtype: 'm.text', body: '* root!',
      'm.new_content': { msgtype: 'm.text', body: 'root!' }, 'm.relates_to': { rel_type: 'm.replace', event_id: root.event_id } });
    const reply = hs.sendAs(carol, room, 'm.room.message', { msgtype: 'm.text', body: `> <${bob}> root\n\nan answer`,
      'm.relates_to': { 'm.in_reply_to': { event_id: root.event_id } } });
    hs.sendAs(carol, room, 'm.room.message', { msgtype: 'm.text', body: 'in the thread',
      'm.relates_to': { rel_type: 'm.thread', event_id: root.event_id, is_falling_back: true,
        'm.in_reply_to': { event_id: root.event_id } } });
    const thumbs = hs.sendAs(carol, room, 'm.reaction',
      { 'm.relates_to': { rel_type: 'm.annotation', event_id: root.event_id, key: '👍' } });
    let all = await channelWhere((ms) => ms.some((m) => m.body === 'an answer'), 'the reply');
    const edited = all.find((m) => m.id === rootId);
    assert.equal(edited.body, 'root!');
    assert.equal(edited.reactions[0].emoji, '👍');
    assert.equal(edited.reply_count, 1);
    const answer = all.find((m) => m.body === 'an answer');
    assert.equal(answer.reply_to, rootId);
    const thread = (await admin.get(`/api/channels/${channel}/messages?thread=${rootId}`)).json.items;
    assert.deepEqual(thread.map((m) => m.body), ['in the thread']);

    hs.redactAs(carol, room, thumbs.event_id);
    hs.redactAs(carol, room, reply.event_id);
    all = await channelWhere((ms) => ms.find((m) => m.id === answer.id)?.deleted === true, 'the reply deleted');
    assert.deepEqual(all.find((m) => m.id === rootId).reactions, []);
    // Nothing the hub received was sent back.
    assert.ok(!timeline().some((e) => e.sender === GHOST && /root|answer|thread/.test(e.content?.body ?? '')));
  });

  it('a 429 M_LIMIT_EXCEEDED is waited out, and the message then arrives once', async () => {
    hs.failNext({ status: 429, retryAfterMs: 300, match: { path: /\/send\// } });
    await say('after the limit');
    await event((x) => x.content?.body === 'after the limit', 'the rate-limited message');
    assert.equal(timeline().filter((x) => x.content?.body === 'after the limit').length, 1);
    assert.ok(hs.hubRequests().some((r) => r.status === 429));
  });

  it('a resend after the homeserver forgot the txnId finds the first try by its provenance: once, no duplicate', async () => {
    // Applied, answered 500: the hub resends after its backoff (at least a second).
    hs.failNext({ status: 500, after: true, match: { path: /\/send\/m\.room\.message\// } });
    await say('applied, its answer lost, then forgotten');
    await event((x) => x.content?.body === 'applied, its answer lost, then forgotten', 'the first try');
    hs.forgetTransactions();  // as after a long outage: the homeserver no longer knows the txnId
    await say('and the next one');
    await event((x) => x.content?.body === 'and the next one', 'the next message');
    assert.equal(timeline().filter((x) => x.content?.body === 'applied, its answer lost, then forgotten').length, 1);
    assert.ok(hs.hubRequests().some((r) => r.method === 'GET' && /\/messages$/.test(r.path)), 'looked for it');
  });

  it('a message the homeserver took with its answer lost, deleted before the resend, ends redacted, once', async () => {
    // The send is applied and answered 500; the resend waits (429) until the hub has deleted it.
    const send = { path: /\/send\/m\.room\.message\// };
    hs.failNext({ status: 500, after: true, match: send });
    hs.failNext({ status: 429, retryAfterMs: 1500, match: send });
    const before = timeline().length;
    const message = await say('sent, but its answer was lost');
    const e = await event((x) => x.content?.body === 'sent, but its answer was lost', 'the first try');
    await hs.waitFor(() => hs.hubRequests().some((r) => r.status === 429), { what: 'the resend held back' });
    assert.equal(Math.floor((await admin.del(`/api/messages/${message.id}`)).status / 100), 2);
    await hs.waitFor(() => e.unsigned.redacted_because, { what: 'the redaction' });
    // The resend found the first event (the same txnId) instead of making another.
    const made = timeline().slice(before).filter((x) => x.type === 'm.room.message' && x.sender === GHOST);
    assert.deepEqual(made.map((x) => x.event_id), [e.event_id]);
  });

  it('the appservice bot kicked from the room shows on the mapping, and the room\'s sends park at once', async () => {
    hs.join(hs.senderId, room);
    hs.kick(bob, room, hs.senderId, { reason: 'spam' });
    await hs.pushed();
    await logged(/"event":"bot removed"/);
    const mapping = (await admin.get('/api/bridge/mappings')).json.items[0];
    assert.match(mapping.status, KICKED);
    const sends = hs.hubRequests().length;
    await say('while the bridge is out');
    await logged(/"event":"send failed","level":"warn","network":"matrix","reason":"the bot was removed/);
    const status = (await admin.get(`/api/bridge/mappings/${mapping.id}/status`)).json;
    assert.equal(status.parked.length, 1);
    assert.equal(status.parked[0].attempts, 1, 'parked at once, not retried');
    assert.match(status.parked[0].error, KICKED);
    assert.equal(hs.hubRequests().length, sends, 'no call to the homeserver for it');
    // The ghosts are still in the room, so Matrix messages still come in: the status stays.
    hs.sendAs(bob, room, 'm.room.message', { msgtype: 'm.text', body: 'still talking' });
    await channelWhere((ms) => ms.some((m) => m.body === 'still talking'), 'the Matrix message');
    assert.match((await admin.get('/api/bridge/mappings')).json.items[0].status, KICKED);
  });

  it('the discussion page marks a Matrix author "via Matrix"', async () => {
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${hub.url}/login?next=${encodeURIComponent(`/channels/${channel}`)}`);
      await page.getByLabel('Handle').fill(ADMIN.handle);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      const bridged = page.locator('.message', { hasText: 'from Element' });
      await bridged.locator('.message-via').waitFor();
      assert.equal((await bridged.locator('.message-via').textContent()).trim(), 'via Matrix');
      assert.equal(await page.locator('.message', { hasText: 'Hello Matrix' }).locator('.message-via').count(), 0);
      // The admin bridges page shows why the mapping is stuck, and its parked message.
      await page.goto(`${hub.url}/admin/bridges`);
      const row = page.getByRole('table', { name: 'Mirrored channels' }).getByRole('row').filter({ hasText: room });
      await row.getByText(KICKED).waitFor();
      assert.match(await row.textContent(), /1 parked/);
    } finally {
      await browser.close();
    }
  });

  it('invited back, the appservice bot joins, the status clears, and the parked message goes out on its own', async () => {
    hs.invite(bob, room, hs.senderId);
    await logged(/"event":"bot invited back"/);
    assert.equal(hs.room(room).membershipOf(hs.senderId), 'join');
    const mapping = (await admin.get('/api/bridge/mappings')).json.items[0];
    assert.equal(mapping.status, '');
    await event((x) => x.content?.body === 'while the bridge is out', 'the parked message');
    assert.equal((await admin.get(`/api/bridge/mappings/${mapping.id}/status`)).json.parked.length, 0);
    assert.equal(timeline().filter((x) => x.content?.body === 'while the bridge is out').length, 1);
  });

  it('a hub restored from a backup sends its new messages, though their seqs repeat those of messages sent before', async () => {
    // docs/operations.md's restore: the messages after the backup are gone from the hub, and the
    // next ones take their seqs. They are new messages all the same, not resends of the lost ones.
    const backup = join(mkdtempSync(join(tmpdir(), 'cohorthub-backup-')), 'hub.db');
    cli(['backup', '--data-dir', hub.dataDir, backup]);
    await say('sent after the backup');
    await event((x) => x.content?.body === 'sent after the backup', 'the message the restore forgets');
    const dataDir = hub.dataDir;
    assert.deepEqual(await hub.stop(), { code: 0, signal: null });
    restoreBackup(backup, dataDir);
    hub = await startHub({ dataDir, env: { COHORTHUB_MATRIX_SERVER_NAME: SERVER, COHORTHUB_MATRIX_HOMESERVER_URL: hs.url } });
    hs.setAppserviceUrl(hub.url);
    admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    await say('sent after the restore');
    await event((x) => x.content?.body === 'sent after the restore', 'the first message after the restore');
    await say('and one more');
    await event((x) => x.content?.body === 'and one more', 'the second message after the restore');
    for (const body of ['sent after the backup', 'sent after the restore', 'and one more']) {
      assert.equal(timeline().filter((x) => x.content?.body === body).length, 1, body);
    }
  });
});
