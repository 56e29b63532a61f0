// Mail through a real SMTP server (aiosmtpd, tests/support/smtp_sink.py), parsed with Python's
// email package: headers and both parts; refusals, timeouts and dropped connections retried and
// delivered once; kill -9 between queueing and sending loses nothing and sends nothing twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHub, Client, cli } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp_sink.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
let sink, hub;

function mailEnv(extra = {}) {
  return {
    COHORTHUB_LOG_ACCESS: 'false',
    COHORTHUB_MAIL_SMTP_URL: sink.url,
    COHORTHUB_MAIL_STARTTLS: 'false',  // the loopback test server speaks plain SMTP
    COHORTHUB_MAIL_FROM: 'hub@example.org',
    COHORTHUB_MAIL_FROM_NAME: 'Test Hub',
    COHORTHUB_MAIL_TIMEOUT_MS: '700',
    COHORTHUB_MAIL_RETRY_BASE_MS: '50',
    COHORTHUB_MAIL_POLL_MS: '100',
    ...extra,
  };
}

before(async () => { sink = await startSmtpSink(); });
after(async () => { await hub?.stop(); sink?.stop(); });

// Resolves once the hub has recorded every delivery (the sink stores a message before it answers 250).
async function settled(admin) {
  for (;;) {
    const outbox = (await admin.get('/api/admin/mail/outbox')).json;
    if (outbox.queued + outbox.sending === 0) return outbox;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function adminClient() {
  const c = new Client(hub.url);
  assert.equal((await c.post('/api/login', ADMIN)).status, 200);
  return c;
}

test('a mailed invite arrives as multipart text and HTML with the right headers, once', async () => {
  hub = await startHub({ admin: ADMIN, env: mailEnv() });
  const admin = await adminClient();
  const bad = await admin.post('/api/invites', { email: 'x@example.org', name: 'Eve\r\nBcc: y@evil.example', role: 'member' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'name');
  const r = await admin.post('/api/invites', { email: 'nia@example.org', name: 'Nia Okafor', role: 'member' });
  assert.equal(r.status, 201, r.text);
  await sink.until(() => sink.messages().length === 1, 10000, 'the invitation');
  const [m] = sink.messages();
  assert.deepEqual(m.rcpt_tos, ['nia@example.org']);
  assert.equal(m.mail_from, 'hub@example.org');
  assert.equal(m.headers.From, 'Test Hub <hub@example.org>');
  assert.equal(m.headers.To, 'Nia Okafor <nia@example.org>');
  assert.equal(m.headers['Message-ID'], `<${r.json.message_id}>`);
  assert.equal(m.content_type, 'multipart/alternative');
  const link = /(http:\/\/127\.0\.0\.1:\d+\/register\?code=[\w-]+)/.exec(m.text);
  assert.ok(link, m.text);
  assert.match(m.html, /<a href="http:\/\/127\.0\.0\.1:\d+\/register\?code=/);
  assert.doesNotMatch(m.html, /<img|<script/);
  // The link registers an account: the code in the mail is the invite's.
  const code = new URL(link[1]).searchParams.get('code');
  const reg = await new Client(hub.url).post('/api/register',
    { invite_code: code, handle: 'nia', display_name: 'Nia', password: 'a long enough passphrase' });
  assert.equal(reg.status, 201, reg.text);
  const outbox = await settled(admin);
  assert.equal(outbox.sent, 1);
});

test('refused, timed out and dropped deliveries are retried and delivered once', async () => {
  const admin = await adminClient();
  const before = sink.messages().length;
  for (const mode of ['refuse 2', 'stall 1', 'drop 2']) {
    sink.mode(mode);
    const r = await admin.post('/api/invites', { email: `retry-${mode[0]}@example.org`, role: 'member' });
    assert.equal(r.status, 201, r.text);
    const id = `<${r.json.message_id}>`;
    await sink.until(() => sink.messages().some((m) => m.headers['Message-ID'] === id), 15000, mode);
    const tries = sink.attempts().filter((a) => a.endsWith(id));
    assert.equal(tries.length, Number(mode.split(' ')[1]) + 1, tries.join(', '));
  }
  const got = sink.messages().slice(before).map((m) => m.headers['Message-ID']);
  assert.equal(new Set(got).size, got.length, 'a message arrived twice');
  assert.equal(got.length, 3);
});

test('kill -9 between queueing and sending loses nothing and sends nothing twice', async () => {
  // A long timeout: the first message holds the sender in a stalled DATA while the second is queued.
  await hub.stop();
  hub = await startHub({ admin: ADMIN, env: mailEnv({ COHORTHUB_MAIL_TIMEOUT_MS: '60000' }) });
  const dataDir = hub.dataDir;
  let admin = await adminClient();
  sink.mode('stall 1');
  const first = await admin.post('/api/invites', { email: 'first@example.org', role: 'member' });
  assert.equal(first.status, 201);
  const firstId = `<${first.json.message_id}>`;
  await sink.until(() => sink.attempts().includes(`stall ${firstId}`), 10000, 'the stalled delivery');
  const second = await admin.post('/api/invites', { email: 'second@example.org', role: 'member' });
  assert.equal(second.status, 201);
  const secondId = `<${second.json.message_id}>`;
  await hub.stop({ signal: 'SIGKILL', keepData: true });

  hub = await startHub({ dataDir, env: mailEnv() });
  admin = await adminClient();
  await sink.until(() => sink.messages().some((m) => m.headers['Message-ID'] === secondId), 10000, 'the queued one');
  // The one in flight at the kill may or may not have reached the server: parked, never resent alone.
  const outbox = (await admin.get('/api/admin/mail/outbox')).json;
  assert.equal(outbox.parked.length, 1);
  assert.equal(outbox.parked[0].message_id, first.json.message_id);
  assert.match(outbox.parked[0].last_error, /interrupted/);
  assert.equal((await admin.post(`/api/admin/mail/outbox/${outbox.parked[0].id}/retry`)).status, 200);
  await sink.until(() => sink.messages().some((m) => m.headers['Message-ID'] === firstId), 10000, 'the retried one');
  const ids = sink.messages().map((m) => m.headers['Message-ID']);
  assert.equal(ids.filter((i) => i === firstId).length, 1);
  assert.equal(ids.filter((i) => i === secondId).length, 1);
});

test('send-test-mail checks the configuration from the command line', async () => {
  const env = mailEnv();
  const out = cli(['admin', 'send-test-mail', '--data-dir', hub.dataDir, '--to', 'ops@example.org'], { env });
  assert.match(out, /sent a test message to ops@example.org/);
  await sink.until(() => sink.messages().some((m) => m.rcpt_tos[0] === 'ops@example.org'), 5000, 'the test mail');
  assert.throws(() => cli(['admin', 'send-test-mail', '--data-dir', hub.dataDir, '--to', 'bad address'], { env }), /to/);
  sink.mode('refuse 1');
  assert.throws(() => cli(['admin', 'send-test-mail', '--data-dir', hub.dataDir, '--to', 'ops@example.org'], { env }), /451|SMTP/);
  sink.mode('accept');
});

test('mention mail carries a one-click unsubscribe that works once, without login, for that preference only', async () => {
  const admin = await adminClient();
  const members = {};
  for (const handle of ['sam', 'lee']) {
    const invite = await admin.post('/api/invites', { role: 'member' });
    const c = new Client(hub.url);
    assert.equal((await c.post('/api/register',
      { invite_code: invite.json.code, handle, display_name: handle, password: 'a long enough passphrase' })).status, 201);
    assert.equal((await c.put('/api/me/mail', { address: `${handle}@example.org`, digest: 'daily' })).status, 200);
    members[handle] = c;
  }
  const channel = (await admin.post('/api/channels', { name: 'mail-test' })).json.channel.id;
  assert.equal((await admin.post(`/api/channels/${channel}/messages`, { body: 'welcome @sam' })).status, 201);
  const toSam = () => sink.messages().filter((m) => m.rcpt_tos[0] === 'sam@example.org');
  await sink.until(() => toSam().length === 1, 10000, 'the mention mail');
  const [m] = toSam();
  assert.equal(m.headers.Subject, '@ada mentioned you in #mail-test');
  assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  assert.match(m.text, /welcome @sam/);
  assert.match(m.html, /welcome @sam/);
  const url = /^<(http:\/\/127\.0\.0\.1:\d+\/api\/unsubscribe\?token=[\w.-]+)>$/.exec(m.headers['List-Unsubscribe'])[1];

  // What a mail provider sends (RFC 8058): a form POST, no cookie, no Origin.
  const oneClick = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click' });
  assert.equal((await oneClick()).status, 200);
  const prefs = (await members.sam.get('/api/me/mail')).json;
  assert.equal(prefs.mentions, false);
  assert.equal(prefs.digest, 'daily');
  assert.equal(prefs.reviews, true);
  assert.equal((await oneClick()).status, 409);
  const forged = url.replace('.mentions.', '.digest.');
  assert.equal((await fetch(forged, { method: 'POST' })).status, 400);
  assert.equal((await members.sam.get('/api/me/mail')).json.digest, 'daily');

  assert.equal((await admin.post(`/api/channels/${channel}/messages`, { body: 'again @sam and @lee' })).status, 201);
  await sink.until(() => sink.messages().some((x) => x.rcpt_tos[0] === 'lee@example.org'), 10000, "lee's mention");
  await settled(admin);
  assert.equal(toSam().length, 1, 'sam unsubscribed from mentions but got one');
});

test('an admin queues digests now: each member gets what their pages show, as multipart mail', async () => {
  const admin = await adminClient();
  // sam's own pipeline: a renewal due in 15 days, a client gone quiet, and one recently contacted.
  const sam = new Client(hub.url);
  assert.equal((await sam.post('/api/login', { handle: 'sam', password: 'a long enough passphrase' })).status, 200);
  const day = (offset) => new Date(Date.now() + offset * 86400e3).toISOString().slice(0, 10);
  const deal = { tier: 'sustaining', annual_amount: 30000, currency: 'USD', ecosystem: 'go', region: 'europe',
    hours_per_month: 8, channel: 'referral', shared: false };
  for (const e of [
    { label: 'Renewing Rockets', stage: 'active', first_contact_on: day(-400), signed_on: day(-350), last_contact_on: day(-2) },
    { label: 'Quiet Quarries', stage: 'quoted', first_contact_on: day(-70) },
    { label: 'Chatty Chemicals', stage: 'talking', first_contact_on: day(-30), last_contact_on: day(-1) },
  ]) assert.equal((await sam.post('/api/engagements', { ...deal, ...e })).status, 201);
  const r = await admin.post('/api/admin/mail/digests');
  assert.equal(r.status, 202, r.text);
  assert.ok(r.json.queued >= 2);
  const digestTo = (who) => sink.messages().find((m) => m.rcpt_tos[0] === who && /digest/.test(m.headers.Subject));
  await sink.until(() => digestTo('sam@example.org') && digestTo('lee@example.org'), 10000, 'the digests');
  const toSam = digestTo('sam@example.org');
  assert.equal(toSam.headers.Subject, 'Your daily cohorthub digest');
  assert.match(toSam.text, /#mail-test/);
  assert.match(toSam.html, /<h2>Unread in your channels<\/h2>/);
  assert.match(toSam.headers['List-Unsubscribe'], /token=v1\.\d+\.digest\./);
  assert.doesNotMatch(toSam.html, /<img/);
  // Their own renewals and quiet clients, for the owner alone.
  assert.match(toSam.text, new RegExp(`## Your renewals in the next 30 days\\r?\\n\\r?\\n- Renewing Rockets: due ${day(15)}`));
  assert.match(toSam.text, new RegExp(`## Clients gone quiet\\r?\\n\\r?\\n- Quiet Quarries: last contact ${day(-70)}`));
  assert.match(toSam.html, /<h2>Clients gone quiet<\/h2>/);
  assert.doesNotMatch(toSam.text, /Chatty Chemicals/);
  const toLee = digestTo('lee@example.org');
  for (const privateText of [/Renewing Rockets/, /Quiet Quarries/, /renewals in the next 30 days/, /gone quiet/])
    assert.doesNotMatch(`${toLee.text}\n${toLee.html}`, privateText);
});

test('review request mail reaches the reviewers who asked, once, and its unsubscribe turns off only it', async () => {
  const admin = await adminClient();
  const login = async (handle) => {
    const c = new Client(hub.url);
    assert.equal((await c.post('/api/login', { handle, password: 'a long enough passphrase' })).status, 200);
    return c;
  };
  const sam = await login('sam'), lee = await login('lee');
  for (const c of [sam, lee]) assert.equal((await c.put('/api/me/mail', { review_requests: true })).status, 200);
  assert.equal((await admin.post('/api/playbooks', { slug: 'renewals', title: 'Asking for a renewal',
    content: 'Ask early.\n', required_approvals: 1 })).status, 201);
  const opened = await lee.post('/api/playbooks/renewals/proposals',
    { base_revision: 1, content: 'Ask early, in writing.\n', summary: 'In writing' });
  assert.equal(opened.status, 201, opened.text);
  const id = opened.json.proposal.id;
  const asked = () => sink.messages().filter((m) => m.headers.Subject === 'Review requested: Asking for a renewal');
  await sink.until(() => asked().length >= 1, 10000, 'the review request');
  await settled(admin);
  assert.deepEqual(asked().map((m) => m.rcpt_tos[0]), ['sam@example.org'], 'once, and never to lee, the author');
  const [m] = asked();
  assert.equal(m.content_type, 'multipart/alternative');
  assert.equal(m.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  assert.match(m.text, /\*\*@lee\*\* asks for your review of a change to \*\*Asking for a renewal\*\*/);
  assert.match(m.text, new RegExp(`/proposals/${id}>`));
  assert.match(m.html, new RegExp(`<a href="http://127\\.0\\.0\\.1:\\d+/proposals/${id}">Review the proposal</a>`));
  assert.match(m.html, /<blockquote>\s*<p>In writing<\/p>/);
  const url = /^<(http:\/\/127\.0\.0\.1:\d+\/api\/unsubscribe\?token=v1\.\d+\.review_requests\.[\w.-]+)>$/
    .exec(m.headers['List-Unsubscribe'])[1];

  const before = (await sam.get('/api/me/mail')).json;
  const oneClick = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click' });
  assert.equal((await oneClick()).status, 200);
  assert.deepEqual((await sam.get('/api/me/mail')).json, { ...before, review_requests: false });
  assert.equal((await oneClick()).status, 409);
  assert.equal((await lee.get('/api/me/mail')).json.review_requests, true, "lee's preference is lee's");

  // A new version awaits review again, but sam turned this mail off.
  const updated = await lee.put(`/api/proposals/${id}`, { base_revision: 1, content: 'Ask early, in writing, twice.\n' });
  assert.equal(updated.status, 200, updated.text);
  await settled(admin);
  assert.equal(asked().length, 1);
});
