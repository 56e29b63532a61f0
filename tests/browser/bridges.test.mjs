// The Bridges admin page in headless Chromium against a real hub: an admin mirrors a channel into
// a Matrix room (a malformed room id lands on its field), sees it listed with its health, and
// stops it with the inline confirmation; a member is told the page is for admins. Without
// [server] public_origin the page warns that links back to the hub do not work. axe-core finds
// no serious or critical problem, and no CSP violation, console error or failed load happens.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext, accessibilityProblems } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const TIMEOUT = 10_000;

let hub, browser, page;
const problems = [];

async function signIn(context, who) {
  const p = await context.newPage();
  await p.goto(`${hub.url}/login?next=/admin`);
  await p.getByLabel('Handle').fill(who.handle);
  await p.getByLabel('Password', { exact: true }).fill(who.password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.waitForURL((u) => u.pathname === '/admin' || u.pathname === '/');
  return p;
}

describe('web bridges page', { timeout: 60_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_LOG_ACCESS: 'false' } });
    const api = new Client(hub.url);
    await api.post('/api/login', ADMIN);
    assert.equal((await api.post('/api/channels', { name: 'maintainers' })).status, 201);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchContext(context, 'admin', problems, TIMEOUT);
    page = await signIn(context, ADMIN);
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
    assert.deepEqual(problems, []);
  });

  it('mirrors a channel into a Matrix room from Admin → Bridges, and stops it', async () => {
    await page.getByRole('link', { name: 'Bridges: mirror channels into Matrix and Slack' }).click();
    await page.getByRole('heading', { name: 'Bridges', level: 1 }).waitFor();
    await page.getByText('No channel is mirrored yet.').waitFor();
    // This hub has no [server] public_origin: messages cut for length cannot link back to it.
    const warning = page.getByRole('status').filter({ hasText: 'Set server.public_origin so that links back work.' });
    await warning.waitFor();
    assert.match(await warning.getAttribute('class'), /alert-warning/);
    assert.deepEqual(await accessibilityProblems(page), []);
    // On a desktop the menu is one row: the phone's Menu button stays hidden.
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Menu' }).isVisible(), false);

    await page.getByLabel('Hub channel').selectOption({ label: '#maintainers' });
    await page.getByLabel('Network').selectOption('matrix');
    await page.getByLabel('Room or channel id').fill('#maintainers:example.org');  // an alias, not a room id
    await page.getByRole('button', { name: 'Mirror this channel' }).click();
    const invalid = page.locator('#main [aria-invalid="true"]');
    await invalid.waitFor();
    assert.equal(await invalid.getAttribute('name'), 'remote_id');
    await page.getByText('A Matrix room id looks like !abc123:example.org.').waitFor();

    await page.getByLabel('Room or channel id').fill('!xyz789:example.org');
    await page.getByRole('button', { name: 'Mirror this channel' }).click();
    await page.getByText('#maintainers is now mirrored into Matrix !xyz789:example.org.').waitFor();
    const table = page.getByRole('table', { name: 'Mirrored channels' });
    const row = table.getByRole('row').filter({ hasText: '!xyz789:example.org' });
    await row.waitFor();
    assert.match(await row.textContent(), /#maintainers/);
    assert.match(await row.textContent(), /never/);  // nothing has gone either way yet
    assert.match(await row.textContent(), /OK/);
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: join(artifacts, 'bridges-admin.png'), fullPage: true });

    // The same room again is refused, in words.
    await page.getByLabel('Room or channel id').fill('!xyz789:example.org');
    await page.getByRole('button', { name: 'Mirror this channel' }).click();
    await page.getByText('That channel is already mapped on this network.').waitFor();

    const stop = row.getByRole('button', { name: /^Stop mirroring #maintainers/ });
    await stop.click();
    await row.getByRole('button', { name: /^Confirm stop mirroring #maintainers/ }).click();
    await page.getByText('#maintainers is no longer mirrored into !xyz789:example.org.').waitFor();
    await page.getByText('No channel is mirrored yet.').waitFor();
  });

  it('tells a member the page is for admins, and fits a phone', async () => {
    const admin = new Client(hub.url);
    await admin.post('/api/login', ADMIN);
    const code = (await admin.post('/api/invites', { role: 'member' })).json.code;
    const sam = { handle: 'sam', password: 'a long enough passphrase' };
    assert.equal((await new Client(hub.url).post('/api/register',
      { invite_code: code, handle: sam.handle, display_name: 'Sam', password: sam.password })).status, 201);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    await watchContext(context, 'sam', problems, TIMEOUT);
    const phone = await signIn(context, sam);
    await phone.goto(`${hub.url}/admin/bridges`);
    await phone.getByText('Bridges are for admins.').waitFor();
    const scroll = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(scroll <= 0, `no horizontal scroll on a phone (${scroll}px)`);
    await context.close();
  });
});
