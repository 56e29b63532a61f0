// A newcomer's first hour in headless Chromium, on a demo hub (`init --demo`): every page shows
// the "Demo data" banner and has something in it. One hub and one browser for the whole file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext, accessibilityProblems, menuLink } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const TIMEOUT = 10_000;

let hub, browser, password;
const problems = [];
const a11y = [];  // axe-core's serious and critical findings, by page

async function checkAccessibility(page, label) {
  for (const v of await accessibilityProblems(page)) a11y.push(`${label}: ${v}`);
}

// A fresh browser context signed in as `handle`, at `viewport`.
async function signedIn(handle, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await watchContext(context, handle, problems, TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${hub.url}/login`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  return page;
}

// Presses Tab (Shift+Tab with back) until the focused element's label (or name) is `name`: the
// keyboard's way there.
async function tabTo(page, name, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? (el.labels?.[0]?.textContent || el.getAttribute('aria-label') || el.textContent || '').trim() : '';
    });
    if (name instanceof RegExp ? name.test(focused) : focused === name) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

async function visit(page, path, heading) {
  await page.goto(`${hub.url}${path}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await page.getByText('Demo data', { exact: true }).waitFor();
}

describe('a newcomer on a demo hub', { timeout: 120_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ demo: true, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '100' } });
    password = /password ([A-Za-z0-9_-]+)/.exec(readFileSync(join(hub.dataDir, 'demo-logins.txt'), 'utf8'))[1];
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows the demo banner on the login page, before anyone signs in', async () => {
    const context = await browser.newContext();
    await watchContext(context, 'visitor', problems, TIMEOUT);
    const page = await context.newPage();
    await page.goto(`${hub.url}/login`);
    await page.getByText('Demo data', { exact: true }).waitFor();
    await checkAccessibility(page, '/login');
    await page.goto(`${hub.url}/register`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await checkAccessibility(page, '/register');
    await context.close();
    assert.deepEqual(a11y, []);
  });

  it('gives a member data on every page: cohort, discussion, pipeline, rates, success, playbooks, checklists', async () => {
    const page = await signedIn('sam');
    await visit(page, '/', 'Cohort');
    await page.getByText('Noor Haddad').first().waitFor();
    await checkAccessibility(page, '/');
    await visit(page, '/channels', 'Discussion');
    await page.locator('.message-list > li').first().waitFor();
    await checkAccessibility(page, '/channels');
    await visit(page, '/pipeline', 'Pipeline');
    // The heading shows before the engagements load: wait for the rows, then count them.
    const rows = page.getByRole('table', { name: 'My engagements' }).locator('tbody tr');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4);
    await checkAccessibility(page, '/pipeline');
    const fit = await page.locator('.pipeline-list').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(fit[0] <= fit[1], `the pipeline table is ${fit[0]}px wide in ${fit[1]}px at 1280px`);
    // Errors name the field by its label, in words.
    await page.getByLabel('Client (private label)').fill('Acme');
    await page.getByLabel('Annual amount').fill('0');
    await page.getByRole('button', { name: 'Add engagement' }).click();
    await page.getByText('Annual amount must be between 1 and 100,000,000.').waitFor();
    await visit(page, '/rates', 'Rates');
    await page.locator('svg.rates-chart').first().waitFor();
    assert.ok(await page.locator('svg.rates-chart line.chart-median').count() >= 3, 'medians by tier and region');
    await page.getByText(/Suppressed/).first().waitFor();
    await checkAccessibility(page, '/rates');
    await visit(page, '/success', 'Cohort success');
    await page.locator('svg.survival-chart path.chart-curve').waitFor();
    await page.getByText('Not enough renewals yet to tell').waitFor();
    await checkAccessibility(page, '/success');
    await visit(page, '/playbooks', 'Playbooks');
    await page.getByRole('link', { name: 'Talking about rates' }).waitFor();
    await checkAccessibility(page, '/playbooks');
    await page.getByLabel('Search playbooks').fill('reciprocal');
    await page.getByRole('button', { name: 'Search' }).click();
    const snippet = page.getByRole('list', { name: 'Search results' }).locator('.search-snippet').first();
    await snippet.waitFor();
    assert.doesNotMatch(await snippet.textContent(), /\*\*|\[ \]/, 'snippets read as text, not Markdown');
    await page.getByRole('link', { name: 'Talking about rates' }).click();
    await page.getByRole('heading', { name: 'Talking about rates', level: 1 }).waitFor();
    await checkAccessibility(page, '/playbooks/talking-about-rates');
    await visit(page, '/playbooks/talking-about-rates/history', 'History');
    await page.getByText('Pointed to the Rates page.').waitFor();
    await checkAccessibility(page, '/playbooks/talking-about-rates/history');
    await visit(page, '/account', 'Account');
    await checkAccessibility(page, '/account');
    await visit(page, '/assignments', 'Checklists');
    await page.getByText('Your first month in a cohort').first().waitFor();
    await checkAccessibility(page, '/assignments');
    // Templates the members wrote, used and rated, with sam's saved documents.
    await visit(page, '/templates', 'Templates');
    const recap = page.getByRole('list', { name: 'Templates' }).getByRole('listitem').filter({ hasText: 'Client call recap' });
    await recap.getByText('v1.1.0').waitFor();
    await recap.getByText('3 members used it').waitFor();
    await page.getByRole('list', { name: 'Templates' }).getByRole('listitem').filter({ hasText: 'fork' }).first().waitFor();
    await checkAccessibility(page, '/templates');
    await visit(page, '/documents', 'My documents');
    const documents = page.getByRole('list', { name: 'My documents' });
    await documents.getByRole('link', { name: 'Call recap: Initrode Systems' }).waitFor();
    assert.equal(await documents.getByRole('listitem').count(), 2, "sam's own two, nobody else's");
    // Back on the cohort home, it says what changed since the first visit above.
    await visit(page, '/', 'Your cohort');
    await page.getByRole('heading', { name: /^Since your last visit/ }).waitFor();
    await page.screenshot({ path: join(artifacts, 'firsthour-checklists.png'), fullPage: true });
    await page.context().close();
    assert.deepEqual(a11y, []);
  });

  it('lets a mentor open a channel from the page; messages show their time; reactions have names', async () => {
    const mira = await signedIn('mira');
    await visit(mira, '/channels', 'Discussion');
    const first = mira.locator('.message-list > li').first();
    await first.waitFor();
    assert.match(await first.locator('time').textContent(), /\d{1,2}:\d{2}/);
    await mira.locator('.message-list').getByRole('button', { name: /^React with (thumbs up|party|heart)/ }).first().waitFor();
    await mira.getByText('New channel', { exact: true }).click();
    await mira.getByLabel('Channel name').fill('pricing-clinic');
    await mira.getByLabel('Topic (optional)').fill('Bring a quote, leave with a better one');
    const where = mira.getByLabel('Who can read it');
    await where.selectOption(await where.locator('option', { hasText: 'Demo cohort 1:' }).getAttribute('value'));
    await mira.getByRole('button', { name: 'Create channel' }).click();
    await mira.getByRole('heading', { name: '# pricing-clinic', level: 2 }).waitFor();
    await mira.getByText('Bring a quote, leave with a better one').waitFor();
    await mira.getByRole('button', { name: 'Rename', exact: true }).click();
    await mira.getByLabel('New name').fill('pricing-clinic-weekly');
    await mira.getByRole('button', { name: 'Save name' }).click();
    await mira.getByRole('heading', { name: '# pricing-clinic-weekly', level: 2 }).waitFor();
    await mira.getByRole('navigation', { name: 'Channels' }).getByText('# pricing-clinic-weekly').waitFor();
    await checkAccessibility(mira, '/channels (mentor)');

    // Archiving: an admin watching the channel sees it turn read-only live, without reloading.
    await mira.getByLabel('Message # pricing-clinic-weekly').fill('Send me your quotes before Thursday.');
    await mira.getByRole('button', { name: 'Send', exact: true }).click();
    await mira.locator('.message-list > li', { hasText: 'Send me your quotes before Thursday.' }).waitFor();
    const ada = await signedIn('ada');
    await ada.goto(`${hub.url}${new URL(mira.url()).pathname}`);
    await ada.getByRole('heading', { name: '# pricing-clinic-weekly', level: 2 }).waitFor();
    await ada.locator('.live-status[data-state="live"]').waitFor();
    await ada.getByLabel('Message # pricing-clinic-weekly').waitFor();
    await mira.getByRole('button', { name: 'Archive # pricing-clinic-weekly' }).click();
    await mira.getByText('This channel is archived').waitFor();
    const archived = mira.getByRole('list', { name: 'Archived' });
    await archived.getByText('# pricing-clinic-weekly').waitFor();
    assert.equal(await mira.getByLabel('Message # pricing-clinic-weekly').count(), 0, 'no composer');
    const kept = mira.locator('.message-list > li', { hasText: 'Send me your quotes before Thursday.' });
    await kept.waitFor();
    assert.equal(await kept.getByRole('button', { name: /^React with/ }).count(), 0, 'no reactions');
    assert.equal(await kept.getByRole('button', { name: 'Edit' }).count(), 0, 'no edits');
    await ada.getByText('This channel is archived').waitFor();  // live, from the channel.updated event
    assert.equal(await ada.getByLabel('Message # pricing-clinic-weekly').count(), 0);
    await checkAccessibility(mira, '/channels (archived)');
    await mira.getByRole('button', { name: 'Unarchive # pricing-clinic-weekly' }).click();
    await mira.getByLabel('Message # pricing-clinic-weekly').waitFor();
    await ada.getByLabel('Message # pricing-clinic-weekly').waitFor();
    assert.equal(await mira.getByRole('list', { name: 'Archived' }).count(), 0);
    await ada.context().close();
    await mira.context().close();
    assert.deepEqual(a11y, []);
  });

  it('gives a mentor mentees with progress, and an admin the cohorts', async () => {
    const mira = await signedIn('mira');
    await visit(mira, '/mentoring', 'Mentoring');
    await mira.getByRole('region', { name: 'Sam Ferreira' }).waitFor();
    await checkAccessibility(mira, '/mentoring');
    await mira.context().close();
    const ada = await signedIn('ada');
    await visit(ada, '/admin', 'Admin');
    await ada.getByRole('heading', { name: 'Invite someone' }).waitFor();
    assert.equal(await ada.getByLabel('Cohort', { exact: true }).locator('option', { hasText: 'Demo cohort 3:' }).count(), 1);
    await checkAccessibility(ada, '/admin');
    // "New cohort" comes before "Invite someone".
    const titles = await ada.locator('.card-title').allTextContents();
    assert.ok(titles.indexOf('New cohort') < titles.indexOf('Invite someone'), titles.join(', '));
    // An invite is withdrawn inline, with a second click to confirm.
    await ada.getByRole('button', { name: 'Create invite' }).click();
    await ada.getByText(/Invite created/).waitFor();
    const pending = ada.getByRole('table', { name: 'Invites' }).getByRole('row').filter({ hasText: 'pending' }).first();
    await pending.getByRole('button', { name: /^Withdraw/ }).click();
    await pending.getByRole('button', { name: /^Confirm withdraw/ }).click();
    await ada.getByText(/Its link no longer works/).waitFor();
    await ada.getByRole('table', { name: 'Invites' }).getByText('revoked').first().waitFor();
    // Someone who already has an account joins another cohort.
    await ada.getByLabel('Their handle').fill('jonas');
    const into = ada.getByLabel('Add to cohort');
    await into.selectOption(await into.locator('option', { hasText: 'Demo cohort 1:' }).getAttribute('value'));
    await ada.getByRole('button', { name: 'Add to cohort' }).click();
    await ada.getByText(/Added @jonas to Demo cohort 1/).waitFor();
    // …and someone's role changes from the page.
    await ada.getByLabel('Handle of the person').fill('noor');
    await ada.getByLabel('Change to').selectOption('mentor');
    await ada.getByRole('button', { name: 'Change role' }).click();
    await ada.getByText('Noor Haddad (@noor) is now a mentor.').waitFor();
    await ada.context().close();
    assert.deepEqual(a11y, []);
    assert.deepEqual(problems, []);
  });

  it('lets a newcomer register, add to their pipeline and post a message with the keyboard alone', async () => {
    const ada = new Client(hub.url);
    assert.equal((await ada.post('/api/login', { handle: 'ada', password })).status, 200);
    const cohort = (await ada.get('/api/cohorts')).json.items[2].id;
    const { code } = (await ada.post('/api/invites', { role: 'member', cohort_id: cohort })).json;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watchContext(context, 'newcomer', problems, TIMEOUT);
    const page = await context.newPage();
    // Should a step time out, the error says what the page had asked and showed by then.
    const calls = [];
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) calls.push(`${r.request().method()} ${u.pathname} ${r.status()}`);
    });
    await page.goto(`${hub.url}/register?code=${encodeURIComponent(code)}`);
    try {
      await keyboardOnly(page);
    } catch (err) {
      const shown = await page.evaluate(() => ({
        focused: `${document.activeElement?.tagName} ${document.activeElement?.id || ''}`,
        alerts: [...document.querySelectorAll('[role="alert"]:not([hidden]), .field-error:not([hidden])')].map((e) => e.textContent),
        typed: [...document.querySelectorAll('input[name="label"], input[name="annual_amount"]')].map((e) => `${e.name}=${e.value}`),
      })).catch(() => ({}));
      throw new Error(`${err.message}\nAPI answers: ${calls.join(', ')}\nfocus: ${shown.focused}; `
        + `alerts: ${JSON.stringify(shown.alerts)}; fields: ${shown.typed}`, { cause: err });
    }
    await context.close();
    assert.deepEqual(a11y, []);
    assert.deepEqual(problems, []);
  });

  // Registers from the page at /register?code=…, adds to the pipeline and posts, by keyboard.
  async function keyboardOnly(page) {
    await page.getByRole('heading', { level: 1 }).waitFor();
    await tabTo(page, 'Handle');
    await page.keyboard.type('newcomer');
    await tabTo(page, 'Display name');
    await page.keyboard.type('New Comer');
    await tabTo(page, 'Password');
    await page.keyboard.type('a long enough passphrase');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your next steps' }).waitFor();
    await checkAccessibility(page, '/ (a newcomer)');
    await tabTo(page, 'Fill your pipeline');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pipeline', level: 1 }).waitFor();
    await tabTo(page, 'Client (private label)');
    await page.keyboard.type('Initech');
    await tabTo(page, 'Annual amount');
    await page.keyboard.type('30000');
    await page.keyboard.press('Enter');
    await page.getByRole('table', { name: 'My engagements' }).getByText('Initech').waitFor();
    await tabTo(page, 'Discussion', { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Discussion', level: 1 }).waitFor();
    await tabTo(page, /^Message #/);
    await page.keyboard.type('Hello from the keyboard.');
    await page.keyboard.press('Control+Enter');
    await page.locator('.message-list').getByText('Hello from the keyboard.').waitFor();
  }

  it('fits a 390px phone: no page scrolls sideways, and the menu sits behind a Menu button', async () => {
    const page = await signedIn('sam', { width: 390, height: 844 });
    const nav = page.getByRole('navigation', { name: 'Main' });
    const menu = nav.getByRole('button', { name: 'Menu' });
    await menu.waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Rates', exact: true }).isVisible(), false);
    // Each page once its data is in: what could push it wider than the phone.
    for (const [path, heading, loaded] of [['/', 'Your cohort', '.next-steps'], ['/channels', 'Discussion', '.message-list > li'],
      ['/pipeline', 'Pipeline', '.pipeline-table'], ['/rates', 'Rates', 'svg.rates-chart'], ['/success', 'Cohort success', 'svg.survival-chart'],
      ['/playbooks', 'Playbooks', '.playbook-list'], ['/admin', 'Admin', '.card']]) {
      await visit(page, path, heading);
      await page.locator(loaded).first().waitFor();
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `${path}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
    }
    await (await menuLink(page, 'Rates')).click();
    await page.getByRole('heading', { name: 'Rates', level: 1 }).waitFor();
    await page.screenshot({ path: join(artifacts, 'firsthour-phone-rates.png'), fullPage: true });
    await page.context().close();
    assert.deepEqual(problems, []);
  });

  it('passes axe-core on the pages the other tests do not audit', async () => {
    const sam = new Client(hub.url);
    assert.equal((await sam.post('/api/login', { handle: 'sam', password })).status, 200);
    const channel = (await sam.get('/api/channels')).json.items[0].id;
    const template = (await sam.get('/api/templates')).json.items[0].slug;
    const assignment = (await sam.get('/api/assignments')).json.items[0].id;
    const check = async (page, path) => {
      await page.goto(`${hub.url}${path}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      await checkAccessibility(page, path);
    };
    const member = await signedIn('sam');
    for (const path of [`/channels/${channel}`, '/playbooks/new', '/playbooks/talking-about-rates/proposals',
      `/templates/${template}`, '/templates/new', '/documents', `/assignments/${assignment}`, '/unsubscribe']) {
      await check(member, path);
    }
    await member.context().close();
    const admin = await signedIn('ada');
    for (const path of ['/admin/mail', '/admin/bridges']) await check(admin, path);
    await admin.context().close();
    assert.deepEqual(a11y, []);
    assert.deepEqual(problems, []);
  });

  it('shows a desktop menu in one row, grouped', async () => {
    const page = await signedIn('ada');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const boxes = await nav.locator('.nav-items > li').evaluateAll((items) => items.map((li) => li.getBoundingClientRect()).map((r) => [r.top, r.bottom]));
    const lowestTop = Math.max(...boxes.map(([top]) => top)), highestBottom = Math.min(...boxes.map(([, bottom]) => bottom));
    assert.ok(lowestTop < highestBottom, `menu items on more than one row: ${JSON.stringify(boxes)}`);
    const bar = await page.locator('.topbar-inner').evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(bar < 80, `the top bar is ${bar}px tall`);
    const clients = nav.getByRole('button', { name: 'Clients' });
    await clients.click();
    assert.equal(await clients.getAttribute('aria-expanded'), 'true');
    await nav.getByRole('link', { name: 'Success', exact: true }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await clients.getAttribute('aria-expanded'), 'false');
    await page.context().close();
  });
});
