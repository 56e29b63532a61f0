// The fake Slack answers like Slack: driven by Slack's own @slack/web-api client. And the hub's
// request verification agrees with @slack/bolt's, case by case, in both directions.
import { test, before, after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { WebClient, ErrorCode } from '@slack/web-api';
import { isValidSlackRequest } from '@slack/bolt';
import { startFakeSlack, slackSignature } from '../support/fake_slack.mjs';
import { startHub } from '../support/server.mjs';

let slack, hub, secretDir;

before(async () => {
  slack = await startFakeSlack({ users: { U2: { name: 'bob', display_name: 'Bob' } } });
  const dir = secretDir = mkdtempSync(join(tmpdir(), 'fake-slack-'));
  writeFileSync(join(dir, 'signing-secret'), slack.signingSecret + '\n');
  hub = await startHub({ env: { COHORTHUB_LOG_ACCESS: 'false',
    COHORTHUB_SLACK_SIGNING_SECRET_FILE: join(dir, 'signing-secret') } });
});
after(async () => { await hub?.stop(); await slack?.close(); if (secretDir) rmSync(secretDir, { recursive: true, force: true }); });

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

test('signatures: the hub and @slack/bolt agree on every case, Slack\'s documented example included', async () => {
  // Slack's "Verifying requests from Slack" example, checked by bolt (the hub's unit test checks the same).
  const docBody = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&' +
    'channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=' +
    'https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=' +
    '398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const docSignature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  assert.equal(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, docBody), docSignature);
  assert.ok(isValidSlackRequest({ signingSecret: '8f742231b10e8888abcd99yyyzzz85a5', body: docBody,
    headers: { 'x-slack-signature': docSignature, 'x-slack-request-timestamp': 1531420618 },
    nowMilliseconds: 1531420618 * 1000 }));

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
    const answer = await slack.push(hub.url + '/api/bridge/slack/events', body, { timestamp, signature });
    assert.equal(bolt, c.valid, `bolt: ${c.name}`);
    assert.equal(answer.status, c.valid ? 200 : 401, `hub: ${c.name}`);
    if (c.valid) assert.equal(answer.json.challenge, JSON.parse(body).challenge);
  }
  // No signature at all; and a timestamp from the future, which the hub refuses too (bolt checks staleness only).
  assert.equal((await slack.push(hub.url + '/api/bridge/slack/events', body, { signature: null })).status, 401);
  assert.equal((await slack.push(hub.url + '/api/bridge/slack/events', body, { timestamp: now + 360 })).status, 401);
});
