// The Slack bridge end to end: a real hub and the fake Slack (tests/support/fake_slack.mjs).
// Hub messages appear in Slack under their author's name; signed Slack events appear in the hub
// "via" slack, once however often Slack retries; bad, stale and missing signatures are 401; edits,
// deletes and reactions go both ways, and nothing echoes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startHub, Client, cli, restoreBackup, eventually as eventuallyIn } from '../support/server.mjs';
import { startFakeSlack } from '../support/fake_slack.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
let slack, hub, admin, channel, events, hubEnv;

const eventually = (probe, what) => eventuallyIn(probe, what, () => hub);
const hubMessages = async () => (await admin.get(`/api/channels/${channel}/messages`)).json.items;

before(async () => {
  slack = await startFakeSlack({ users: { U2BOB: { name: 'bob', display_name: 'Bob Slack' }, U3CY: { name: 'cy', display_name: 'Cy Slack' } } });
  hubEnv = { COHORTHUB_LOG_ACCESS: 'false', COHORTHUB_SLACK_API_URL: slack.url, COHORTHUB_SLACK_PACE_MS: '20',
    COHORTHUB_SERVER_PUBLIC_ORIGIN: 'https://hub.example.org' };  // links back (slack_socket.test.mjs: unset)
  hub = await startHub({ admin: ADMIN, env: hubEnv });
  events = hub.url + '/api/bridge/slack/events';
  admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  const stored = await admin.put('/api/bridge/slack/credentials',
    { bot_token: slack.botToken, signing_secret: slack.signingSecret });
  assert.deepEqual(stored.json, { stored: ['bot_token', 'signing_secret'] });
  assert.ok(!hub.logs().includes(slack.botToken) && !hub.logs().includes(slack.signingSecret));
  channel = (await admin.post('/api/channels', { name: 'bridged' })).json.channel.id;
  const mapped = await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'slack', remote_id: 'C0HUB' });
  assert.equal(mapped.status, 201, mapped.text);
});
let keptData;
after(async () => {
  await hub?.stop();
  await slack?.close();
  if (keptData) rmSync(keptData, { recursive: true, force: true });
});

test('slack bridge: a signed event appears once via slack; bad, stale and missing signatures are 401', async () => {
  const m = slack.userMessage('C0HUB', 'U2BOB', 'hello from *Slack* &amp; friends');
  const envelope = slack.envelope(m);
  const first = await slack.push(events, envelope);
  assert.equal(first.status, 200);
  const posted = await eventually(async () => (await hubMessages()).find((x) => x.body.includes('Slack')), 'the post');
  assert.equal(posted.body, 'hello from **Slack** \\& friends');
  assert.equal(posted.author.via, 'slack');
  assert.equal(posted.author.display_name, 'Bob Slack');
  // Slack retries the same event (it did not see our answer): applied once.
  assert.equal((await slack.push(events, envelope)).status, 200);
  const now = Math.floor(Date.now() / 1000);
  const other = slack.envelope(slack.userMessage('C0HUB', 'U2BOB', 'forged'));
  assert.equal((await slack.push(events, other, { secret: 'not-the-signing-secret-000' })).status, 401);
  assert.equal((await slack.push(events, other, { timestamp: now - 600 })).status, 401);
  assert.equal((await slack.push(events, other, { signature: null })).status, 401);
  assert.equal((await slack.push(events, '{"type":', {})).status, 400);  // signed, malformed
  // An unmapped channel is skipped with a logged reason.
  slack.channels.set('C0ELSE', []);
  assert.equal((await slack.push(events, slack.envelope(slack.userMessage('C0ELSE', 'U2BOB', 'elsewhere')))).status, 200);
  await eventually(() => hub.logs().includes('Slack channel C0ELSE is not mapped'), 'the skip log');
  const bodies = (await hubMessages()).map((x) => x.body);
  assert.equal(bodies.filter((b) => b.includes('Slack')).length, 1);
  assert.ok(!bodies.some((b) => b.includes('forged') || b.includes('elsewhere')));
});

test('slack bridge: the hub and @slack/bolt agree on every signature case', async () => {
  const { isValidSlackRequest } = await import('@slack/bolt');
  const { slackSignature } = await import('../support/fake_slack.mjs');
  // The same requests judged by bolt and by the hub (which holds the fake's signing secret).
  const body = JSON.stringify({ type: 'url_verification', challenge: 'c-' + Date.now() });
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    { name: 'signed now', valid: true },
    { name: 'signed 4 minutes ago', timestamp: now - 240, valid: true },
    { name: 'signed with another secret', secret: 'another-secret-0123456789', valid: false },
    { name: 'stale (6 minutes)', timestamp: now - 360, valid: false },
    { name: 'body changed after signing', signedBody: body.replace('c-', 'd-'), valid: false },
    { name: 'another scheme', signature: 'v1=' + slackSignature(slack.signingSecret, now, body).slice(3), valid: false },
    { name: 'hash cut short', signature: slackSignature(slack.signingSecret, now, body).slice(0, 40), valid: false },
  ];
  for (const c of cases) {
    const timestamp = c.timestamp ?? now;
    const signature = c.signature ?? slackSignature(c.secret ?? slack.signingSecret, timestamp, c.signedBody ?? body);
    const bolt = isValidSlackRequest({ signingSecret: slack.signingSecret, body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
    const answer = await slack.push(events, body, { timestamp, signature });
    assert.equal(bolt, c.valid, `bolt: ${c.name}`);
    assert.equal(answer.status, c.valid ? 200 : 401, `hub: ${c.name}`);
    if (c.valid) assert.equal(answer.json.challenge, JSON.parse(body).challenge);
  }
  // No signature at all; and a timestamp from the future, which the hub refuses too (bolt checks staleness only).
  assert.equal((await slack.push(events, body, { signature: null })).status, 401);
  assert.equal((await slack.push(events, body, { timestamp: now + 360 })).status, 401);
});

test('slack bridge: a hub message appears in Slack as its author, edits, reactions and deletes follow, no echo', async () => {
  const sent = await admin.post(`/api/channels/${channel}/messages`, { body: 'hi **Slack** <3' });
  assert.equal(sent.status, 201);
  const id = sent.json.message.id;
  const out = await eventually(() => slack.messages('C0HUB').find((m) => m.text === 'hi *Slack* &lt;3'), 'chat.postMessage');
  assert.equal(out.username, 'ada');
  assert.equal(out.metadata.event_type, 'cohorthub_relay');
  // Slack echoes our own post as an event: recognised by its metadata, not posted back.
  await slack.push(events, slack.envelope({ ...out, channel: 'C0HUB' }));
  await admin.patch(`/api/messages/${id}`, { body: 'hi again' });
  await eventually(() => out.text === 'hi again', 'chat.update');
  await admin.post(`/api/messages/${id}/reactions`, { emoji: '👍' });
  await eventually(() => out.reactions.some((r) => r.name === '+1'), 'reactions.add');
  // A Slack user reacts to it and replies in its thread.
  await slack.push(events, slack.envelope({ type: 'reaction_added', user: 'U2BOB', reaction: 'tada',
    item: { type: 'message', channel: 'C0HUB', ts: out.ts }, ts: out.ts }));
  const reply = slack.userMessage('C0HUB', 'U2BOB', 'threaded', { thread_ts: out.ts });
  await slack.push(events, slack.envelope(reply));
  await eventually(async () => {
    const m = (await admin.get(`/api/channels/${channel}/messages?thread=${id}`)).json.items;
    return m.some((x) => x.body === 'threaded');
  }, 'the thread reply');
  const reacted = await eventually(async () => (await hubMessages()).find((x) => x.id === id &&
    x.reactions.some((r) => r.emoji === ':tada:')), 'the Slack reaction');
  assert.ok(reacted);
  await admin.del(`/api/messages/${id}`);
  await eventually(() => out.deleted, 'chat.delete');
  assert.equal(slack.messages('C0HUB').filter((m) => m.bot_id === 'B0BOT').length, 0);
  // The echo of our post never became a hub message.
  assert.equal((await hubMessages()).filter((x) => x.body.startsWith('hi')).length, 0);
});

test('slack bridge: a thread\'s first message deleted in Slack (a tombstone there) is deleted on the hub; its replies stay', async () => {
  const root = slack.userMessage('C0HUB', 'U2BOB', 'a root to delete');
  await slack.push(events, slack.envelope(root));
  const reply = slack.userMessage('C0HUB', 'U3CY', 'a reply that stays', { thread_ts: root.ts });
  await slack.push(events, slack.envelope(reply));
  const hubRoot = await eventually(async () => (await hubMessages()).find((x) => x.body === 'a root to delete'), 'the root');
  const thread = async () => (await admin.get(`/api/channels/${channel}/messages?thread=${hubRoot.id}`)).json.items;
  await eventually(async () => (await thread()).some((x) => x.body === 'a reply that stays'), 'the reply');
  const gone = slack.userDelete('C0HUB', root.ts);
  assert.equal(gone.message.subtype, 'tombstone');
  await slack.push(events, slack.envelope(gone));
  await eventually(async () => (await hubMessages()).find((x) => x.id === hubRoot.id)?.deleted === true, 'the delete');
  assert.ok((await thread()).some((x) => x.body === 'a reply that stays' && !x.deleted));
  assert.ok(!(await hubMessages()).some((x) => x.body === 'This message was deleted.'));
});

test('slack bridge: a hub message too long for Slack links back through server.public_origin', async () => {
  const sent = await admin.post(`/api/channels/${channel}/messages`, { body: '&'.repeat(9000) });  // 45,000 escaped
  assert.equal(sent.status, 201);
  const out = await eventually(() => slack.messages('C0HUB').find((m) => (m.text || '').startsWith('&amp;&amp;')), 'the cut post');
  assert.ok(out.text.length <= 40000);
  const link = `https://hub.example.org/channels/${channel}#message-${sent.json.message.id}`;
  assert.ok(out.text.endsWith(`… (cut short: <${link}|read it in full in #bridged on the hub>)`), out.text.slice(-200));
  // public_origin is set: nothing to warn about, in the list, the status or the log.
  const list = (await admin.get('/api/bridge/mappings')).json;
  assert.deepEqual(list.warnings, []);
  assert.deepEqual((await admin.get(`/api/bridge/mappings/${list.items[0].id}/status`)).json.warnings, []);
  assert.ok(!hub.logs().includes('server.public_origin is not set'));
});

test('slack bridge: a post Slack took with its answer lost, deleted on the hub before the resend, ends deleted there, once', async () => {
  // Slack applies the post and answers 500; the resend's look-up (conversations.history) waits
  // out a 429 until the hub has deleted the message.
  slack.chaos({ p500After: 1, methods: /^chat\.postMessage$/ });
  slack.rateLimit('conversations.history', 1, 2);
  const sent = await admin.post(`/api/channels/${channel}/messages`, { body: 'its answer was lost' });
  await eventually(() => slack.faults.some((f) => f.fault === '500 after applying'), 'the lost answer');
  slack.calm();
  assert.equal(Math.floor((await admin.del(`/api/messages/${sent.json.message.id}`)).status / 100), 2);
  const lost = slack.channels.get('C0HUB').find((m) => m.text === 'its answer was lost');
  await eventually(() => lost.deleted, 'chat.delete of the first try');
  assert.equal(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.text === 'its answer was lost').length, 1);
  assert.ok(!slack.messages('C0HUB').some((m) => m.text === 'its answer was lost'));
});

test('slack bridge: the bot\'s reaction stands for the hub\'s people; a Slack user\'s own is theirs', async () => {
  const code = (await admin.post('/api/invites', { role: 'member' })).json.code;
  const cy = new Client(hub.url);
  assert.equal((await cy.post('/api/register', { invite_code: code, handle: 'cy', display_name: 'Cy',
    password: 'a long enough passphrase' })).status, 201);
  const id = (await admin.post(`/api/channels/${channel}/messages`, { body: 'react here' })).json.message.id;
  const out = await eventually(() => slack.messages('C0HUB').find((m) => m.text === 'react here'), 'the post');
  const plusOne = () => out.reactions.find((r) => r.name === '+1')?.users ?? [];
  // Everything before `marker` went out (a channel is relayed in order).
  const settled = async (marker) => {
    await admin.post(`/api/channels/${channel}/messages`, { body: marker });
    await eventually(() => slack.messages('C0HUB').some((m) => m.text === marker), marker);
  };
  assert.equal(Math.floor((await admin.post(`/api/messages/${id}/reactions`, { emoji: '👍' })).status / 100), 2);
  assert.equal(Math.floor((await cy.post(`/api/messages/${id}/reactions`, { emoji: '👍' })).status / 100), 2);
  await slack.push(events, slack.envelope(slack.userReact('C0HUB', out.ts, 'U2BOB', '+1')));
  await eventually(async () => (await hubMessages()).find((x) => x.id === id)?.reactions.some((r) => r.emoji === ':+1:'),
    'the Slack user\'s reaction on the hub');
  await settled('marker one');
  assert.deepEqual(plusOne().sort(), ['U0BOT', 'U2BOB']);
  assert.equal(slack.calls.filter((c) => c.method === 'reactions.add' && c.args.timestamp === out.ts).length, 1);
  await admin.del(`/api/messages/${id}/reactions/${encodeURIComponent('👍')}`);
  await settled('marker two');
  assert.deepEqual(plusOne().sort(), ['U0BOT', 'U2BOB'], 'cy still reacts');
  await cy.del(`/api/messages/${id}/reactions/${encodeURIComponent('👍')}`);
  await eventually(() => !plusOne().includes('U0BOT'), 'reactions.remove');
  assert.deepEqual(plusOne(), ['U2BOB'], 'Bob\'s own reaction stays');
});

test('slack bridge: 429 is waited out with Retry-After and a refusal by name is the mapping\'s status', async () => {
  slack.rateLimit('chat.postMessage', 1, 1);
  await admin.post(`/api/channels/${channel}/messages`, { body: 'after a 429' });
  await eventually(() => slack.messages('C0HUB').find((m) => m.text === 'after a 429'), 'the retried post');
  assert.equal(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.text === 'after a 429').length, 2);
  slack.fail('chat.postMessage', { error: 'not_in_channel' });
  await admin.post(`/api/channels/${channel}/messages`, { body: 'refused' });
  const status = await eventually(async () => {
    const list = (await admin.get('/api/bridge/mappings')).json;
    const m = (list.items || list.mappings || list).find((x) => x.network === 'slack');
    return JSON.stringify(m).includes('not_in_channel') && m;
  }, 'the mapping status');
  assert.ok(status);
});

test('slack bridge: the app manifest asks exactly for the scopes and events the connector uses', () => {
  const manifest = parseYaml(cli(['bridge', 'slack-manifest', '--data-dir', hub.dataDir],
    { env: { COHORTHUB_SERVER_PUBLIC_ORIGIN: 'https://hub.example.org' } }));
  assert.equal(manifest.settings.event_subscriptions.request_url, 'https://hub.example.org/api/bridge/slack/events');
  assert.deepEqual(manifest.oauth_config.scopes.bot.sort(), ['channels:history', 'chat:write', 'chat:write.customize',
    'groups:history', 'reactions:read', 'reactions:write', 'users:read']);
  assert.deepEqual(manifest.settings.event_subscriptions.bot_events.sort(),
    ['message.channels', 'message.groups', 'reaction_added', 'reaction_removed']);
  assert.equal(manifest.settings.socket_mode_enabled, false);
});

test('slack bridge: after downtime, what Slack said and changed meanwhile is caught up from the stored position, once', async () => {
  // Before: Bob's two messages, his reaction, and a hub post, all bridged live.
  const bobSays = async (text) => {
    const m = slack.userMessage('C0HUB', 'U2BOB', text);
    await slack.push(events, slack.envelope(m));
    return { m, id: (await eventually(async () => (await hubMessages()).find((x) => x.body === text), text)).id };
  };
  const kept = await bobSays('to be edited while the hub is down');
  const gone = await bobSays('to be deleted while the hub is down');
  await slack.push(events, slack.envelope(slack.userReact('C0HUB', kept.m.ts, 'U2BOB', 'eyes')));
  const hubPost = (await admin.post(`/api/channels/${channel}/messages`, { body: 'the hub says hi' })).json.message;
  const inSlack = await eventually(() => slack.messages('C0HUB').find((m) => m.text === 'the hub says hi'), 'the hub post');
  const hubMessage = async (id) => (await hubMessages()).find((x) => x.id === id);
  await eventually(async () => (await hubMessage(kept.id)).reactions.length === 1, 'the live reaction');

  keptData = hub.dataDir;
  await hub.stop({ keepData: true });
  const callsBefore = slack.calls.length;
  // While the hub is down Bob edits one message, deletes the other, takes his eyes back and reacts
  // to the hub's post; nothing of it is pushed (the hub is not there to take it).
  slack.userEdit('C0HUB', kept.m.ts, 'edited *while* the hub was down');
  slack.userDelete('C0HUB', gone.m.ts);
  slack.userReact('C0HUB', kept.m.ts, 'U2BOB', 'eyes', false);
  slack.userReact('C0HUB', inSlack.ts, 'U2BOB', 'tada');
  const root = slack.userMessage('C0HUB', 'U2BOB', 'said while the hub was down');
  slack.userMessage('C0HUB', 'U2BOB', 'a reply meanwhile', { thread_ts: root.ts });
  slack.userMessage('C0HUB', 'U2BOB', 'and the last word');
  slack.pageSize(1);  // one message a page: the catch-up must follow Slack's cursors ('+', '/', '=')
  hub = await startHub({ dataDir: keptData, env: hubEnv });
  events = hub.url + '/api/bridge/slack/events';
  admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  const caught = await eventually(async () => (await hubMessages()).find((x) => x.body === 'said while the hub was down'),
    'the caught-up message');
  await eventually(async () => (await admin.get(`/api/channels/${channel}/messages?thread=${caught.id}`)).json.items
    .some((x) => x.body === 'a reply meanwhile'), 'the caught-up reply');
  await eventually(async () => (await hubMessages()).some((x) => x.body === 'and the last word'), 'the newest caught-up message');
  const history = slack.calls.filter((c) => c.method === 'conversations.history');
  assert.ok(history.some((c) => c.args.oldest), 'catch-up asks from the stored position');
  assert.ok(history.some((c) => c.args.cursor === 'cursor+/1='), 'the second page was asked for with the cursor as Slack gave it');
  slack.pageSize(0);
  // The changes made meanwhile are applied, once, as Bob's, and nothing of it goes back to Slack.
  await eventually(async () => (await hubMessage(kept.id)).body === 'edited **while** the hub was down', 'the edit');
  await eventually(async () => (await hubMessage(hubPost.id)).reactions.some((r) => r.emoji === ':tada:'), 'the reaction');
  await eventually(async () => (await hubMessage(kept.id)).reactions.length === 0, 'the reaction taken back');
  await eventually(async () => (await hubMessage(gone.id))?.deleted !== false, 'the delete');
  const tada = (await hubMessage(hubPost.id)).reactions.find((r) => r.emoji === ':tada:');
  assert.equal(tada.count, 1);
  const edits = await admin.get(`/api/messages/${kept.id}/history`);
  assert.equal(edits.status, 200, edits.text);
  assert.deepEqual(edits.json.items.map((x) => x.body), ['to be edited while the hub is down'], 'edited once');
  const writes = slack.calls.slice(callsBefore).filter((c) => /^(chat\.|reactions\.)/.test(c.method));
  assert.deepEqual(writes.map((c) => c.method), [], 'no echo back to Slack');
  // Slack delivers the event late too: applied once all the same.
  await slack.push(events, slack.envelope({ ...root, channel: 'C0HUB' }));
  await eventually(() => hub.logs().includes('applied once already'), 'the late duplicate');
  assert.equal((await hubMessages()).filter((x) => x.body === 'said while the hub was down').length, 1);
});

test('slack bridge: a hub restored from a backup posts its new messages, though their seqs repeat those of messages posted before', async () => {
  // docs/operations.md's restore: the messages after the backup are gone from the hub, and the
  // next ones take their seqs. They are new messages all the same, not resends of the lost ones.
  const say = async (body) => (await admin.post(`/api/channels/${channel}/messages`, { body })).json.message;
  const inSlack = (text) => slack.messages('C0HUB').filter((m) => m.text === text);
  const backupDir = mkdtempSync(join(tmpdir(), 'cohorthub-backup-'));
  const backup = join(backupDir, 'hub.db');
  cli(['backup', '--data-dir', hub.dataDir, backup]);
  await say('posted after the backup');
  await eventually(() => inSlack('posted after the backup').length === 1, 'the post the restore forgets');
  const dataDir = hub.dataDir;
  await hub.stop({ keepData: true });
  restoreBackup(backup, dataDir);
  rmSync(backupDir, { recursive: true, force: true });
  hub = await startHub({ dataDir, env: hubEnv });
  events = hub.url + '/api/bridge/slack/events';
  admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  await say('posted after the restore');
  await eventually(() => inSlack('posted after the restore').length === 1, 'the first post after the restore');
  await say('and one more');
  await eventually(() => inSlack('and one more').length === 1, 'the second post after the restore');
  assert.equal(inSlack('posted after the backup').length, 1);
});
