// The discussion page in headless Chromium against a real hub: two people see each other's
// messages live, an edit and a delete propagate, threads, unread counts, the Markdown preview,
// and a context that goes offline catches up when it comes back. A link back from Matrix or Slack
// (/channels/ID#message-ID) opens the channel at that message, older than the first page, marked;
// a wrong one says so.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const MEMBER = { handle: 'grace', password: 'compiler-a0-1952' };
const TIMEOUT = 10_000;

let hub, browser;
const problems = [];

const watch = (context, who) => watchContext(context, who, problems, TIMEOUT);

async function open(who, creds) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await watch(context, who);
  const page = await context.newPage();
  await page.goto(`${hub.url}/login?next=${encodeURIComponent('/channels')}`);
  await page.getByLabel('Handle').fill(creds.handle);
  await page.getByLabel('Password', { exact: true }).fill(creds.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => /^\/channels\/\d+$/.test(u.pathname));
  await page.locator('.live-status[data-state="live"]').waitFor();
  return { context, page };
}

const messages = (page) => page.getByRole('list', { name: /^Messages in/ });
async function send(page, text, shown = text) {
  await page.getByLabel(/^Message #/).fill(text);
  await page.getByRole('button', { name: 'Send' }).first().click();
  await messages(page).getByText(shown).waitFor();
}

describe('discussion page', { timeout: 60_000 }, () => {
  let a, b, general, random;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_DISCUSSION_POST_BURST: '100' } });  // 55 posts below
    const admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    const cohort = (await admin.post('/api/cohorts', { name: 'Browser cohort', starts_on: '2026-01-05' })).json.cohort.id;
    const code = (await admin.post('/api/invites', { role: 'member', cohort_id: cohort })).json.code;
    const reg = await new Client(hub.url).post('/api/register', { invite_code: code, handle: MEMBER.handle, display_name: 'Grace Hopper', password: MEMBER.password });
    assert.equal(reg.status, 201, reg.text);
    general = (await admin.post('/api/channels', { name: 'general', cohort_id: cohort, topic: 'Rates, renewals, anything' })).json.channel.id;
    random = (await admin.post('/api/channels', { name: 'random', cohort_id: cohort })).json.channel.id;
    browser = await launchChromium();
    a = await open('admin', ADMIN);
    b = await open('member', MEMBER);
    assert.equal(new URL(a.page.url()).pathname, `/channels/${general}`);
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows each side the other\'s messages live, rendered from Markdown', async () => {
    await send(a.page, 'Hello **everyone**', 'Hello everyone');
    await messages(b.page).getByText('Hello everyone').waitFor();
    assert.equal(await messages(b.page).locator('strong', { hasText: 'everyone' }).count(), 1);
    await send(b.page, 'Hi Ada, <script>alert(1)</script> glad to be here', 'glad to be here');
    await messages(a.page).getByText('glad to be here').waitFor();
    assert.equal(await a.page.locator('.message-body script').count(), 0);
  });

  it('previews Markdown in the composer before sending', async () => {
    await b.page.getByLabel(/^Message #/).fill('a *careful* draft');
    await b.page.getByRole('button', { name: 'Preview' }).first().click();
    await b.page.locator('.composer-preview em', { hasText: 'careful' }).waitFor();
    await b.page.getByLabel(/^Message #/).fill('');
  });

  it('propagates an edit and a delete', async () => {
    await send(a.page, 'Retainers start at 10k');
    const mine = messages(a.page).locator('.message', { hasText: 'Retainers start at 10k' });
    await mine.getByRole('button', { name: 'Edit' }).click();
    await a.page.getByLabel('Edit message').fill('Retainers start at 12k');
    await a.page.getByRole('button', { name: 'Save' }).click();
    const theirs = messages(b.page).locator('.message', { hasText: 'Retainers start at 12k' });
    await theirs.locator('.message-edited').waitFor();
    // Delete asks once more inline, as Revoke and Restore do: no blocking dialog.
    const edited = messages(a.page).locator('.message', { hasText: 'Retainers start at 12k' });
    await edited.getByRole('button', { name: /^Delete message/ }).click();
    await edited.getByRole('button', { name: /^Confirm delete/ }).click();
    await messages(b.page).getByText('This message was deleted.').waitFor();
    assert.equal(await messages(b.page).getByText('Retainers start at 12k').count(), 0);
  });

  it('threads: a reply shows in the thread and as a count on its root', async () => {
    await send(a.page, 'Who has a vendor form template?');
    const root = messages(b.page).locator('.message', { hasText: 'vendor form template' });
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    await b.page.getByLabel('Reply in thread').fill('I do, sharing it now');
    await b.page.locator('.thread-panel').getByRole('button', { name: 'Send' }).click();
    await b.page.locator('.thread-list').getByText('I do, sharing it now').waitFor();
    await messages(a.page).locator('.message', { hasText: 'vendor form template' }).getByRole('button', { name: '1 reply' }).waitFor();
    assert.equal(await messages(a.page).getByText('I do, sharing it now').count(), 0);
  });

  it('threads: a reply that arrives while the thread loads shows once', async () => {
    await send(a.page, 'Anyone signed the Open Source Pledge?');
    const root = messages(b.page).locator('.message', { hasText: 'Open Source Pledge' });
    await root.waitFor();
    // Hold b's thread fetch until a's reply has arrived live, the race CI once caught.
    let release;
    const held = new Promise((r) => { release = r; });
    await b.page.route(/\/messages\?.*thread=/, async (route) => { await held; await route.continue(); });
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    const list = (await admin.get(`/api/channels/${general}/messages?limit=5`)).json.items;
    const rootId = list.find((m) => /Open Source Pledge/.test(m.body ?? m.html ?? '')).id;
    assert.equal((await admin.post(`/api/channels/${general}/messages`, { body: 'We did, in 2025', thread_root: rootId })).status, 201);
    await b.page.locator('.thread-list').getByText('We did, in 2025').waitFor();
    release();
    await b.page.waitForLoadState('networkidle');
    await b.page.unroute(/\/messages\?.*thread=/);
    assert.equal(await b.page.locator('.thread-list').getByText('We did, in 2025').count(), 1);
  });

  it('counts unread messages in other channels, live', async () => {
    const admin = new Client(hub.url);
    await admin.post('/api/login', ADMIN);
    await admin.post(`/api/channels/${random}/messages`, { body: 'over here' });
    await b.page.getByRole('navigation', { name: 'Channels' }).getByLabel('1 unread').waitFor();
    await b.page.screenshot({ path: join(artifacts, 'discussion.png') });
  });

  it('catches up after going offline and coming back', async () => {
    await b.context.setOffline(true);
    await b.page.locator('.live-status[data-state="offline"]').waitFor();
    await send(a.page, 'Missed while offline 1');
    await send(a.page, 'Missed while offline 2');
    await b.page.waitForTimeout(300);
    assert.equal(await messages(b.page).getByText('Missed while offline').count(), 0);
    await b.context.setOffline(false);
    await b.page.locator('.live-status[data-state="live"]').waitFor();
    await messages(b.page).getByText('Missed while offline 2').waitFor();
    assert.equal(await messages(b.page).getByText('Missed while offline 1').count(), 1);
    await b.page.screenshot({ path: join(artifacts, 'discussion-caught-up.png') });
  });

  it('opens a link to a message older than the first page, marked and focused; a wrong one says so', async () => {
    const admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    const history = (await admin.post('/api/channels', { name: 'history' })).json.channel.id;
    const ids = [(await admin.post(`/api/channels/${history}/messages`, { body: 'old message 1' })).json.message.id];
    for (let i = 2; i <= 55; i += 9) {  // more than one page (50), the rest 9 at a time
      const batch = await Promise.all(Array.from({ length: 9 }, (_, j) =>
        admin.post(`/api/channels/${history}/messages`, { body: `old message ${i + j}` })));
      for (const posted of batch) assert.equal(posted.status, 201, posted.text);
      ids.push(...batch.map((posted) => posted.json.message.id).sort((x, y) => x - y));
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 }, reducedMotion: 'reduce' });
    await watch(context, 'link');
    const page = await context.newPage();
    // Signed out: the link survives the sign-in.
    await page.goto(`${hub.url}/channels/${history}#message-${ids[0]}`);
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByLabel('Handle').fill(ADMIN.handle);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const target = page.locator(`.message-list li[data-id="${ids[0]}"]`);
    await page.locator(`.message-list li[data-id="${ids[0]}"][aria-current="true"]`).waitFor();
    assert.equal(new URL(page.url()).hash, `#message-${ids[0]}`);
    assert.match(await target.textContent(), /old message 1\b/);
    assert.equal(await page.locator('.message-target').count(), 1);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), String(ids[0]));
    const box = await target.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 700, `the message is in view (${JSON.stringify(box)})`);
    assert.equal(await page.getByText('That message was deleted or is not in this channel.').count(), 0);

    // A wrong id: history is read to the channel's start, then the page says so.
    await page.evaluate(() => { location.hash = '#message-99999999'; });
    await page.getByText('That message was deleted or is not in this channel.').waitFor();
    assert.equal(await page.locator('.message-list li[aria-current="true"]').count(), 0);
    await page.getByText('old message 1', { exact: true }).waitFor();  // it looked as far back as there is
    // Another link on the same page (hashchange): the newest message, marked; the notice goes.
    await page.evaluate((id) => { location.hash = `#message-${id}`; }, ids.at(-1));
    await page.locator(`.message-list li[data-id="${ids.at(-1)}"][aria-current="true"]`).waitFor();
    assert.equal(await page.getByText('That message was deleted or is not in this channel.').count(), 0);
    await context.close();
  });

  it('raised no console errors, CSP violations or failed loads', () => {
    assert.deepEqual(problems, []);
  });
});
