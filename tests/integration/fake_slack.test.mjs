// The fake Slack answers like Slack: driven by Slack's own @slack/web-api client, and its request
// signatures pass @slack/bolt's verification (slack_bridge.test.mjs checks the hub against bolt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode } from '@slack/web-api';
import { isValidSlackRequest } from '@slack/bolt';
import { startFakeSlack, slackSignature } from '../support/fake_slack.mjs';

let slack;

before(async () => { slack = await startFakeSlack({ users: { U2: { name: 'bob', display_name: 'Bob' } } }); });
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
