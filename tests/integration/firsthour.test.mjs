// A newcomer's first hour against a real server: the demo community (`init --demo`) as the API
// serves it, and the hub's "is this a demo?" answer that every page's banner reads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHub, Client } from '../support/server.mjs';

let demo;
const password = () => /password ([A-Za-z0-9_-]+)/.exec(readFileSync(join(demo.dataDir, 'demo-logins.txt'), 'utf8'))[1];

async function signedIn(handle) {
  const c = new Client(demo.url);
  assert.equal((await c.post('/api/login', { handle, password: password() })).status, 200);
  return c;
}

before(async () => { demo = await startHub({ demo: true, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '100' } }); });
after(async () => { await demo?.stop(); });

test('a demo hub says so before anyone signs in; a plain hub does not', async () => {
  assert.deepEqual((await new Client(demo.url).get('/api/hub')).json, { demo: true });
  const plain = await startHub();
  try {
    assert.deepEqual((await new Client(plain.url).get('/api/hub')).json, { demo: false });
  } finally {
    await plain.stop();
  }
});

test('the demo logins open a community with history: pipelines, rates, success, channels, playbooks', async () => {
  const sam = await signedIn('sam');
  const me = (await sam.get('/api/me')).json;
  assert.equal(me.cohort_ids.length, 1);
  const pipeline = (await sam.get('/api/engagements')).json.items;
  assert.equal(pipeline.length, 4);
  assert.ok(pipeline.some((e) => e.signed_on));
  const rates = (await sam.get('/api/rates')).json;
  assert.ok(rates.wave && rates.tables.length >= 3);
  assert.ok(rates.tables.some((t) => t.cells.some((c) => c.median)));
  const success = (await sam.get(`/api/cohorts/${me.cohort_ids[0]}/success`)).json;
  assert.ok(success.survival.length > 1);
  const channels = (await sam.get('/api/channels')).json.items;
  assert.deepEqual(channels.map((c) => c.name).sort(), ['cohort-1', 'general', 'rates-and-pricing']);
  const messages = (await sam.get(`/api/channels/${channels[0].id}/messages`)).json.items;
  assert.ok(messages.length > 0);
  const playbooks = (await sam.get('/api/playbooks')).json.items.map((p) => p.slug);
  assert.ok(playbooks.includes('talking-about-rates') && playbooks.includes('first-month'));
  const ada = await signedIn('ada');
  assert.equal((await ada.get('/api/cohorts')).json.items.length, 3);
  assert.equal((await ada.get('/api/channels')).json.items.length, 5);
});

test('no page tells a person to call the API', () => {
  const web = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
  const offenders = readdirSync(web, { recursive: true })
    .filter((f) => /\.(js|html)$/.test(f))
    .filter((f) => /\b(GET|POST|PUT|PATCH|DELETE) \/api\//.test(readFileSync(join(web, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('an unused invite can be withdrawn by its maker or an admin, and then no longer registers anyone', async () => {
  const ada = await signedIn('ada'), mira = await signedIn('mira'), sam = await signedIn('sam');
  const cohort = (await mira.get('/api/me')).json.cohort_ids[0];
  const adas = (await ada.post('/api/invites', { role: 'member', cohort_id: cohort })).json;
  const miras = (await mira.post('/api/invites', { role: 'member', cohort_id: cohort })).json;
  assert.equal((await mira.del(`/api/invites/${adas.id}`)).status, 404, 'a mentor withdraws only their own');
  assert.equal((await sam.del(`/api/invites/${miras.id}`)).status, 404);
  assert.equal((await new Client(demo.url).del(`/api/invites/${miras.id}`)).status, 401);
  assert.deepEqual((await mira.del(`/api/invites/${miras.id}`)).json, { id: miras.id, status: 'revoked' });
  assert.equal((await ada.del(`/api/invites/${miras.id}`)).status, 409, 'already withdrawn');
  const reg = await new Client(demo.url).post('/api/register',
    { invite_code: miras.code, handle: 'latecomer', display_name: 'Late Comer', password: 'a long enough passphrase' });
  assert.equal(reg.status, 400);
  assert.equal(reg.json.error.field, 'invite_code');
  assert.match(reg.json.error.message, /withdrawn/);
  assert.equal((await ada.del(`/api/invites/${adas.id}`)).status, 200, 'an admin withdraws anyone\'s');
  const listed = (await ada.get('/api/invites')).json.items.filter((i) => i.id === adas.id || i.id === miras.id);
  assert.deepEqual(listed.map((i) => i.status), ['revoked', 'revoked']);
});

test('a channel is renamed by an admin or a mentor of its cohort; others are refused or see nothing', async () => {
  const mira = await signedIn('mira'), sam = await signedIn('sam'), lee = await signedIn('lee');
  const channels = (await mira.get('/api/channels')).json.items;
  const own = channels.find((c) => c.name === 'cohort-1'), general = channels.find((c) => c.name === 'general');
  const renamed = await mira.patch(`/api/channels/${own.id}`, { name: 'cohort-1-calls', topic: 'Thursdays' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.channel.name, 'cohort-1-calls');
  assert.equal(renamed.json.channel.topic, 'Thursdays');
  assert.equal((await mira.patch(`/api/channels/${general.id}`, { name: 'mine' })).status, 403, 'hub-wide: admins only');
  assert.equal((await sam.patch(`/api/channels/${own.id}`, { name: 'sams' })).status, 403);
  assert.equal((await lee.patch(`/api/channels/${own.id}`, { name: 'lees' })).status, 404, 'another cohort\'s channel');
  assert.equal((await mira.patch(`/api/channels/${own.id}`, { name: '  ' })).json.error.field, 'name');
  const ada = await signedIn('ada');
  assert.equal((await ada.patch(`/api/channels/${general.id}`, { name: 'rates-and-pricing' })).status, 409);
  assert.equal((await ada.patch(`/api/channels/${own.id}`, { name: 'cohort-1' })).status, 200);
});

test('a channel is archived by those who may rename it: read-only with a 409, its history still readable', async () => {
  const mira = await signedIn('mira'), sam = await signedIn('sam'), lee = await signedIn('lee'), ada = await signedIn('ada');
  const own = (await mira.get('/api/channels')).json.items.find((c) => c.name === 'cohort-1');
  const before = (await sam.get(`/api/channels/${own.id}/messages`)).json.items;
  assert.ok(before.length > 0);
  assert.equal((await sam.patch(`/api/channels/${own.id}`, { archived: true })).status, 403);
  assert.equal((await lee.patch(`/api/channels/${own.id}`, { archived: true })).status, 404);
  assert.equal((await mira.patch(`/api/channels/${own.id}`, { archived: 1 })).json.error.field, 'archived');
  const archived = await mira.patch(`/api/channels/${own.id}`, { archived: true });
  assert.equal(archived.status, 200, archived.text);
  assert.equal(archived.json.channel.archived, true);
  try {
    const refused = await sam.post(`/api/channels/${own.id}/messages`, { body: 'anyone there?' });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.code, 'conflict');
    assert.match(refused.json.error.message, /archived/);
    assert.equal((await ada.post(`/api/channels/${own.id}/messages`, { body: 'admin too' })).status, 409);
    assert.equal((await sam.post(`/api/messages/${before[0].id}/reactions`, { emoji: '👍' })).status, 409);
    assert.deepEqual((await sam.get(`/api/channels/${own.id}/messages`)).json.items.map((m) => m.id), before.map((m) => m.id));
    assert.equal((await sam.get('/api/channels')).json.items.find((c) => c.id === own.id).archived, true);
  } finally {
    assert.equal((await ada.patch(`/api/channels/${own.id}`, { archived: false })).status, 200);
  }
  assert.equal((await sam.post(`/api/channels/${own.id}/messages`, { body: 'back again' })).status, 201);
});

test('an admin changes someone\'s role, never their own; it holds from the next request', async () => {
  const ada = await signedIn('ada'), mira = await signedIn('mira'), lee = await signedIn('lee');
  assert.equal((await lee.get('/api/me')).json.role, 'member');
  assert.equal((await mira.patch('/api/users/lee', { role: 'mentor' })).status, 403, 'mentors do not');
  assert.equal((await ada.patch('/api/users/ada', { role: 'member' })).status, 403, 'not one\'s own');
  assert.equal((await ada.patch('/api/users/lee', { role: 'root' })).json.error.field, 'role');
  assert.equal((await ada.patch('/api/users/nobody-here', { role: 'mentor' })).status, 404);
  const changed = await ada.patch('/api/users/lee', { role: 'mentor' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.json.user.role, 'mentor');
  assert.equal((await lee.get('/api/me')).json.role, 'mentor', 'the same session sees the new role at once');
  assert.equal((await ada.patch('/api/users/lee', { role: 'member' })).status, 200);
  assert.equal((await lee.get('/api/me')).json.role, 'member');
});
