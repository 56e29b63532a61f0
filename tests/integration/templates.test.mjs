// Templates against a real cohorthub process: a template created, edited as revisions and released
// under the bump the server computes; filled in to HTML with every bad value named and no markup let
// through; started from a pipeline engagement; saved privately and re-rendered against a newer
// release; forked and pulled with a conflict; printed to PDF with nothing fetched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, Client, cli } from '../support/server.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const PASSWORD = 'a long enough passphrase';
let hub;
const users = {};

async function register(handle, role) {
  const code = cli(['admin', 'create-invite', '--data-dir', hub.dataDir, '--role', role]).trim().split('\n').pop();
  const c = new Client(hub.url);
  const r = await c.post('/api/register', { invite_code: code, handle, display_name: `${handle} display`, password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  c.id = r.json.user.id;
  return c;
}

export const QUOTE = `---
title: Retainer quote
kind: quote
tags: [sales]
fields:
  - {name: client, type: text, label: Client, required: true}
  - {name: tier, type: choice, label: Tier, options: [sustaining, reciprocal, advisory], required: true}
  - {name: amount, type: money, label: Annual amount, required: true}
  - {name: currency, type: choice, label: Currency, options: [USD, EUR, GBP], default: USD}
  - {name: start_on, type: date, label: Start, required: true}
---
# Quote for {{client}}

A {{tier}} retainer at **{{amount}} {{currency}}** a year, from {{start_on}}.
`;

before(async () => {
  // One PDF at a time and one waiting, so four at once must see 503.
  hub = await startHub({ admin: ADMIN, env: { COHORTHUB_TEMPLATES_PDF_QUEUE: '1', COHORTHUB_TEMPLATES_PDF_WORKERS: '1' } });
  users.ada = new Client(hub.url);
  assert.equal((await users.ada.post('/api/login', ADMIN)).status, 200);
  users.sam = await register('sam', 'member');
  users.lee = await register('lee', 'member');
});

after(async () => {
  if (process.env.SHOW_HUB_LOGS) console.log(hub.logs());
  await hub?.stop();
});

test('a template is created, edited as revisions with a diff, and released under the computed bump', async () => {
  const { sam, lee } = users;
  const created = await sam.post('/api/templates', { slug: 'quote', content: QUOTE, license: 'CC-BY-4.0' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.title, 'Retainer quote');
  assert.equal(created.json.kind, 'quote');
  assert.deepEqual(created.json.fields.map((f) => f.name), ['client', 'tier', 'amount', 'currency', 'start_on']);

  const badYaml = await sam.post('/api/templates', { slug: 'broken', content: '---\nfields: [\n---\nx', license: 'MIT' });
  assert.equal(badYaml.status, 400);
  assert.match(badYaml.json.error.message, /not valid YAML/);
  const partial = await sam.post('/api/templates', { slug: 'partial', content: QUOTE + '{{> footer}}\n', license: 'MIT' });
  assert.equal(partial.status, 400);
  assert.match(partial.json.error.message, /partials/);
  assert.equal((await sam.post('/api/templates', { slug: 'nolicense', content: QUOTE, license: 'WTFPL' })).json.error.field, 'license');
  assert.equal((await sam.get('/api/templates/broken')).status, 404);

  assert.equal((await sam.post('/api/templates/quote/releases', { version: '1.0.0', summary: 'First' })).status, 201);
  // Adding an optional field is minor: a patch is refused naming what is required.
  const withNote = QUOTE.replace('---\n# Quote', '  - {name: note, type: multiline, label: Note}\n---\n# Quote') + '{{note}}\n';
  assert.equal((await lee.put('/api/templates/quote', { base_revision: 1, content: withNote })).status, 403);
  const saved = await sam.put('/api/templates/quote', { base_revision: 1, content: withNote, summary: 'A note' });
  assert.equal(saved.status, 200, saved.text);
  assert.equal(saved.json.head, 2);
  const stale = await sam.put('/api/templates/quote', { base_revision: 1, content: QUOTE + 'more\n' });
  assert.equal(stale.status, 409);
  const patch = await sam.post('/api/templates/quote/releases', { version: '1.0.1' });
  assert.equal(patch.status, 422);
  assert.equal(patch.json.required, 'minor');
  assert.match(patch.json.error.message, /optional field `note` was added/);
  const minor = await sam.post('/api/templates/quote/releases', { version: '1.1.0', summary: 'Notes' });
  assert.equal(minor.status, 201, minor.text);
  assert.equal(minor.json.revision, 2);
  // Declared but unused: the release is refused naming the field, and nothing is released.
  const unused = withNote.replace('{{note}}\n', '');
  assert.equal((await sam.put('/api/templates/quote', { base_revision: 2, content: unused })).status, 200);
  const refused = await sam.post('/api/templates/quote/releases', { version: '2.0.0' });
  assert.equal(refused.status, 422);
  assert.match(refused.json.error.message, /Field `note` is declared but never used/);
  const releases = await sam.get('/api/templates/quote/releases');
  assert.deepEqual(releases.json.items.map((r) => r.version), ['1.1.0', '1.0.0']);
  const diff = await sam.get('/api/templates/quote/diff?from=1&to=2');
  assert.equal(diff.status, 200);
  assert.ok(diff.json.added >= 2);
  assert.equal((await sam.get('/api/templates/quote/revisions')).json.items.length, 3);
});

test('filling in: HTML with values shown literally, 422 naming every field, limits', async () => {
  const { lee } = users;
  const fields = { client: '{{amount}} <b>ACME</b> *Corp*', tier: 'advisory', amount: 24000, start_on: '2026-04-01', note: '' };
  const html = await lee.post('/api/templates/quote/render', { fields });
  assert.equal(html.status, 200, html.text);
  assert.match(html.headers.get('content-type'), /text\/html/);
  assert.match(html.text, /<h1>Quote for \{\{amount\}\} &lt;b&gt;ACME&lt;\/b&gt; \*Corp\*<\/h1>/);
  assert.match(html.text, /24,000 USD/);
  assert.doesNotMatch(html.text, /<b>ACME/);
  const bad = await lee.post('/api/templates/quote/render', { fields: { tier: 'platinum', amount: 'lots', start_on: '2026-13-01', extra: 1 } });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.json.error.fields.map((f) => f.name).sort(), ['amount', 'client', 'extra', 'start_on', 'tier']);
  const big = await lee.post('/api/templates/quote/render', { fields: { ...fields, client: 'x'.repeat(10 * 1024 + 1) } });
  assert.equal(big.status, 422);
  assert.equal(big.json.error.fields[0].name, 'client');
  const old = await lee.post('/api/templates/quote/render', { fields: { ...fields, note: undefined }, version: '1.0.0', format: 'json' });
  assert.equal(old.status, 200);
  assert.equal(old.json.version, '1.0.0');
});

test('from the pipeline: an engagement fills the quote, and a saved document re-renders against a newer release', async () => {
  const { sam, lee } = users;
  const deal = await lee.post('/api/engagements', {
    label: 'Initech', stage: 'quoted', tier: 'sustaining', annual_amount: 36000, currency: 'EUR', ecosystem: 'python',
    region: 'europe', hours_per_month: 8, channel: 'champion', first_contact_on: '2026-01-10', signed_on: '2026-03-01', shared: false,
  });
  assert.equal(deal.status, 201, deal.text);
  const prefill = await lee.get(`/api/templates/quote/prefill?engagement_id=${deal.json.engagement.id}`);
  assert.equal(prefill.status, 200, prefill.text);
  assert.deepEqual(prefill.json.fields, { client: 'Initech', tier: 'sustaining', amount: 36000, currency: 'EUR', start_on: '2026-03-01' });
  // Someone else's engagement does not exist for them.
  assert.equal((await sam.get(`/api/templates/quote/prefill?engagement_id=${deal.json.engagement.id}`)).status, 404);
  const doc = await lee.post('/api/documents', { template: 'quote', version: '1.0.0', engagement_id: deal.json.engagement.id, fields: {} });
  assert.equal(doc.status, 201, doc.text);
  assert.equal(doc.json.fields.client, 'Initech');
  assert.equal((await sam.get(`/api/documents/${doc.json.id}`)).status, 404);
  assert.equal((await users.ada.get(`/api/documents/${doc.json.id}`)).status, 404);
  assert.deepEqual((await sam.get('/api/documents')).json.items, []);
  const mine = await lee.get('/api/documents');
  assert.equal(mine.json.items.length, 1);
  const again = await lee.post(`/api/documents/${doc.json.id}/render`, { format: 'json', version: 'latest' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.version, '1.1.0');
  assert.match(again.json.html, /Initech/);
  const gallery = await lee.get('/api/templates?sort=use');
  assert.equal(gallery.json.items[0].slug, 'quote');
  assert.equal(gallery.json.items[0].uses, 1);
});

// POSTs with the client's cookies and returns the raw bytes (Client reads text).
async function fetchBytes(client, path, body) {
  const res = await fetch(hub.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: hub.url, cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

// pdftotext and pdfinfo (poppler-utils) read what a person would see.
export function readPdf(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'cohorthub-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, bytes);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    return { text, pages: Number(/^Pages:\s+(\d+)/m.exec(info)[1]), title: /^Title:\s+(.*)$/m.exec(info)?.[1], size: /^Page size:\s+(.*)$/m.exec(info)[1] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('PDF: title, date and "Page X of Y" on A4 or Letter, nothing fetched, a bounded queue', async () => {
  const { sam } = users;
  const requests = [];
  const listener = createServer((req, res) => { requests.push(req.url); res.end('no'); });
  await new Promise((ok) => listener.listen(0, '127.0.0.1', ok));
  const port = listener.address().port;
  try {
    const long = Array.from({ length: 35 }, (_, i) => `Paragraph ${i + 1} of the terms, long enough to fill a line or two on the page.`).join('\n\n');
    const content = `---\ntitle: Advisory\nkind: advisory\nfields:\n  - {name: project, type: text, label: Project, required: true}\n---\n` +
      `# Release advisory for {{project}}\n\n![logo](http://127.0.0.1:${port}/logo.png)\n\n<img src="http://127.0.0.1:${port}/raw.png">\n\n${long}\n`;
    assert.equal((await sam.post('/api/templates', { slug: 'advisory', content, license: 'CC0-1.0' })).status, 201);
    const pdf = await fetchBytes(sam, '/api/templates/advisory/render', { fields: { project: 'libfoo' }, format: 'pdf', title: 'Advisory for libfoo' });
    assert.equal(pdf.status, 200, pdf.bytes.toString());
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const read = readPdf(pdf.bytes);
    assert.equal(read.pages, 2);
    assert.equal(read.title, 'Advisory for libfoo');
    assert.match(read.text, /Release advisory for libfoo/);
    assert.match(read.text, /Page 1 of 2/);
    assert.match(read.text, /Page 2 of 2/);
    assert.match(read.text, /\d{4}-\d{2}-\d{2}/);
    assert.match(read.size, /595\.\d* x 841\.\d*/);  // A4 in points
    const letter = await fetchBytes(sam, '/api/templates/advisory/render', { fields: { project: 'libfoo' }, format: 'pdf', paper: 'letter' });
    assert.match(readPdf(letter.bytes).size, /612 x 792/);
    assert.deepEqual(requests, [], 'the PDF worker fetched nothing');

    const four = await Promise.all([1, 2, 3, 4].map(() => fetchBytes(sam, '/api/templates/advisory/render', { fields: { project: 'x' }, format: 'pdf' })));
    const busy = four.filter((r) => r.status === 503);
    assert.ok(busy.length >= 2, four.map((r) => r.status).join());
    assert.ok(Number(busy[0].headers.get('retry-after')) > 0);
    assert.ok(four.some((r) => r.status === 200));
    assert.deepEqual(requests, []);
  } finally {
    listener.close();
  }
});

test('forks: remember upstream and release, see newer releases, pull with a three-way merge, conflicts shown', async () => {
  const { sam, lee, ada } = users;
  const fork = await lee.post('/api/templates/quote/fork', { new_slug: 'lee-quote', version: '1.0.0' });
  assert.equal(fork.status, 201, fork.text);
  assert.equal(fork.json.upstream.slug, 'quote');
  assert.equal(fork.json.upstream.version, '1.0.0');
  assert.deepEqual(fork.json.upstream.newer_releases.map((r) => r.version), ['1.1.0']);
  assert.equal(fork.json.license, 'CC-BY-4.0');
  const mine = fork.json.content.replace('A {{tier}} retainer at', 'A {{tier}} retainer (renewable) at');
  assert.equal((await lee.put('/api/templates/lee-quote', { base_revision: 1, content: mine })).status, 200);

  // 1.1.0 added a line right below the one lee changed: the edits overlap.
  const conflict = await lee.post('/api/templates/lee-quote/pull', { version: '1.1.0' });
  assert.equal(conflict.status, 409, conflict.text);
  assert.ok(conflict.json.conflicts.length >= 1);
  assert.match(conflict.json.marked, /<<<<<<< this fork[\s\S]*>>>>>>> upstream 1\.1\.0/);
  const unchanged = await lee.get('/api/templates/lee-quote');
  assert.equal(unchanged.json.head, 2);
  assert.equal(unchanged.json.upstream.version, '1.0.0');
  const stillMarked = await lee.post('/api/templates/lee-quote/pull', { version: '1.1.0', base_revision: 2, resolved_content: conflict.json.marked });
  assert.equal(stillMarked.status, 400);
  const upstream = (await lee.get('/api/templates/quote/revisions/2')).json.content;
  const resolved = upstream.replace('A {{tier}} retainer at', 'A {{tier}} retainer (renewable) at');
  const pulled = await lee.post('/api/templates/lee-quote/pull', { version: '1.1.0', base_revision: 2, resolved_content: resolved });
  assert.equal(pulled.status, 200, pulled.text);
  assert.equal(pulled.json.upstream.version, '1.1.0');
  assert.deepEqual(pulled.json.upstream.newer_releases, []);

  // A later upstream change far from lee's merges cleanly, and keeps lee's line.
  const head = await sam.get('/api/templates/quote');
  const later = upstream.replace('label: Client,', 'label: Client name,');
  assert.equal((await sam.put('/api/templates/quote', { base_revision: head.json.head, content: later })).status, 200);
  assert.equal((await sam.post('/api/templates/quote/releases', { version: '1.2.0' })).status, 201);
  const clean = await lee.post('/api/templates/lee-quote/pull', { version: '1.2.0' });
  assert.equal(clean.status, 200, clean.text);
  assert.match(clean.json.content, /retainer \(renewable\) at/);
  assert.match(clean.json.content, /label: Client name,/);
  assert.equal(clean.json.attribution[0].slug, 'quote');
  assert.equal((await sam.post('/api/templates/lee-quote/pull', { version: '1.2.0' })).status, 403);
  const upstreamPage = await sam.get('/api/templates/quote');
  assert.deepEqual(upstreamPage.json.forks.map((f) => f.slug), ['lee-quote']);

  // A fork of a fork keeps the whole chain.
  assert.equal((await lee.post('/api/templates/lee-quote/releases', { version: '1.0.0' })).status, 201);
  const grand = await sam.post('/api/templates/lee-quote/fork', { new_slug: 'sam-offer' });
  assert.deepEqual(grand.json.attribution.map((a) => a.slug), ['lee-quote', 'quote']);

  // No derivatives: filled, never forked or changed, by anyone.
  const nd = await ada.post('/api/templates', { slug: 'nd-letter', content: QUOTE, license: 'CC-BY-ND-4.0' });
  assert.equal(nd.status, 201);
  assert.equal(nd.json.fill_only, true);
  assert.equal((await ada.post('/api/templates/nd-letter/releases', { version: '1.0.0' })).status, 201);
  const forkNd = await sam.post('/api/templates/nd-letter/fork', { new_slug: 'nd-copy' });
  assert.equal(forkNd.status, 403);
  assert.match(forkNd.json.error.message, /CC-BY-ND-4\.0/);
  assert.equal((await ada.put('/api/templates/nd-letter', { base_revision: 1, content: QUOTE + 'x\n' })).status, 403);
  const filled = await sam.post('/api/templates/nd-letter/render', { fields: { client: 'A', tier: 'advisory', amount: 1, start_on: '2026-01-01' } });
  assert.equal(filled.status, 200);
  assert.equal((await sam.get('/api/templates/nd-copy')).status, 404);
});

test('ratings, gallery filters and search', async () => {
  const { sam, lee } = users;
  assert.equal((await sam.post('/api/templates/quote/ratings', { stars: 5 })).status, 403);
  assert.equal((await lee.post('/api/templates/quote/ratings', { stars: 6 })).status, 400);
  const rated = await lee.post('/api/templates/quote/ratings', { stars: 4, comment: 'Clear tiers' });
  assert.equal(rated.status, 200);
  assert.equal(rated.json.rating.average, 4);
  const byRating = await sam.get('/api/templates?sort=rating');
  assert.equal(byRating.json.items[0].slug, 'quote');
  const advisories = await sam.get('/api/templates?kind=advisory');
  assert.deepEqual(advisories.json.items.map((t) => t.slug).sort(), ['advisory', 'release-advisory']);
  assert.deepEqual((await sam.get('/api/templates?tag=sales&sort=new')).json.items.map((t) => t.slug).sort(),
    ['lee-quote', 'nd-letter', 'pre-commitment-letter', 'quote', 'retainer-quote', 'sam-offer', 'vendor-onboarding-answers']);
  const found = await sam.get('/api/search?q=advisory%20libfoo');
  assert.equal(found.status, 200);
  const hits = await sam.get('/api/search?q=Release%20advisory');
  assert.ok(hits.json.items.some((h) => h.kind === 'template' && h.slug === 'advisory'), hits.text);
});

test('starter templates: imported once by init, released, with sources, and fillable', async () => {
  const { sam } = users;
  const starters = ['invoice', 'pre-commitment-letter', 'quarterly-digest', 'release-advisory', 'renewal-reminder',
    'retainer-agreement-cover', 'retainer-quote', 'vendor-onboarding-answers'];
  cli(['init', '--data-dir', hub.dataDir]);
  const all = (await sam.get('/api/templates')).json.items;
  for (const slug of starters) {
    const found = all.filter((t) => t.slug === slug);
    assert.equal(found.length, 1, slug);
    assert.equal(found[0].latest_version, '1.0.0', slug);
    const page = (await sam.get(`/api/templates/${slug}`)).json;
    assert.match(page.content, /\nsources:\n  - /, slug);
    assert.equal(page.owner, null);
  }
  assert.equal((await sam.get('/api/templates/pre-commitment-letter')).json.fill_only, true);
  const agreement = (await sam.get('/api/templates/retainer-agreement-cover')).json.content;
  assert.match(agreement, /No assignment of intellectual property/);
  const invoice = await sam.post('/api/templates/invoice/render', {
    format: 'json',
    fields: {
      invoice_number: '2026-007', issued_on: '2026-04-01', due_on: '2026-05-01', maintainer: 'Sam', client: 'Initech',
      items: [{ description: 'Retainer, Q2', amount: 9000 }, { description: 'Advisory call', amount: 500 }],
      payment_details: 'IBAN XX00 0000',
    },
  });
  assert.equal(invoice.status, 200, invoice.text);
  assert.match(invoice.json.html, /<strong>9,500<\/strong>/);
});
