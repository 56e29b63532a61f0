// The mail pages in headless Chromium against a real hub and a real SMTP server (aiosmtpd): mail
// preferences on the Account page, mailing an invite and the outbox at /admin/mail, and the
// unsubscribe page a message links to, used without logging in. No CSP violation, console error
// or failed load on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext, accessibilityProblems } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';
import { startSmtpSink } from '../support/smtp_sink.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const TIMEOUT = 10_000;

let hub, sink, browser, page;
const problems = [];

describe('web mail pages', { timeout: 60_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    sink = await startSmtpSink();
    hub = await startHub({ admin: ADMIN, env: {
      COHORTHUB_MAIL_SMTP_URL: sink.url, COHORTHUB_MAIL_STARTTLS: 'false', COHORTHUB_MAIL_FROM: 'hub@example.org',
      COHORTHUB_MAIL_TIMEOUT_MS: '1000', COHORTHUB_MAIL_POLL_MS: '100', COHORTHUB_LOG_ACCESS: 'false' } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchContext(context, 'admin', problems, TIMEOUT);
    page = await context.newPage();
    await page.goto(`${hub.url}/login?next=/account`);
    await page.getByLabel('Handle').fill(ADMIN.handle);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/account');
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    sink?.stop();
    assert.deepEqual(problems, []);
  });

  it('saves mail preferences on the Account page; a bad address lands on its field', async () => {
    await page.getByRole('heading', { name: 'Mail', level: 2 }).waitFor();
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Save mail settings' }).click();
    await page.locator('#main [aria-invalid="true"]').waitFor();
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.getByLabel('Digest', { exact: true }).selectOption('daily');
    await page.getByLabel('Mail me at once when someone mentions me').uncheck();
    const reviewBox = page.getByLabel('Mail me at once when a proposal awaits my review');
    assert.equal(await reviewBox.isChecked(), false, 'review request mail is off until asked for');
    await reviewBox.check();
    await page.getByRole('button', { name: 'Save mail settings' }).click();
    await page.getByText('Mail settings saved.').waitFor();
    const api = new Client(hub.url);
    await api.post('/api/login', ADMIN);
    const prefs = (await api.get('/api/me/mail')).json;
    assert.equal(prefs.address, 'ada@example.org');
    assert.equal(prefs.digest, 'daily');
    assert.equal(prefs.mentions, false);
    assert.equal(prefs.reviews, true);
    assert.equal(prefs.review_requests, true);
    await page.screenshot({ path: join(artifacts, 'mail-account.png'), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page), [], 'the Account page with mail preferences');
  });

  it('mails an invite from /admin/mail and shows the outbox', async () => {
    await page.getByRole('link', { name: 'Mail an invite, and see the outbox' }).click();
    await page.getByRole('heading', { name: 'Mail', level: 1 }).waitFor();
    await page.getByLabel('Email address').fill('eve@example');
    await page.getByRole('button', { name: 'Mail the invite' }).click();
    await page.locator('#main [aria-invalid="true"]').waitFor();
    await page.getByLabel('Email address').fill('eve@example.org');
    await page.getByLabel('Name (optional)').fill('Eve');
    await page.getByRole('button', { name: 'Mail the invite' }).click();
    await page.getByText('Invite queued for eve@example.org').waitFor();
    await sink.until(() => sink.messages().some((m) => m.rcpt_tos[0] === 'eve@example.org'), TIMEOUT, 'the invite');
    // The sink stores a message before it answers 250: reload until the hub has recorded it.
    const counts = page.locator('[data-outbox="counts"]');
    for (let i = 0; i < 50; i++) {
      await page.reload();
      if (/1 sent/.test(await counts.textContent())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(await counts.textContent(), /0 queued, 0 sending, 1 sent, 0 parked/);
    await page.screenshot({ path: join(artifacts, 'mail-admin.png'), fullPage: true });
  });

  it('opens the unsubscribe link of a message without logging in; it turns off that mail only, once', async () => {
    const admin = new Client(hub.url);
    await admin.post('/api/login', ADMIN);
    const code = (await admin.post('/api/invites', { role: 'member' })).json.code;
    const sam = new Client(hub.url);
    assert.equal((await sam.post('/api/register',
      { invite_code: code, handle: 'sam', display_name: 'Sam', password: 'a long enough passphrase' })).status, 201);
    await sam.put('/api/me/mail', { address: 'sam@example.org' });
    const channel = (await admin.post('/api/channels', { name: 'web' })).json.channel.id;
    await admin.post(`/api/channels/${channel}/messages`, { body: 'hi @sam' });
    await sink.until(() => sink.messages().some((m) => m.rcpt_tos[0] === 'sam@example.org'), TIMEOUT, 'the mention');
    const mail = sink.messages().find((m) => m.rcpt_tos[0] === 'sam@example.org');
    const link = /(http:\/\/\S+\/unsubscribe\?token=[\w.-]+)/.exec(mail.text)[1];

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchContext(context, 'anonymous', problems, TIMEOUT);
    const anon = await context.newPage();
    await anon.goto(link);
    const stop = anon.getByRole('button', { name: 'Stop mail when someone mentions you' });
    await stop.waitFor();
    assert.equal((await sam.get('/api/me/mail')).json.mentions, true, 'opening the page changed nothing');
    await stop.click();
    await anon.getByText(/Done: you will get no more mail when someone mentions you/).waitFor();
    const prefs = (await sam.get('/api/me/mail')).json;
    assert.equal(prefs.mentions, false);
    assert.equal(prefs.digest, 'weekly');
    await anon.reload();
    await anon.getByText('You are already unsubscribed from mail when someone mentions you.').waitFor();
    await anon.screenshot({ path: join(artifacts, 'mail-unsubscribe.png'), fullPage: true });
    await context.close();
  });
});
