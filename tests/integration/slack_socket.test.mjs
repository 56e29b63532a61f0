// Slack's Socket Mode end to end: a real hub with [slack] mode = "socket" and the fake Slack's
// Socket Mode (tests/support/fake_slack.mjs). Events arrive once and are acknowledged; the hub
// reconnects through a new URL after Slack's disconnect and after a dropped link; an envelope
// Slack sends again (its ack was lost) is applied once; hub messages still reach Slack; /metrics
// counts the Slack relay and the Socket Mode connection; a message too long for the other side is
// cut, with a link to Slack one way and, [server] public_origin being unset, words only the other
// (the admin is warned).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, Client, eventually as eventuallyIn } from '../support/server.mjs';
import { startFakeSlack } from '../support/fake_slack.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const APP_TOKEN = 'xapp-1-A0APP-1234-socketmodetoken';
let slack, hub, admin, channel;

const eventually = (probe, what) => eventuallyIn(probe, what, () => hub);
const hubBodies = async () => (await admin.get(`/api/channels/${channel}/messages`)).json.items.map((m) => m.body);
const acked = (id) => slack.socketAcks().some((a) => a.envelope_id === id);

before(async () => {
  slack = await startFakeSlack({ appToken: APP_TOKEN, users: { U2BOB: { name: 'bob', display_name: 'Bob Slack' } } });
  hub = await startHub({ admin: ADMIN, env: { COHORTHUB_LOG_ACCESS: 'false', COHORTHUB_SLACK_API_URL: slack.url,
    COHORTHUB_SLACK_PACE_MS: '20', COHORTHUB_SLACK_MODE: 'socket' } });
  admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  channel = (await admin.post('/api/channels', { name: 'bridged' })).json.channel.id;
  // A hub that bridges nothing has nothing to link back from: no warning in its log yet.
  assert.ok(!hub.logs().includes('server.public_origin is not set'), 'warned with no bridge in use');
  const mapped = await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'slack', remote_id: 'C0HUB' });
  assert.equal(mapped.status, 201, mapped.text);
  // No app-level token yet: no connection, and the hub says why.
  await eventually(() => hub.logs().includes('no app-level token is set'), 'the missing token in the log');
  const stored = await admin.put('/api/bridge/slack/credentials', { bot_token: slack.botToken, app_token: APP_TOKEN });
  assert.deepEqual(stored.json, { stored: ['bot_token', 'app_token'] });
});
after(async () => {
  await hub?.stop();
  await slack?.close();
});

test('slack socket mode: events once, acks, reconnects after disconnect and drops, a redelivery applied once', async () => {
  await eventually(() => slack.socketConnections().open === 1, 'the connection');
  const first = slack.socketEvent(slack.userMessage('C0HUB', 'U2BOB', 'hello over *the socket*'));
  await eventually(() => acked(first), 'the ack');
  await eventually(async () => (await hubBodies()).includes('hello over **the socket**'), 'the post');

  // An envelope without an id is skipped, with the reason in the log.
  slack.socketSend({ type: 'events_api', payload: slack.envelope(slack.userMessage('C0HUB', 'U2BOB', 'no id')) });
  await eventually(() => hub.logs().includes('envelope without an envelope_id'), 'the skip');

  // Slack asks for a reconnect, then the link drops: each time a new URL and a new connection.
  slack.socketDisconnect('refresh_requested');
  await eventually(() => slack.socketConnections().opened === 2 && slack.socketConnections().open === 1, 'reconnect 1');
  slack.socketDrop();
  await eventually(() => slack.socketConnections().opened === 3 && slack.socketConnections().open === 1, 'reconnect 2');
  const opens = slack.calls.filter((c) => c.method === 'apps.connections.open' && c.token === APP_TOKEN);
  assert.equal(opens.length, 3);

  // The ack is lost with the link: Slack sends the envelope again on the next connection, and
  // the hub, which wrote it down the first time, applies it once and acks it again.
  slack.loseAcks(1);
  const again = slack.socketEvent(slack.userMessage('C0HUB', 'U2BOB', 'sent twice by Slack'));
  await eventually(() => acked(again), 'the ack of the redelivery');
  assert.equal(slack.socketConnections().opened, 4);
  await eventually(() => hub.logs().includes('applied once already'), 'the dedupe');
  const bodies = await hubBodies();
  assert.equal(bodies.filter((b) => b === 'sent twice by Slack').length, 1);
  assert.equal(bodies.filter((b) => b.includes('the socket')).length, 1);
  assert.ok(!bodies.some((b) => b === 'no id'));
  assert.deepEqual(slack.socketPending(), []);
  assert.ok(!hub.logs().includes(APP_TOKEN) && !hub.logs().includes('ticket='));

  // The other way still works in socket mode, and /metrics counts what the Slack relay sent.
  assert.equal((await admin.post(`/api/channels/${channel}/messages`, { body: 'from the hub' })).status, 201);
  await eventually(() => slack.messages('C0HUB').some((m) => m.text === 'from the hub'), 'the relay');
  const metrics = await eventually(async () => {
    const text = (await admin.get('/metrics')).text;
    return /cohorthub_bridge_slack_sent_total [1-9]/.test(text) && text;
  }, 'the slack counter');
  assert.match(metrics, /cohorthub_bridge_slack_failures_total 0/);
  // Socket Mode's own counters: 4 connections (one after Slack's disconnect, two after drops:
  // socketDrop() and the lost ack's), 3 acks (the lost one counts: the hub sent it), and the
  // envelope without an id skipped.
  const count = (name) => Number(new RegExp(`^cohorthub_bridge_slack_socket_${name} (\\d+)$`, 'm').exec(metrics)?.[1]);
  assert.equal(count('connections_total'), 4);
  assert.equal(count('reconnects_disconnect_total'), 1);
  assert.equal(count('reconnects_drop_total'), 2);
  assert.equal(count('acked_total'), 3);
  assert.equal(count('skipped_total'), 1);
});

test('slack socket mode: a message too long for the other side is cut and says where the whole one is, both ways', async () => {
  // Slack -> hub: 12,000 characters against the hub's 10,000 bytes; the link is built from the
  // workspace URL auth.test gives (https://fake.slack.com/).
  const long = slack.userMessage('C0HUB', 'U2BOB', 'x'.repeat(12000));
  slack.socketEvent(long);
  const link = `https://fake.slack.com/archives/C0HUB/p${long.ts.replace('.', '')}`;
  const cut = await eventually(async () => (await admin.get(`/api/channels/${channel}/messages`)).json.items
    .find((m) => m.body.startsWith('xxxx')), 'the long post');
  assert.ok(cut.body.length <= 10000);
  assert.ok(cut.body.endsWith(`… [*(cut short: the whole message is in Slack)*](<${link}>)`), cut.body.slice(-200));
  // hub -> Slack: 9,000 '<' and 1,000 '&' are 41,000 characters once escaped: over Slack's limit.
  const sent = await admin.post(`/api/channels/${channel}/messages`, { body: '<'.repeat(9000) + '&'.repeat(1000) });
  assert.equal(sent.status, 201);
  const out = await eventually(() => slack.messages('C0HUB').find((m) => (m.text || '').startsWith('&lt;&lt;')), 'the cut post');
  assert.ok(out.text.length <= 40000);
  // [server] public_origin is unset here: no link (the listen address is wrong behind a proxy),
  // but the text says where the whole message is (slack_bridge.test.mjs has the link).
  assert.ok(out.text.endsWith('&amp;… (cut short: read it in full in #bridged on the hub)'), out.text.slice(-200));
  assert.ok(!out.text.includes('http'));
  // The admin is told, in the list and in the mapping's status, and the log said it once at start.
  const warning = 'set server.public_origin so that links back work';
  const list = (await admin.get('/api/bridge/mappings')).json;
  assert.deepEqual(list.warnings, [warning]);
  assert.deepEqual((await admin.get(`/api/bridge/mappings/${list.items[0].id}/status`)).json.warnings, [warning]);
  assert.equal(hub.logs().split('server.public_origin is not set').length - 1, 1);
  assert.equal(slack.messages('C0HUB').filter((m) => (m.text || '').startsWith('&lt;&lt;')).length, 1);
  assert.equal((await hubBodies()).filter((b) => b.startsWith('xxxx')).length, 1);
});
