// The sharing pages in headless Chromium against a real hub (noise off): the private pipeline
// (add with a field error, days in stage, quiet flag, renewals), the rates page with its SVG chart
// and "where do I stand?", and cohort success with the SVG survival curve. No CSP violation,
// console error or failed load on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext, menuLink, holdFirstAnswer } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const PASSWORD = 'a long enough passphrase';
const TIMEOUT = 10_000;

let hub, browser, page;
const problems = [];

const watch = (context, who) => watchContext(context, who, problems, TIMEOUT);

// 20 members of one cohort share a sustaining retainer each; half renewed after a year.
async function seed() {
  const admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  const cohort = (await admin.post('/api/cohorts', { name: 'Browser cohort', starts_on: '2024-01-01' })).json.cohort;
  for (let i = 0; i < 20; i++) {
    const code = (await admin.post('/api/invites', { role: 'member', cohort_id: cohort.id })).json.code;
    const m = new Client(hub.url);
    assert.equal((await m.post('/api/register', { invite_code: code, handle: `member${i}`, display_name: `Member ${i}`, password: PASSWORD })).status, 201);
    const e = (await m.post('/api/engagements', {
      label: `Client ${i}`, stage: 'active', tier: 'sustaining', annual_amount: 30000 + 2000 * i, currency: 'USD',
      ecosystem: 'rust', region: 'europe', hours_per_month: 8, channel: 'champion',
      first_contact_on: '2024-01-15', signed_on: '2024-03-01', shared: true,
    })).json.engagement;
    await m.post(`/api/engagements/${e.id}/renewals`, { outcome: i % 2 ? 'renewed' : 'churned', decided_on: '2025-03-01' });
  }
  assert.equal((await admin.post('/api/waves/close')).status, 201);
}

describe('web sharing pages', { timeout: 60_000 }, () => {
  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_PRIVACY_NOISE: 'off', COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '200' } });
    await seed();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watch(context, 'member');
    page = await context.newPage();
    await page.goto(`${hub.url}/login?next=/pipeline`);
    await page.getByLabel('Handle').fill('member0');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((u) => u.pathname === '/pipeline');
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows my pipeline with days in stage, the quiet flag and upcoming renewals; errors land on the field', async () => {
    await page.getByRole('heading', { name: 'Pipeline', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'My engagements' });
    await table.getByRole('row').filter({ hasText: 'Client 0' }).waitFor();
    // Client 0 churned: not quiet. Add a prospect first contacted long ago: flagged quiet.
    await page.getByLabel('Client (private label)').fill('Initech');
    await page.getByLabel('Annual amount').fill('-5');
    await page.getByLabel('First contact').fill('2025-01-02');
    await page.getByRole('button', { name: 'Add engagement' }).click();
    const amount = page.getByLabel('Annual amount');
    await page.locator('[aria-invalid="true"]').waitFor();
    assert.equal(await amount.getAttribute('aria-invalid'), 'true');
    await amount.fill('24000');
    await page.getByRole('button', { name: 'Add engagement' }).click();
    const row = table.getByRole('row').filter({ hasText: 'Initech' });
    await row.waitFor();
    assert.match(await row.textContent(), /quiet/);
    await page.getByRole('list', { name: 'Quiet clients' }).getByText(/Initech/).waitFor();
    await row.getByText('Actions', { exact: true }).click();  // one actions menu per row
    await row.getByRole('button', { name: 'Contacted today' }).click();
    await page.getByRole('list', { name: 'Quiet clients' }).waitFor({ state: 'detached' });
    await page.screenshot({ path: join(artifacts, 'sharing-pipeline.png'), fullPage: true });
  });

  it('draws the published rates as an SVG chart and answers "where do I stand?"', async () => {
    await (await menuLink(page, 'Rates')).click();
    await page.getByRole('heading', { name: 'Rates', level: 1 }).waitFor();
    const chart = page.locator('svg.rates-chart').first();
    await chart.waitFor();
    assert.equal(await chart.locator('rect.chart-range').count(), 1, 'the sustaining quartile range');
    assert.ok(await chart.locator('line.chart-median').count() >= 1);
    await page.getByRole('table', { name: 'Rates by tier' }).getByText('Suppressed: too few members to publish').first().waitFor();
    await page.getByLabel('Annual amount').fill('90000');
    await page.getByRole('button', { name: 'Where do I stand?' }).click();
    await page.getByText(/above the 75th percentile/).waitFor();
    await page.screenshot({ path: join(artifacts, 'sharing-rates.png'), fullPage: true });
  });

  it('shows cohort success with the first-renewal rate and an SVG survival curve', async () => {
    await (await menuLink(page, 'Success')).click();
    await page.getByRole('heading', { name: 'Cohort success', level: 1 }).waitFor();
    const rate = page.locator('.success-stats dd').first();
    await rate.waitFor();
    assert.match(await rate.textContent(), /^50%\s*10 of 20 renewed/);
    const curve = page.locator('svg.survival-chart path.chart-curve');
    await curve.waitFor();
    assert.match(await curve.getAttribute('d'), /^M[\d.]+,[\d.]+ H/);
    assert.equal(await page.locator('svg.survival-chart path.chart-bound').count(), 2);
    await page.screenshot({ path: join(artifacts, 'sharing-success.png'), fullPage: true });
  });

  it('keeps an engagement just added when the page\'s first, older answer arrives after it', async () => {
    // The first list is answered at once but delivered late (a slow network), after the add's own
    // refresh: the newer list must stay on screen.
    const first = await holdFirstAnswer(page, (u) => u.pathname === '/api/engagements', { method: 'GET' });
    try {
      await page.goto(`${hub.url}/pipeline`);
      await page.getByLabel('Client (private label)').fill('Hooli');
      await page.getByLabel('Annual amount').fill('12000');
      await page.getByRole('button', { name: 'Add engagement' }).click();
      const table = page.getByRole('table', { name: 'My engagements' });
      await table.getByRole('row').filter({ hasText: 'Hooli' }).waitFor();
      await first.deliver();
      assert.equal(await table.getByRole('row').filter({ hasText: 'Hooli' }).count(), 1);
    } finally {
      await first.stop();
    }
  });

  it('lets only an admin close a wave from the rates page', async () => {
    await page.goto(`${hub.url}/rates`);
    await page.getByRole('heading', { name: 'Rates', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Close the wave and publish' }).count(), 0);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await watch(context, 'admin');
    const admin = await context.newPage();
    await admin.goto(`${hub.url}/login?next=/rates`);
    await admin.getByLabel('Handle').fill(ADMIN.handle);
    await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByText(/^Wave 1,/).waitFor();
    await admin.getByRole('button', { name: 'Close the wave and publish' }).click();
    await admin.getByText(/^Wave 2,/).waitFor();
    assert.deepEqual(problems, []);
  });
});
