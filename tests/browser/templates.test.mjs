// The template pages in headless Chromium against a real hub: the gallery, the editor's live
// preview, a retainer agreement filled from a pipeline engagement and downloaded as a PDF (checked
// with pdftotext and pdfinfo), saved to "My documents", and an upstream release pulled into a fork
// with a conflict resolved by hand. No CSP violation, console error or failed load on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, menuLink, watchContext, accessibilityProblems } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const PASSWORD = 'a long enough passphrase';
const TIMEOUT = 15_000;
const BASE = `---
title: Thank-you note
kind: letter
fields:
  - {name: client, type: text, label: Client, required: true}
---
# Thank you, {{client}}

Your support keeps the project healthy.
`;

let hub, browser;
const problems = [];
const people = {};

async function signedIn(handle) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await watchContext(context, handle, problems, TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${hub.url}/login`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  return page;
}

describe('templates in the browser', { timeout: 180_000 }, () => {
  let sam;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN });
    const admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    for (const handle of ['sam', 'lee']) {
      const code = (await admin.post('/api/invites', { role: 'member' })).json.code;
      const c = new Client(hub.url);
      const r = await c.post('/api/register', { invite_code: code, handle, display_name: `${handle} display`, password: PASSWORD });
      assert.equal(r.status, 201, r.text);
      people[handle] = c;
    }
    const deal = await people.sam.post('/api/engagements', {
      label: 'Globex Corporation', stage: 'quoted', tier: 'reciprocal', annual_amount: 48000, currency: 'EUR', ecosystem: 'go',
      region: 'europe', hours_per_month: 10, channel: 'champion', first_contact_on: '2026-01-05', signed_on: '2026-02-01', shared: false,
    });
    assert.equal(deal.status, 201, deal.text);
    browser = await launchChromium();
    sam = await signedIn('sam');
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('shows the gallery, sorted and filtered', async () => {
    await (await menuLink(sam, 'Templates')).click();
    await sam.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    const list = sam.getByRole('list', { name: 'Templates' });
    await list.getByRole('link', { name: 'Invoice' }).waitFor();
    await sam.getByLabel('Kind').selectOption('advisory');
    // The whole list is replaced by the filtered one: wait for that, not for an item both share.
    await sam.waitForFunction(() => document.querySelectorAll('ul[aria-label="Templates"] > li').length === 1);
    await list.getByRole('link', { name: 'Release advisory for clients' }).waitFor();
    await sam.getByLabel('Search templates').fill('pre-commit');
    await sam.getByRole('list', { name: 'Search results' }).getByRole('link', { name: /Pre-commitment letter/ }).waitFor();
    assert.deepEqual(await accessibilityProblems(sam), [], 'the gallery');
  });

  it('says in one sentence per breakdown when a wave suppressed every cell (nobody here shares yet)', async () => {
    const admin = new Client(hub.url);
    assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
    assert.equal((await admin.post('/api/waves/close')).status, 201);
    await sam.goto(`${hub.url}/rates`);
    await sam.getByRole('heading', { name: 'Rates', level: 1 }).waitFor();
    for (const dimension of ['tier', 'region', 'ecosystem']) {
      const breakdown = sam.locator('section.card', { has: sam.getByRole('heading', { name: `By ${dimension}`, level: 2 }) });
      await breakdown.getByText(`Every ${dimension} is suppressed in this wave`).waitFor();
      assert.equal(await breakdown.locator('svg, table').count(), 0, `no chart or table of suppressed ${dimension} rows`);
    }
  });

  it('fills a retainer agreement from a pipeline engagement and downloads the PDF', async () => {
    await sam.goto(`${hub.url}/templates/retainer-agreement-cover`);
    await sam.getByRole('table', { name: 'Fields' }).waitFor();
    await sam.getByRole('link', { name: 'Fill in' }).click();
    await sam.getByLabel('Start from my pipeline').selectOption({ label: 'Globex Corporation (quoted)' });
    await sam.waitForFunction(() => document.getElementById('field-client')?.value === 'Globex Corporation');
    assert.equal(await sam.getByLabel('Annual fee').inputValue(), '48000');
    assert.equal(await sam.getByLabel('Tier *').inputValue(), 'reciprocal');
    assert.equal(await sam.getByLabel('Start date *').inputValue(), '2026-02-01');
    await sam.getByLabel('Client signatory *').fill('Hank Scorpio');
    await sam.getByLabel('Maintainer *').fill('Sam display');
    await sam.getByLabel('Project *').fill('libglobex');
    const preview = sam.getByLabel('Preview');
    await preview.getByRole('heading', { name: 'Retainer agreement: libglobex' }).waitFor();
    await preview.getByText('48,000 EUR per year').waitFor();
    assert.deepEqual(await accessibilityProblems(sam), [], 'the fill page');
    await sam.getByLabel('Document title').fill('Globex retainer');
    const [download] = await Promise.all([sam.waitForEvent('download'), sam.getByRole('button', { name: 'Download PDF' }).click()]);
    const dir = mkdtempSync(join(tmpdir(), 'cohorthub-pdf-'));
    try {
      const file = join(dir, 'agreement.pdf');
      await download.saveAs(file);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
      assert.match(text, /Globex Corporation/);
      assert.match(text, /No assignment of intellectual property/);
      assert.match(text, /Page 1 of 1/);
      assert.match(info, /^Pages:\s+1$/m);
      assert.match(info, /^Title:\s+Globex retainer$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await sam.getByRole('button', { name: 'Save document' }).click();
    await sam.getByText(/Saved as “Globex retainer”/).waitFor();
    await sam.goto(`${hub.url}/documents`);
    await sam.getByRole('list', { name: 'My documents' }).getByRole('link', { name: 'Globex retainer' }).click();
    await sam.waitForFunction(() => document.getElementById('field-client')?.value === 'Globex Corporation');
    await sam.screenshot({ path: join(artifacts, 'template-fill.png'), fullPage: true });
  });

  it('edits a template with a live preview of its fields', async () => {
    await sam.goto(`${hub.url}/templates/new`);
    await sam.getByLabel('Slug').fill('sam-note');
    await sam.getByLabel('Template source').fill(BASE.replace('{{client}}\n\nYour', '{{client}}\n\n{{> partial}}\n\nYour'));
    await sam.getByText(/partials \(\{\{> \.\.\.\}\}\) are not allowed/).waitFor();
    await sam.getByLabel('Template source').fill(BASE);
    await sam.getByLabel('Preview').getByRole('heading', { name: 'Thank you, Sample Client' }).waitFor();
    assert.deepEqual(await accessibilityProblems(sam), [], 'the editor');
    await sam.getByRole('button', { name: 'Create template' }).click();
    await sam.waitForURL((u) => u.pathname === '/templates/sam-note/edit');
    await sam.getByLabel('Release as version').fill('1.0.0');
    await sam.getByRole('button', { name: 'Release' }).click();
    await sam.getByText('Released 1.0.0 (revision 1).').waitFor();
  });

  it('pulls an upstream release into a fork, with the conflict shown and resolved by hand', async () => {
    const { lee } = people;
    assert.equal((await lee.post('/api/templates', { slug: 'lee-note', content: BASE, license: 'CC-BY-4.0' })).status, 201);
    assert.equal((await lee.post('/api/templates/lee-note/releases', { version: '1.0.0' })).status, 201);
    await sam.goto(`${hub.url}/templates/lee-note`);
    await sam.getByLabel('Fork as').fill('sam-thanks');
    await sam.getByRole('button', { name: 'Fork' }).click();
    await sam.waitForURL((u) => u.pathname === '/templates/sam-thanks');
    await sam.getByText(/Based on/).waitFor();
    const forked = await people.sam.get('/api/templates/sam-thanks');
    const mine = forked.json.content.replace('keeps the project healthy', 'keeps the project healthy and secure');
    assert.equal((await people.sam.put('/api/templates/sam-thanks', { base_revision: 1, content: mine })).status, 200);
    const theirs = BASE.replace('keeps the project healthy', 'keeps the project alive');
    assert.equal((await lee.put('/api/templates/lee-note', { base_revision: 1, content: theirs })).status, 200);
    assert.equal((await lee.post('/api/templates/lee-note/releases', { version: '1.0.1' })).status, 201);
    await sam.reload();
    await sam.getByRole('button', { name: 'Pull 1.0.1' }).click();
    await sam.getByRole('list', { name: 'Conflicts' }).getByRole('listitem').first().waitFor();
    const box = sam.getByLabel('Resolve the conflicts');
    assert.match(await box.inputValue(), /<<<<<<< this fork/);
    await box.fill(BASE.replace('keeps the project healthy', 'keeps the project alive and secure'));
    await sam.screenshot({ path: join(artifacts, 'template-pull-conflict.png'), fullPage: true });
    await sam.getByRole('button', { name: 'Save the resolved pull' }).click();
    await sam.getByText('Up to date with upstream.').waitFor();
    const after = await people.sam.get('/api/templates/sam-thanks');
    assert.equal(after.json.upstream.version, '1.0.1');
    assert.match(after.json.content, /alive and secure/);
    assert.deepEqual(problems, []);
  });
});
