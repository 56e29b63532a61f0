// The playbook and mentoring pages in headless Chromium against a real hub: list and search,
// reading a starter playbook, two people editing at once (a clean merge, then a real conflict
// resolved by hand), comparing revisions, a proposal reviewed and merged, and a mentor's
// assignment ticked off by the mentee. No CSP violation, console error or failed load on the way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, watchContext, menuLink, accessibilityProblems, holdFirstAnswer } from '../support/browser.mjs';
import { startHub, Client } from '../support/server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifacts = join(root, 'test-artifacts');
const ADMIN = { handle: 'ada', password: 'analytical-engine-1843' };
const PASSWORD = 'a long enough passphrase';
const TIMEOUT = 10_000;
const RACE = 'intro\n\nsam writes here\n\nshared middle\n\nlee writes here\n\nend\n';

let hub, browser;
const problems = [];
const people = {};
const a11y = [];  // axe-core's serious and critical findings, by page

async function checkAccessibility(page, label) {
  for (const v of await accessibilityProblems(page)) a11y.push(`${label}: ${v}`);
}

async function seed() {
  const admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  const cohort = (await admin.post('/api/cohorts', { name: 'Playbook cohort', starts_on: '2025-01-06' })).json.cohort;
  for (const [handle, role, display] of [['mira', 'mentor', 'Mira Lindqvist'], ['sam', 'member', 'Sam Ferreira'], ['lee', 'member', 'Lee Nakamura']]) {
    const code = (await admin.post('/api/invites', { role, cohort_id: cohort.id })).json.code;
    const c = new Client(hub.url);
    const r = await c.post('/api/register', { invite_code: code, handle, display_name: display, password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    people[handle] = { client: c, id: r.json.user.id, display };
  }
  assert.equal((await people.sam.client.post('/api/playbooks', { slug: 'race-notes', title: 'Race notes', content: RACE })).status, 201);
  assert.equal((await people.mira.client.post('/api/playbooks',
    { slug: 'reviewed', title: 'Reviewed playbook', content: '# Reviewed\n\nThe old wording stays here.\n', required_approvals: 1 })).status, 201);
}

async function signedIn(handle, seen = problems) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await watchContext(context, handle, seen, TIMEOUT);
  const page = await context.newPage();
  await page.goto(`${hub.url}/login`);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  return page;
}

async function editText(page, change) {
  const box = page.getByLabel('Markdown');
  await box.fill(change(await box.inputValue()));
}

describe('playbooks and mentoring in the browser', { timeout: 120_000 }, () => {
  let sam, lee, mira;

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    hub = await startHub({ admin: ADMIN, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '200' } });
    await seed();
    browser = await launchChromium();
    sam = await signedIn('sam');
    lee = await signedIn('lee');
    mira = await signedIn('mira');
  });

  after(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('lists the starter playbooks and searches them with highlighted snippets', async () => {
    await (await menuLink(sam, 'Playbooks')).click();
    await sam.getByRole('heading', { name: 'Playbooks', level: 1 }).waitFor();
    await sam.getByRole('link', { name: 'Pitching a retainer' }).waitFor();
    await sam.getByLabel('Search playbooks').fill('purchase order');
    const hit = sam.getByRole('list', { name: 'Search results' }).getByRole('link', { name: /vendor onboarding/i });
    await hit.waitFor();
    assert.ok(await sam.locator('.search-snippet mark').count() > 0);
    await sam.screenshot({ path: join(artifacts, 'playbooks-search.png'), fullPage: true });
    await hit.click();
    await sam.getByRole('heading', { name: 'Getting through vendor onboarding', level: 1 }).waitFor();
    // The document's own headings sit below the page title.
    await sam.locator('.markdown h2', { hasText: 'Getting through vendor onboarding' }).waitFor();
    assert.ok(await sam.locator('.markdown input[type="checkbox"]').count() >= 5);
    assert.equal(await sam.locator('.markdown script').count(), 0);
  });

  it('keeps the newest search\'s results when an older search answers later', async () => {
    const isSearch = (url) => url.pathname === '/api/search';
    const first = await holdFirstAnswer(sam, isSearch);
    try {
      await sam.goto(`${hub.url}/playbooks`);
      const search = sam.getByLabel('Search playbooks');
      await search.fill('retainer');
      await sam.waitForRequest((r) => isSearch(new URL(r.url())));
      await search.fill('purchase order');
      const results = sam.getByRole('list', { name: 'Search results' });
      await results.getByRole('link', { name: /vendor onboarding/i }).waitFor();
      await first.deliver();
      assert.equal(await results.getByRole('link', { name: 'Pitching a retainer' }).count(), 0);
      assert.equal(await results.getByRole('link', { name: /vendor onboarding/i }).count(), 1);
    } finally {
      await first.stop();
    }
  });

  it('inserts only <mark> from a search hit, whatever markup the server sends', async () => {
    // A page of its own: parsing the hostile handlers makes Chromium report CSP blocks, checked here.
    const seen = [];
    const page = await signedIn('sam', seen);
    await page.route((url) => url.pathname === '/api/search', (route) => route.fulfill({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({
        ranked: true,
        next_cursor: null,
        items: [{
          kind: 'playbook', slug: 'vendor-onboarding', title: 'Hostile',
          title_html: '<img src="/title.png" onerror="window.__pwned = 1">Hostile <mark>title</mark>',
          snippet: '<script>window.__pwned = 1</script><img src="/snippet.png" onerror="window.__pwned = 1">'
            + '<a href="javascript:window.__pwned = 1">bait</a> <b onclick="window.__pwned = 1">bold</b> a <mark>hit</mark>',
        }],
      }),
    }));
    try {
      await page.goto(`${hub.url}/playbooks`);
      await page.getByLabel('Search playbooks').fill('hostile');
      await page.locator('.search-snippet mark', { hasText: 'hit' }).waitFor();
      await page.locator('.playbook-title mark', { hasText: 'title' }).waitFor();
      assert.equal(await page.locator('.search-snippet *:not(mark), .playbook-title *:not(mark)').count(), 0);
      assert.match(await page.locator('.search-snippet').innerText(), /bait bold a hit/);
      await page.locator('.search-snippet').click();
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.ok(seen.every((p) => /script-src-attr|inline event handler/.test(p)), seen.join('\n'));
    } finally {
      await page.context().close();
    }
  });

  it('merges two people\'s edits to different lines, then resolves a real conflict by hand', async () => {
    await sam.goto(`${hub.url}/playbooks/race-notes/edit`);
    await lee.goto(`${hub.url}/playbooks/race-notes/edit`);
    await editText(sam, (t) => t.replace('sam writes here', 'sam wrote this'));
    await editText(lee, (t) => t.replace('lee writes here', 'lee wrote that'));
    await sam.getByLabel('Summary of the change').fill('Sam\'s line');
    await sam.getByRole('button', { name: 'Save' }).click();
    await sam.getByText('Saved revision 2.').waitFor();

    // Lee saved against revision 1: the page merges and asks to check before saving again.
    await lee.getByRole('button', { name: 'Save' }).click();
    await lee.getByText('Someone saved while you were editing.').waitFor();
    await lee.getByText('Editing on top of revision 2.').waitFor();
    const merged = await lee.getByLabel('Markdown').inputValue();
    assert.ok(merged.includes('sam wrote this') && merged.includes('lee wrote that'), merged);
    await lee.screenshot({ path: join(artifacts, 'playbook-merge.png'), fullPage: true });
    await checkAccessibility(lee, 'playbook edit, after a merge');
    await lee.getByRole('button', { name: 'Save' }).click();
    await lee.getByText('Saved revision 3.').waitFor();
    const view = lee.locator('.markdown');
    assert.match(await view.innerText(), /sam wrote this[\s\S]*lee wrote that/);

    // Now both change the same line.
    await sam.goto(`${hub.url}/playbooks/race-notes/edit`);
    await lee.goto(`${hub.url}/playbooks/race-notes/edit`);
    await editText(sam, (t) => t.replace('shared middle', 'middle according to sam'));
    await editText(lee, (t) => t.replace('shared middle', 'middle according to lee'));
    await sam.getByRole('button', { name: 'Save' }).click();
    await sam.getByText('Saved revision 4.').waitFor();
    await lee.getByRole('button', { name: 'Save' }).click();
    await lee.getByText(/change the same lines \(1 conflict\)/).waitFor();
    const marked = await lee.getByLabel('Markdown').inputValue();
    assert.match(marked, /<<<<<<< revision 4 \(saved\)\nmiddle according to sam\n=======\nmiddle according to lee\n>>>>>>> your edit/);
    await lee.screenshot({ path: join(artifacts, 'playbook-conflict.png'), fullPage: true });
    // Saving with the markers still in is refused by the page itself.
    await lee.getByRole('button', { name: 'Save' }).click();
    await lee.getByText(/still has conflict markers/).waitFor();
    await lee.getByLabel('Markdown').fill(marked.replace(/<<<<<<< [^\n]*\n([^\n]*)\n=======\n([^\n]*)\n>>>>>>> [^\n]*\n/, 'middle agreed by both\n'));
    await lee.getByRole('button', { name: 'Save' }).click();
    await lee.getByText('Saved revision 5.').waitFor();
    const text = await lee.locator('.markdown').innerText();
    assert.match(text, /sam wrote this/);
    assert.match(text, /middle agreed by both/);
    assert.match(text, /lee wrote that/);
  });

  it('compares two revisions side by side and inline, with word highlights', async () => {
    await lee.getByRole('link', { name: 'History' }).click();
    await lee.getByRole('heading', { name: 'History of Race notes' }).waitFor();
    await lee.getByLabel('Compare from revision 1').check();
    await lee.getByLabel('Compare to revision 5').check();
    await lee.getByRole('button', { name: 'Compare selected' }).click();
    await lee.waitForURL((u) => u.pathname === '/playbooks/race-notes/diff' && u.searchParams.get('from') === '1');
    await lee.locator('table.diff-split').waitFor();
    assert.ok(await lee.locator('table.diff ins.word').count() >= 1);
    await lee.screenshot({ path: join(artifacts, 'playbook-diff-split.png'), fullPage: true });
    await lee.getByRole('button', { name: 'Inline' }).click();
    await lee.locator('table.diff-inline').waitFor();
    assert.match(await lee.locator('table.diff-inline').innerText(), /middle agreed by both/);
    await checkAccessibility(lee, 'playbook diff');
    assert.deepEqual(a11y, []);
  });

  it('opens a proposal on a reviewed playbook, has it approved by someone else, and merges it', async () => {
    await sam.goto(`${hub.url}/playbooks/reviewed`);
    await sam.getByRole('link', { name: 'Propose a change' }).first().click();
    await sam.getByRole('heading', { name: 'Propose a change to Reviewed playbook' }).waitFor();
    await editText(sam, (t) => t.replace('The old wording stays here.', 'The new wording replaces it.'));
    await sam.getByLabel('Summary of the change').fill('Clearer wording');
    await sam.getByRole('button', { name: 'Open proposal' }).click();
    await sam.getByRole('heading', { name: 'Clearer wording' }).waitFor();
    await sam.getByText('You cannot review your own proposal').waitFor();
    const url = sam.url();

    await lee.goto(url);
    await lee.getByRole('heading', { name: 'Clearer wording' }).waitFor();
    assert.ok(await lee.locator('table.diff ins.word').count() >= 1);
    await lee.getByLabel('Comment').fill('Much clearer, thanks.');
    await lee.getByRole('button', { name: 'Approve' }).click();
    await lee.getByText('You approved this proposal.').waitFor();
    await lee.getByText('1 of 1 approval').waitFor();
    await lee.screenshot({ path: join(artifacts, 'proposal-approved.png'), fullPage: true });
    await checkAccessibility(lee, 'proposal');
    assert.deepEqual(a11y, []);
    await lee.getByRole('button', { name: 'Merge' }).click();
    await lee.waitForURL((u) => u.pathname === '/playbooks/reviewed');
    await lee.getByText('Saved revision 2.').waitFor();
    assert.match(await lee.locator('.markdown').innerText(), /The new wording replaces it\./);
  });

  it('after a merge, updating an older proposal shows it merged onto the new revision in the editor', async () => {
    // lee proposed a new title on revision 1, before sam's proposal was merged as revision 2.
    const opened = await people.lee.client.post('/api/playbooks/reviewed/proposals',
      { base_revision: 1, content: '# Reviewed, retitled\n\nThe old wording stays here.\n', summary: 'A better title' });
    assert.equal(opened.status, 201, opened.text);
    await lee.goto(`${hub.url}/proposals/${opened.json.proposal.id}`);
    await lee.getByText('The playbook is at revision 2 now.', { exact: false }).waitFor();
    await lee.getByRole('link', { name: 'Update' }).click();
    await lee.getByText(/This proposal starts from revision 1; the playbook is at revision 2 now/).waitFor();
    await lee.getByRole('button', { name: 'Update proposal' }).click();
    await lee.getByText('The playbook changed since this proposal was written.').waitFor();
    await lee.getByText('Editing on top of revision 2.').waitFor();
    const merged = await lee.getByLabel('Markdown').inputValue();
    assert.match(merged, /^# Reviewed, retitled\n\nThe new wording replaces it\.\n$/, merged);
    await checkAccessibility(lee, 'playbook edit, a proposal rebased');
    await lee.getByRole('button', { name: 'Update proposal' }).click();
    await lee.getByRole('heading', { name: 'A better title' }).waitFor();
    assert.equal(await lee.getByText('The playbook is at revision 2 now.', { exact: false }).count(), 0, 'no longer stale');
    assert.deepEqual(a11y, []);
  });

  it('lets a mentor assign a checklist that the mentee ticks off, and shows it on the dashboard', async () => {
    await (await menuLink(mira, 'Mentoring')).click();
    await mira.getByRole('heading', { name: 'Mentoring', level: 1 }).waitFor();
    await mira.getByLabel('Member').selectOption({ label: 'Sam Ferreira (@sam)' });
    await mira.getByRole('button', { name: 'Become their mentor' }).click();
    await mira.getByText('Paired.').waitFor();
    await mira.getByLabel('Mentee').selectOption({ label: 'Sam Ferreira' });
    await mira.getByLabel('Playbook').selectOption({ label: 'Getting through vendor onboarding' });
    await mira.getByLabel('Due on (optional)').fill('2099-12-31');
    await mira.getByRole('button', { name: 'Assign checklist' }).click();
    await mira.getByText(/Assigned Getting through vendor onboarding \(revision 1, 7 items\) to Sam Ferreira\./).waitFor();

    await (await menuLink(sam, 'Checklists')).click();
    await sam.getByRole('link', { name: 'Getting through vendor onboarding' }).click();
    await sam.getByText('0 of 7 done').waitFor();
    await sam.getByRole('checkbox', { name: /1\. Prepare the company details document/ }).check();
    await sam.getByText('1 of 7 done').waitFor();
    await sam.locator('.checklist-item').nth(1).getByText('Add a note').click();
    await sam.getByLabel('Note for item 2').fill('Quote sent to their procurement team.');
    await sam.locator('.checklist-item').nth(1).getByRole('button', { name: 'Save note' }).click();
    await sam.locator('.checklist-item').nth(1).locator('summary', { hasText: /^Note$/ }).waitFor();
    assert.equal(await sam.getByLabel('Note for item 2').inputValue(), 'Quote sent to their procurement team.');
    assert.equal(await sam.getByRole('checkbox', { name: /1\. Prepare/ }).isChecked(), true);
    await sam.screenshot({ path: join(artifacts, 'checklist.png'), fullPage: true });

    await mira.reload();
    const card = mira.getByRole('region', { name: 'Sam Ferreira' });
    await card.getByText('1 of 7 done').first().waitFor();
    await mira.getByText('Quote sent to their procurement team.').waitFor();
    await mira.screenshot({ path: join(artifacts, 'mentor-dashboard.png'), fullPage: true });
    // The mentor reads the checklist but cannot tick it.
    await card.getByRole('link', { name: 'Getting through vendor onboarding' }).click();
    await mira.getByText('Only the mentee ticks items off.').waitFor();
    assert.equal(await mira.getByRole('checkbox', { name: /2\. Send the quote/ }).isDisabled(), true);
  });

  it('keeps every tick of a mentee ticking quickly, whatever order the answers come back in', async () => {
    await sam.reload();
    await sam.getByText('1 of 7 done').waitFor();
    // The answer to the first tick is held back until the second tick's answer is in.
    const first = await holdFirstAnswer(sam, (url) => /\/api\/assignments\/\d+\/items\/3$/.test(url.pathname));
    try {
      await sam.getByRole('checkbox', { name: /^3\. / }).check();
      await first.answered;  // the hub has item 3 done
      const second = sam.waitForResponse((r) => /\/items\/4$/.test(new URL(r.url()).pathname));
      await sam.getByRole('checkbox', { name: /^4\. / }).check();
      await second;
      await first.deliver();
      await sam.getByText('3 of 7 done').waitFor();
      await sam.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      assert.equal(await sam.getByText('3 of 7 done').count(), 1);
      assert.equal(await sam.getByRole('checkbox', { name: /^3\. / }).isChecked(), true);
      assert.equal(await sam.getByRole('checkbox', { name: /^4\. / }).isChecked(), true);
    } finally {
      await first.stop();
    }
  });

  it('fits a 375px-wide phone without horizontal scrolling', async () => {
    await sam.setViewportSize({ width: 375, height: 800 });
    for (const path of ['/playbooks', '/playbooks/pitching-a-retainer', '/playbooks/race-notes/diff?from=1&to=5', '/assignments']) {
      await sam.goto(`${hub.url}${path}`);
      await sam.locator('h1').first().waitFor();
      const { scrollWidth, clientWidth } = await sam.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
      }));
      assert.ok(scrollWidth <= clientWidth, `${path}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
    }
  });

  it('ran every page without CSP violations, console errors or failed loads', () => {
    assert.deepEqual(problems, []);
  });
});
