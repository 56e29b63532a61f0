// The fake Slack answers like Slack: driven by Slack's own @slack/web-api client, its Socket Mode by
// Slack's own @slack/socket-mode client, and its request signatures pass @slack/bolt's
// verification (slack_bridge.test.mjs checks the hub against bolt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode } from '@slack/web-api';
import { isValidSlackRequest } from '@slack/bolt';
import { startFakeSlack, slackSignature } from '../support/fake_slack.mjs';

let slack;

const APP_TOKEN = 'xapp-1-A0APP-fake-app-token';
before(async () => {
  slack = await startFakeSlack({ appToken: APP_TOKEN, users: { U2: { name: 'bob', display_name: 'Bob' } } });
});
after(async () => { await slack?.close(); });

test('fake slack: @slack/web-api posts, edits, threads, reacts, reads history and deletes', async () => {
  const web = new WebClient(slack.botToken, { slackApiUrl: slack.url + '/', retryConfig: { retries: 0 } });
  const me = await web.auth.test();
  assert.equal(me.bot_id, 'B0BOT');
  const root = await web.chat.postMessage({ channel: 'C0HUB', text: 'root', username: 'Ana Lima',
    metadata: { event_type: 'cohorthub_relay', event_payload: { 'org.cohorthub.provenance': 'slack:1' } } });
  assert.ok(root.ok && root.ts);
  const reply = await web.chat.postMessage({ channel: 'C0HUB', text: 'reply', thread_ts: root.ts });
  await web.chat.update({ channel: 'C0HUB', ts: root.ts, text: 'root, edited' });
  await web.reactions.add({ channel: 'C0HUB', timestamp: root.ts, name: 'tada' });
  await assert.rejects(web.reactions.add({ channel: 'C0HUB', timestamp: root.ts, name: 'tada' }),
    (e) => e.code === ErrorCode.PlatformError && e.data.error === 'already_reacted');
  const history = await web.conversations.history({ channel: 'C0HUB' });
  assert.deepEqual(history.messages.map((m) => m.text), ['root, edited']);  // replies stay in their thread
  assert.equal(history.messages[0].metadata.event_payload['org.cohorthub.provenance'], 'slack:1');
  const thread = await web.conversations.replies({ channel: 'C0HUB', ts: root.ts });
  assert.deepEqual(thread.messages.map((m) => m.ts), [root.ts, reply.ts]);
  assert.equal((await web.users.info({ user: 'U2' })).user.profile.display_name, 'Bob');
  await web.chat.delete({ channel: 'C0HUB', ts: reply.ts });
  assert.equal(slack.messages('C0HUB').length, 1);
  await assert.rejects(web.chat.postMessage({ channel: 'C0NOPE', text: 'x' }),
    (e) => e.code === ErrorCode.PlatformError && e.data.error === 'channel_not_found');
  const stranger = new WebClient('xoxb-wrong-token-000000', { slackApiUrl: slack.url + '/', retryConfig: { retries: 0 } });
  await assert.rejects(stranger.auth.test(), (e) => e.data?.error === 'invalid_auth');
  // 429 on demand, seen by Slack's client as a rate limit with the Retry-After it sent.
  slack.rateLimit('chat.postMessage', 1, 7);
  const strict = new WebClient(slack.botToken, { slackApiUrl: slack.url + '/', rejectRateLimitedCalls: true });
  await assert.rejects(strict.chat.postMessage({ channel: 'C0HUB', text: 'x' }),
    (e) => e.code === ErrorCode.RateLimitedError && e.retryAfter === 7);
});


test('fake slack: its Events API pushes carry signatures that @slack/bolt accepts, and Slack\'s documented example', async () => {
  // Slack's "Verifying requests from Slack" example (the hub's unit test checks the same one).
  const docBody = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&' +
    'channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=' +
    'https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=' +
    '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  assert.equal(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, docBody), docSignature);
  assert.ok(isValidSlackRequest({ signingSecret: '8f742231b10e8888abcd99yyyzzz85a5', body: docBody,
    headers: { 'x-slack-signature': docSignature, 'x-slack-request-timestamp': 1531420618 },
    nowMilliseconds: 1531420618 * 1000 }));
  // What push() sends, as a receiving Bolt app would check it.
  const { createServer } = await import('node:http');
  const seen = [];
  const receiver = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push(isValidSlackRequest({ signingSecret: slack.signingSecret, body, headers: {
      'x-slack-signature': req.headers['x-slack-signature'],
      'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']) } }));
    res.end('{}');
  });
  await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
  const target = `http://127.0.0.1:${receiver.address().port}/`;
  await slack.push(target, slack.envelope(slack.userMessage('C0HUB', 'U2', 'signed')));
  await slack.push(target, slack.envelope(slack.userMessage('C0HUB', 'U2', 'forged')), { secret: 'not-the-secret-00000' });
  await new Promise((ok) => receiver.close(ok));
  assert.deepEqual(seen, [true, false]);
});

// Resolves once `probe()` is truthy (the fake and the client talk over real sockets).
async function until(probe, what) {
  const deadline = Date.now() + 10000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('fake slack: @slack/socket-mode connects through apps.connections.open, gets hello and envelopes, acks, reconnects', async () => {
  const { SocketModeClient, LogLevel } = await import('@slack/socket-mode');
  // clientPingTimeout is also the client's wait before it reconnects: short, on loopback.
  const client = new SocketModeClient({ appToken: APP_TOKEN, logLevel: LogLevel.ERROR, clientPingTimeout: 200,
    clientOptions: { slackApiUrl: slack.url + '/' } });
  const received = [];
  let hellos = 0;  // the client counts a connection once Slack said hello on it
  client.on('connected', () => { hellos++; });
  client.on('message', async ({ event, ack, retry_num }) => {
    received.push([event.text, retry_num]);
    await ack();
  });
  await client.start();  // resolves on hello
  assert.deepEqual(slack.socketConnections(), { opened: 1, open: 1 });
  const first = slack.socketEvent(slack.userMessage('C0HUB', 'U2', 'over the socket'));
  await until(() => slack.socketAcks().some((a) => a.envelope_id === first), 'the ack');
  assert.deepEqual(received, [['over the socket', 0]]);
  assert.deepEqual(slack.socketPending(), []);
  // An ack lost with its connection: the envelope comes again on the next one, retry_attempt 1.
  slack.loseAcks(1);
  const lost = slack.socketEvent(slack.userMessage('C0HUB', 'U2', 'ack lost'));
  await until(() => slack.socketAcks().some((a) => a.envelope_id === lost) && hellos === 2, 'the second ack');
  assert.deepEqual(received.slice(1), [['ack lost', 0], ['ack lost', 1]]);
  // Slack asks for a reconnect: a new URL, a new connection.
  slack.socketDisconnect('refresh_requested');
  await until(() => slack.socketConnections().opened === 3 && slack.socketConnections().open === 1 && hellos === 3,
    'the reconnect');
  const opens = slack.calls.filter((c) => c.method === 'apps.connections.open');
  assert.equal(opens.length, 3);
  assert.ok(opens.every((c) => c.token === APP_TOKEN));
  await client.disconnect();
  // A wrong app token gets no URL.
  const stranger = new WebClient('xapp-1-wrong', { slackApiUrl: slack.url + '/', retryConfig: { retries: 0 } });
  await assert.rejects(stranger.apiCall('apps.connections.open'), (e) => e.data?.error === 'invalid_auth');
});
