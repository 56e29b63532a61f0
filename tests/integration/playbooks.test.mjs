// Playbooks against a real cohorthub process: the starter content from `init`, two clients racing
// on one playbook (no edit is ever lost), proposals with review, search, export and import, and
// mentoring from pairing to a ticked checklist. Bad input gets the right 4xx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

before(async () => {
  hub = await startHub({ admin: ADMIN, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '200' } });
  users.ada = new Client(hub.url);
  const login = await users.ada.post('/api/login', ADMIN);
  assert.equal(login.status, 200);
  users.ada.id = login.json.user.id;
  users.mira = await register('mira', 'mentor');
  users.sam = await register('sam', 'member');
  users.lee = await register('lee', 'member');
  users.otto = await register('otto', 'mentor');
  users.nia = await register('nia', 'member');
  // Pairing needs a shared cohort: nia is alone in another one.
  const spring = await cohort('spring', ['mira', 'sam', 'lee', 'otto']);
  users.spring = spring;
  await cohort('autumn', ['nia']);
});

async function cohort(name, handles) {
  const r = await users.ada.post('/api/cohorts', { name, starts_on: '2026-09-01' });
  assert.equal(r.status, 201, r.text);
  const id = r.json.cohort.id;
  for (const handle of handles) {
    const added = await users.ada.post(`/api/cohorts/${id}/members`, { handle });
    assert.equal(added.status, 200, added.text);
  }
  return id;
}
after(async () => { await hub?.stop(); });

async function create(client, slug, content, extra = {}) {
  const r = await client.post('/api/playbooks', { slug, title: `Playbook ${slug}`, content, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// Saves `edit(content)` until it lands: a 409 with a clean merge is saved again against the new
// head, exactly as the web editor does after showing the merge. Returns the number of 409s.
async function saveUntilLanded(client, slug, edit) {
  let view = (await client.get(`/api/playbooks/${slug}`)).json;
  let content = edit(view.content);
  let base = view.revision;
  for (let conflicts = 0; conflicts < 50; conflicts += 1) {
    const r = await client.put(`/api/playbooks/${slug}`, { base_revision: base, content, summary: 'race' });
    if (r.status === 200) return conflicts;
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.clean, true, `edits to different lines must merge cleanly: ${r.text}`);
    content = r.json.merged;
    base = r.json.head_revision;
  }
  throw new Error('never landed');
}

test('init imported the starter playbooks, each with a task list, searchable', async () => {
  const list = (await users.sam.get('/api/playbooks?limit=200')).json.items;
  const slugs = list.map((p) => p.slug);
  for (const slug of ['pitching-a-retainer', 'finding-a-champion', 'vendor-onboarding', 'contract-clauses-to-refuse',
    'keeping-clients-engaged', 'first-renewal', 'conflicts-of-interest', 'onboarding-a-junior-maintainer']) {
    assert.ok(slugs.includes(slug), `missing ${slug}`);
  }
  const pitch = (await users.sam.get('/api/playbooks/pitching-a-retainer')).json;
  assert.match(pitch.html, /<input type="checkbox" disabled="" \/>/);
  assert.match(pitch.content, /## Sources/);
  // Search covers the starter templates too; the best playbook hit is the vendor-onboarding one.
  const hits = (await users.sam.get('/api/search?q=purchase%20order')).json.items.filter((h) => h.kind === 'playbook');
  assert.equal(hits[0].slug, 'vendor-onboarding');
  assert.match(hits[0].snippet, /<mark>purchase<\/mark>\s<mark>order/i);
  // Running init again changes nothing.
  cli(['init', '--data-dir', hub.dataDir]);
  assert.equal((await users.sam.get('/api/playbooks?limit=200')).json.items.length, list.length);
});

test('two clients racing on one playbook never lose an edit', async () => {
  const ROUNDS = 15;
  // Each client owns its own lines, two unchanged lines apart from the other's.
  const lines = [];
  for (let i = 0; i < ROUNDS; i += 1) lines.push(`sam ${i}:`, '', '', `lee ${i}:`, '', '');
  await create(users.sam, 'race', `${lines.join('\n')}\n`);
  const mark = (who, i) => (text) => text.replace(`${who} ${i}:\n`, `${who} ${i}: edited by ${who}\n`);
  let conflicts = 0;
  for (let i = 0; i < ROUNDS; i += 1) {
    const [a, b] = await Promise.all([saveUntilLanded(users.sam, 'race', mark('sam', i)),
      saveUntilLanded(users.lee, 'race', mark('lee', i))]);
    conflicts += a + b;
  }
  const final = (await users.sam.get('/api/playbooks/race')).json;
  for (let i = 0; i < ROUNDS; i += 1) {
    assert.ok(final.content.includes(`sam ${i}: edited by sam\n`), `lost sam's edit ${i}`);
    assert.ok(final.content.includes(`lee ${i}: edited by lee\n`), `lost lee's edit ${i}`);
  }
  assert.equal(final.revision, 1 + 2 * ROUNDS, 'one revision per edit, none overwritten');
  assert.ok(conflicts > 0, 'the clients did race');
  const history = (await users.sam.get('/api/playbooks/race/revisions?limit=200')).json.items;
  assert.deepEqual(history.map((r) => r.number), Array.from({ length: 1 + 2 * ROUNDS }, (_, k) => 1 + 2 * ROUNDS - k));
});

test('simultaneous saves on the same line: one lands, the other gets its text back marked', async () => {
  await create(users.sam, 'same-line', 'a\nb\nc\n');
  const [r1, r2] = await Promise.all([
    users.sam.put('/api/playbooks/same-line', { base_revision: 1, content: 'a\nfrom sam\nc\n' }),
    users.lee.put('/api/playbooks/same-line', { base_revision: 1, content: 'a\nfrom lee\nc\n' })]);
  const statuses = [r1.status, r2.status].sort();
  assert.deepEqual(statuses, [200, 409]);
  const loser = r1.status === 409 ? r1 : r2;
  assert.equal(loser.json.clean, false);
  assert.equal(loser.json.conflicts.length, 1);
  assert.match(loser.json.marked, /from sam/);
  assert.match(loser.json.marked, /from lee/);
  // The loser resolves by keeping both lines and saves against the new head.
  const resolved = await users.lee.put('/api/playbooks/same-line',
    { base_revision: loser.json.head_revision, content: 'a\nfrom sam\nfrom lee\nc\n' });
  assert.equal(resolved.status, 200, resolved.text);
  assert.equal(resolved.json.revision, 3);
});

test('bad input gets the right 4xx and nothing changes', async () => {
  await create(users.sam, 'guarded', '- [ ] one\n');
  assert.equal((await users.sam.get('/api/playbooks/no-such-slug')).status, 404);
  assert.equal((await users.sam.post('/api/playbooks', { slug: 'guarded', title: 'T', content: 'x' })).status, 409);
  assert.equal((await users.sam.post('/api/playbooks', { slug: 'Bad Slug!', title: 'T', content: 'x' })).json.error.field, 'slug');
  assert.equal((await users.sam.post('/api/playbooks', { slug: 'big', title: 'T', content: 'x'.repeat(140 * 1024) })).status, 413);
  assert.equal((await users.sam.put('/api/playbooks/guarded', { content: 'y' })).status, 428);
  assert.equal((await users.sam.put('/api/playbooks/guarded', { base_revision: 9, content: 'y' })).status, 400);
  assert.equal((await users.sam.put('/api/playbooks/guarded', { base_revision: 1, content: 'x' }, { origin: 'http://evil.example' })).status, 403);
  const view = (await users.sam.get('/api/playbooks/guarded')).json;
  assert.equal(view.revision, 1);
  assert.equal(view.content, '- [ ] one\n');
});

test('a proposal is reviewed by someone else and merged with the approvals the playbook needs', async () => {
  await create(users.mira, 'reviewed', '# Reviewed\n\nthe first wording\n', { required_approvals: 1 });
  assert.equal((await users.sam.put('/api/playbooks/reviewed', { base_revision: 1, content: 'direct' })).status, 403);
  const opened = await users.sam.post('/api/playbooks/reviewed/proposals', { base_revision: 1, content: '# Reviewed\n\nthe better wording\n', summary: 'Better wording' });
  assert.equal(opened.status, 201, opened.text);
  const id = opened.json.proposal.id;
  assert.equal((await users.sam.post(`/api/proposals/${id}/reviews`, { verdict: 'approve' })).status, 403);
  assert.equal((await users.sam.post(`/api/proposals/${id}/merge`)).status, 409);
  assert.equal((await users.lee.post(`/api/proposals/${id}/reviews`, { verdict: 'approve', comment: 'Clearer.' })).status, 201);
  const merged = await users.sam.post(`/api/proposals/${id}/merge`);
  assert.equal(merged.status, 200, merged.text);
  const view = (await users.lee.get('/api/playbooks/reviewed')).json;
  assert.equal(view.revision, 2);
  assert.equal(view.content, '# Reviewed\n\nthe better wording\n');
  const diff = (await users.lee.get('/api/playbooks/reviewed/diff?from=1&to=2')).json;
  assert.equal(diff.added, 1);
  assert.equal(diff.hunks[0].lines.find((l) => l.op === '+').words.find((w) => w.op === '+').text, 'better');
});

test('export all as tar and JSON, and import the files into the same format', async () => {
  const tar = await users.sam.get('/api/playbooks/export?format=tar');
  assert.equal(tar.status, 200);
  assert.equal(tar.headers.get('content-type'), 'application/x-tar');
  const files = (await users.sam.get('/api/playbooks/export')).json.files;
  const guarded = files.find((f) => f.name === 'guarded.md');
  assert.match(guarded.content, /^---\nslug: guarded\n/);
  const changed = guarded.content.replace('- [ ] one', '- [ ] one\n- [ ] two');
  assert.equal((await users.sam.post('/api/playbooks/import', { files: [{ name: 'guarded.md', content: changed }] })).status, 403);
  const imported = await users.ada.post('/api/playbooks/import', { files: [{ name: 'guarded.md', content: changed }] });
  assert.equal(imported.status, 200, imported.text);
  assert.deepEqual(imported.json.updated, ['guarded']);
  assert.equal((await users.sam.get('/api/playbooks/guarded')).json.content, '- [ ] one\n- [ ] two\n');
});

test('a mentor pairs with a mentee, assigns a pinned checklist, and follows it being ticked off', async () => {
  assert.equal((await users.sam.post('/api/mentorships', { mentor_id: users.sam.id, mentee_id: users.lee.id })).status, 403);
  const paired = await users.mira.post('/api/mentorships', { mentor_id: users.mira.id, mentee_id: users.sam.id });
  assert.equal(paired.status, 201, paired.text);
  const assigned = await users.mira.post('/api/assignments', { mentee_id: users.sam.id, playbook: 'vendor-onboarding', due_on: '2099-01-01' });
  assert.equal(assigned.status, 201, assigned.text);
  const a = assigned.json;
  assert.ok(a.items.length >= 5);
  assert.deepEqual(a.items.map((i) => i.n), a.items.map((_, k) => k + 1));
  assert.equal((await users.mira.patch(`/api/assignments/${a.id}/items/1`, { done: true })).status, 403);
  assert.equal((await users.lee.get(`/api/assignments/${a.id}`)).status, 404);
  assert.equal((await users.sam.patch(`/api/assignments/${a.id}/items/999`, { done: true })).status, 404);
  const ticked = await users.sam.patch(`/api/assignments/${a.id}/items/1`, { done: true, note: 'Prepared the details sheet' });
  assert.equal(ticked.status, 200, ticked.text);
  assert.equal(ticked.json.progress.done, 1);
  const board = (await users.mira.get('/api/mentoring/dashboard')).json;
  const sam = board.mentees.find((m) => m.mentee.handle === 'sam');
  assert.equal(sam.progress.done, 1);
  assert.equal(board.activity[0].note, 'Prepared the details sheet');
  assert.equal((await users.lee.get(`/api/assignments?mentee_id=${users.sam.id}`)).status, 403);
});

// Issue 10, hole 1: on a0b7341 each refused pairing below answered 201, and a mentor read every
// assignment of a mentee, whoever set it.
test('a mentor cannot adopt an admin or a member of another cohort; admins pair only within a cohort', async () => {
  const pair = (client, mentor, mentee) => client.post('/api/mentorships', { mentor_id: mentor.id, mentee_id: mentee.id });
  const admin = await pair(users.otto, users.otto, users.ada);
  assert.equal(admin.status, 403, admin.text);
  assert.equal(admin.json.error.code, 'forbidden');
  const stranger = await pair(users.otto, users.otto, users.nia);
  assert.equal(stranger.status, 403, stranger.text);
  assert.equal(stranger.json.error.code, 'forbidden');
  assert.equal((await pair(users.ada, users.otto, users.nia)).status, 403);
  assert.equal((await pair(users.otto, users.otto, users.mira)).status, 403, 'a mentor is no mentee');
  const refused = (await users.otto.get(`/api/assignments?mentee_id=${users.nia.id}`));
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error.code, 'forbidden');
  assert.equal((await users.ada.get('/api/mentorships')).json.items.filter((m) => m.mentor.id === users.otto.id).length, 0);
});

test('a mentee sees their pairings and ends one; the mentor then reads none of their checklists', async () => {
  const paired = await users.ada.post('/api/mentorships', { mentor_id: users.otto.id, mentee_id: users.lee.id });
  assert.equal(paired.status, 201, paired.text);
  const assigned = await users.otto.post('/api/assignments', { mentee_id: users.lee.id, playbook: 'vendor-onboarding' });
  assert.equal(assigned.status, 201, assigned.text);
  const mine = (await users.lee.get('/api/mentorships')).json.items;
  assert.deepEqual(mine.map((m) => m.mentor.handle), ['otto']);
  assert.equal((await users.sam.del(`/api/mentorships/${users.otto.id}/${users.lee.id}`)).status, 403);
  const ended = await users.lee.del(`/api/mentorships/${users.otto.id}/${users.lee.id}`);
  assert.equal(ended.status, 204, ended.text);
  assert.deepEqual((await users.lee.get('/api/mentorships')).json.items, []);
  const gone = await users.otto.get(`/api/assignments/${assigned.json.id}`);
  assert.equal(gone.status, 404, gone.text);
  assert.equal(gone.json.error.code, 'not_found');
  assert.equal((await users.otto.get(`/api/assignments?mentee_id=${users.lee.id}`)).status, 403);
  assert.equal((await users.lee.get(`/api/assignments/${assigned.json.id}`)).status, 200, 'the mentee keeps the checklist');
});

test('a mentor reads only the assignments they set, not another mentor\'s', async () => {
  assert.equal((await users.ada.post('/api/mentorships', { mentor_id: users.otto.id, mentee_id: users.sam.id })).status, 201);
  const byOtto = await users.otto.post('/api/assignments', { mentee_id: users.sam.id, playbook: 'first-renewal' });
  assert.equal(byOtto.status, 201, byOtto.text);
  const hidden = await users.mira.get(`/api/assignments/${byOtto.json.id}`);
  assert.equal(hidden.status, 404, hidden.text);
  const listed = (await users.mira.get(`/api/assignments?mentee_id=${users.sam.id}`)).json.items;
  assert.ok(listed.length >= 1);
  assert.ok(listed.every((a) => a.mentor.id === users.mira.id), 'only mira\'s own assignments');
  const board = (await users.mira.get('/api/mentoring/dashboard')).json;
  assert.ok(board.activity.every((a) => a.playbook.slug !== 'first-renewal'));
  assert.equal((await users.ada.get(`/api/assignments/${byOtto.json.id}`)).status, 200);
});

// Issue 10, hole 6: on a0b7341 the PATCHes below answered 200 and nothing recorded them.
test('a reviewed playbook keeps its title and tags unless proposed, and only admins lower approvals, audited', async () => {
  await create(users.mira, 'settled', '# Settled\n', { required_approvals: 1, tags: ['sales'] });
  const retitled = await users.sam.patch('/api/playbooks/settled', { title: 'Hijacked' });
  assert.equal(retitled.status, 403, retitled.text);
  assert.match(retitled.json.error.message, /propos/i);
  assert.equal((await users.sam.patch('/api/playbooks/settled', { tags: ['spam'] })).status, 403);
  assert.equal((await users.mira.patch('/api/playbooks/settled', { title: 'Hijacked' })).status, 403);
  // The settings form sends the title and tags unchanged: that is no change.
  assert.equal((await users.sam.patch('/api/playbooks/settled', { title: 'Playbook settled', tags: ['sales'] })).status, 200);
  const lowered = await users.mira.patch('/api/playbooks/settled', { required_approvals: 0 });
  assert.equal(lowered.status, 403, lowered.text);
  assert.equal((await users.mira.patch('/api/playbooks/settled', { required_approvals: 2 })).status, 200);
  assert.equal((await users.ada.patch('/api/playbooks/settled', { required_approvals: 0 })).status, 200);
  const view = (await users.sam.get('/api/playbooks/settled')).json;
  assert.equal(view.title, 'Playbook settled');
  assert.deepEqual(view.tags, ['sales']);
  assert.equal(view.required_approvals, 0);
  assert.equal((await users.mira.get('/api/playbooks/settled/settings-log')).status, 403);
  const log = await users.ada.get('/api/playbooks/settled/settings-log');
  assert.equal(log.status, 200, log.text);
  assert.deepEqual(log.json.items.map((e) => [e.actor.handle, e.field, e.old, e.new]),
    [['ada', 'required_approvals', 2, 0], ['mira', 'required_approvals', 1, 2]]);
  assert.match(log.json.items[0].at, /^\d{4}-\d\d-\d\dT/);
});
