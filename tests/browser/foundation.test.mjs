// The web UI's foundation, end to end in headless Chromium against a real hub:
// log in, create a cohort and an invite, register from the link, the cohort home,
// the admin guard, API tokens, log out and in, a phone-sized viewport, and the CSP.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext } from '../support/browser.mjs';
import { startHub } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const MEMBER = { handle: 'grace', display: 'Grace Hopper', password: 'compiler-a0-1952' };
const COHORT = 'Spring 2025: Go and Rust maintainers';
const LATER_COHORT = 'Autumn 2099';
const TIMEOUT = 10_000;

let hub;
let browser;
const problems = []; // console errors, page errors, CSP violations, failed asset loads

const watch = (context, who) => watchContext(context, who, problems, TIMEOUT);

async function newContext(who, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  await watch(context, who);
  return context;
}

async function logIn(page, { handle, password }, next) {
  await page.goto(`${hub.url}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function assertNoHorizontalOverflow(page, what) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${what}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
}

describe('web foundation', { timeout: 60_000 }, () => {
  let adminContext, admin, memberContext, member, registerLink;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN });
    browser = await launchChromium();
    adminContext = await newContext('admin', { permissions: ['clipboard-read', 'clipboard-write'] });
    admin = await adminContext.newPage();
    memberContext = await newContext('member');
    member = await memberContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('sends a signed-out visitor to the login page, remembering where they were going', async () => {
    await admin.goto(`${hub.url}/admin`);
    await admin.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(admin.url()).searchParams.get('next'), '/admin');
    await admin.getByRole('heading', { name: 'Log in' }).waitFor();
  });

  it('shows an error for a wrong password and stays on the login page', async () => {
    await logIn(admin, { handle: ADMIN.handle, password: 'not-the-password' }, '/admin');
    const alert = admin.locator('form [role="alert"]');
    await alert.waitFor({ state: 'visible' });
    assert.notEqual((await alert.textContent()).trim(), '');
    assert.equal(new URL(admin.url()).pathname, '/login');
    await admin.screenshot({ path: join(artifacts, 'login-error.png') });
  });

  it('logs the admin in and follows ?next= to Admin', async () => {
    await logIn(admin, ADMIN, '/admin');
    await admin.waitForURL((u) => u.pathname === '/admin');
    await admin.getByRole('heading', { name: 'Admin', level: 1 }).waitFor();
    const nav = admin.getByRole('navigation', { name: 'Main' });
    for (const name of ['Cohort', 'Admin', 'Account']) await nav.getByRole('link', { name }).waitFor();
    await admin.getByRole('button', { name: 'Log out' }).waitFor();
  });

  it('lets the admin create a cohort and a member invite, and copy its register link', async () => {
    await admin.getByLabel('Name').fill(COHORT);
    await admin.getByLabel('Start date').fill('2025-03-03');
    await admin.getByRole('button', { name: 'Create cohort' }).click();
    await admin.getByText(`Created ${COHORT}`).waitFor();

    // The new cohort is selected in the invite form.
    const cohortSelect = admin.getByLabel('Cohort', { exact: true });
    assert.equal(await cohortSelect.locator('option:checked').textContent(), COHORT);
    await admin.getByLabel('Role').selectOption('member');
    assert.equal(await admin.getByLabel('Expires after (days)').inputValue(), '14');
    await admin.getByRole('button', { name: 'Create invite' }).click();

    const linkInput = admin.getByLabel('Register link');
    await linkInput.waitFor();
    registerLink = await linkInput.inputValue();
    assert.match(registerLink, new RegExp(`^${hub.url}/register\\?code=[^&\\s]+$`));
    const code = await admin.getByLabel('Invite code', { exact: true }).inputValue();
    assert.ok(registerLink.endsWith(encodeURIComponent(code)), 'the link carries the shown code');

    await admin.locator('.input-row', { has: linkInput }).getByRole('button', { name: 'Copy' }).click();
    await admin.getByText('Register link copied to the clipboard.').waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), registerLink);

    const invites = admin.getByRole('table', { name: 'Invites' });
    await invites.getByRole('row').filter({ hasText: COHORT }).filter({ hasText: 'pending' }).waitFor();
    await admin.screenshot({ path: join(artifacts, 'admin.png'), fullPage: true });
  });

  it('registers a new member from the link, with field errors shown where they belong', async () => {
    await member.goto(registerLink);
    await member.getByRole('heading', { name: 'Join your cohort' }).waitFor();
    const code = new URL(registerLink).searchParams.get('code');
    assert.equal(await member.getByLabel('Invite code').inputValue(), code);
    await member.getByText('At least 10 characters').waitFor();

    await member.getByLabel('Handle').fill(MEMBER.handle);
    await member.getByLabel('Display name').fill(MEMBER.display);
    const password = member.getByLabel('Password', { exact: true });
    await password.fill('short');
    await member.getByRole('button', { name: 'Show password' }).click();
    assert.equal(await password.getAttribute('type'), 'text');
    await member.getByRole('button', { name: 'Create account' }).click();
    // The hub rejects the password; its message sits under the password field.
    const passwordField = member.locator('.field', { has: password });
    await passwordField.locator('.field-error').waitFor({ state: 'visible' });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    await member.screenshot({ path: join(artifacts, 'register-error.png'), fullPage: true });

    await password.fill(MEMBER.password);
    await member.getByRole('button', { name: 'Create account' }).click();
    await member.waitForURL((u) => u.pathname === '/');
  });

  it('shows the new member their cohort home with themselves in the member list', async () => {
    await member.getByRole('heading', { name: COHORT }).waitFor();
    await member.getByText('1 member', { exact: true }).waitFor();
    const list = member.getByRole('list', { name: `Members of ${COHORT}` });
    const me = list.getByRole('listitem').filter({ hasText: MEMBER.display });
    await me.getByText(`@${MEMBER.handle}`).waitFor();
    await me.getByText('member', { exact: true }).waitFor();
    await member.getByText(MEMBER.display, { exact: true }).first().waitFor(); // top bar
    await member.screenshot({ path: join(artifacts, 'cohort-home.png'), fullPage: true });
  });

  it('keeps Admin away from a member', async () => {
    const nav = member.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Account' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Admin' }).count(), 0);
    await member.goto(`${hub.url}/admin`);
    await member.getByText('You are not allowed to use Admin.').waitFor();
    assert.equal(await member.getByRole('button', { name: 'Create invite' }).count(), 0);
  });

  it('shows the invite as used to the admin', async () => {
    await admin.reload();
    const invites = admin.getByRole('table', { name: 'Invites' });
    await invites.getByRole('row').filter({ hasText: COHORT }).filter({ hasText: 'used' }).waitFor();
  });

  it('lets someone who sees several cohorts switch between them, and remembers the choice', async () => {
    await admin.getByLabel('Name').fill(LATER_COHORT);
    await admin.getByLabel('Start date').fill('2099-09-01');
    await admin.getByRole('button', { name: 'Create cohort' }).click();
    await admin.getByText(`Created ${LATER_COHORT}`).waitFor();

    await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cohort' }).click();
    // The Admin page has a "Cohort" select too (its invite form): wait for the cohort page first.
    await admin.getByRole('heading', { name: COHORT }).waitFor();
    const switcher = admin.getByLabel('Cohort', { exact: true });
    await switcher.selectOption({ label: LATER_COHORT });
    await admin.getByRole('heading', { name: LATER_COHORT }).waitFor();
    await admin.getByText('No one has joined yet.').waitFor();
    await admin.getByText('Starts', { exact: true }).waitFor();

    await switcher.selectOption({ label: COHORT });
    await admin.getByRole('heading', { name: COHORT }).waitFor();
    await admin.reload();
    await admin.getByRole('heading', { name: COHORT }).waitFor();
    // The admin is not a member, but sees the member who joined.
    await admin.getByRole('listitem').filter({ hasText: `@${MEMBER.handle}` }).waitFor();
  });

  it('creates an API token that is shown once, lists it and revokes it', async () => {
    await member.goto(`${hub.url}/account`);
    await member.getByText(`@${MEMBER.handle}`, { exact: true }).waitFor();
    await member.getByLabel('Token name').fill('laptop CLI');
    await member.getByRole('button', { name: 'Create token' }).click();
    const secret = member.getByLabel('Token “laptop CLI”');
    await secret.waitFor();
    assert.ok((await secret.inputValue()).length >= 16, 'the token is shown');
    const row = member.getByRole('table', { name: 'API tokens' }).getByRole('row').filter({ hasText: 'laptop CLI' });
    await row.waitFor();
    await member.screenshot({ path: join(artifacts, 'account.png'), fullPage: true });
    await row.getByRole('button', { name: 'Revoke laptop CLI' }).click();
    await row.getByRole('button', { name: 'Revoke laptop CLI' }).click(); // confirm
    await member.getByText('Revoked laptop CLI.').waitFor();
    await member.getByText('No tokens yet.').waitFor();
  });

  it('moves the focus to a new page\'s heading, unless the person is already in one of its fields', async () => {
    const nav = member.getByRole('navigation', { name: 'Main' });
    const focused = () => member.evaluate(() => {
      const el = document.activeElement;
      return `${el.tagName} ${el.labels?.[0]?.textContent?.trim() ?? el.textContent.trim()}`;
    });
    // A move within the site: the heading takes the focus once the page is in, for screen readers.
    await nav.getByRole('link', { name: 'Cohort' }).click();
    await member.getByRole('heading', { name: COHORT }).waitFor();
    await nav.getByRole('link', { name: 'Account' }).click();
    await member.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await member.getByText('No tokens yet.').waitFor();
    await member.waitForFunction(() => document.activeElement?.tagName === 'H1');
    // The same move while the token list is slow: the form is there first, and the person starts
    // typing in it. The list arriving must not take the focus, and with it the rest of the typing.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await member.route('**/api/tokens', async (route) => { await held; await route.continue(); });
    try {
      await nav.getByRole('link', { name: 'Cohort' }).click();
      await member.getByRole('heading', { name: COHORT }).waitFor();
      await nav.getByRole('link', { name: 'Account' }).click();
      await member.getByLabel('Token name').focus();
      await member.keyboard.type('ci ');
      const listed = member.waitForResponse((r) => new URL(r.url()).pathname === '/api/tokens');
      release();
      await listed;
      await member.getByText('No tokens yet.').waitFor();
      await member.keyboard.type('runner');
      assert.equal(await focused(), 'INPUT Token name');
      assert.equal(await member.getByLabel('Token name').inputValue(), 'ci runner');
    } finally {
      release();
      await member.unroute('**/api/tokens');
    }
    await member.getByLabel('Token name').fill('');
  });

  it('logs the member out and back in', async () => {
    await member.getByRole('button', { name: 'Log out' }).click();
    await member.waitForURL((u) => u.pathname === '/login');
    await member.goto(`${hub.url}/`);
    await member.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/');
    await logIn(member, MEMBER);
    await member.waitForURL((u) => u.pathname === '/');
    await member.getByRole('heading', { name: COHORT }).waitFor();
  });

  it('fits a 375px-wide phone without horizontal scrolling', async () => {
    await member.setViewportSize({ width: 375, height: 740 });
    await member.reload();
    await member.getByRole('heading', { name: COHORT }).waitFor();
    await assertNoHorizontalOverflow(member, 'cohort home');
    await member.screenshot({ path: join(artifacts, 'phone.png'), fullPage: true });
    await member.goto(`${hub.url}/account`);
    await member.getByRole('heading', { name: 'API tokens' }).waitFor();
    await assertNoHorizontalOverflow(member, 'account');

    await admin.setViewportSize({ width: 375, height: 740 });
    await admin.goto(`${hub.url}/admin`);
    await admin.getByRole('table', { name: 'Invites' }).waitFor();
    await assertNoHorizontalOverflow(admin, 'admin');
    await admin.screenshot({ path: join(artifacts, 'phone-admin.png'), fullPage: true });
    await member.context().clearCookies();
    await member.goto(`${hub.url}/login`);
    await member.getByRole('heading', { name: 'Log in' }).waitFor();
    await assertNoHorizontalOverflow(member, 'login');
  });

  it('ran every page without CSP violations, console errors or failed loads', () => {
    assert.deepEqual(problems, []);
  });
});
