// Sharing against a real cohorthub process: the private pipeline, encryption at rest, waves, the
// required attacks (differencing, a 4-member cell and its margin, one member as several) and
// cohort success. Noise is off here (COHORTHUB_PRIVACY_NOISE=off) so figures can be compared
// exactly; the thresholds and republication rules apply all the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startHub, Client } from '../support/server.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const PASSWORD = 'a long enough passphrase';
let hub, admin, cohortId;
let serial = 0;

function deal(over = {}) {
  return {
    label: 'Client', stage: 'active', tier: 'sustaining', annual_amount: 50000, currency: 'USD',
    ecosystem: 'python', region: 'europe', hours_per_month: 8, channel: 'champion',
    first_contact_on: '2024-01-10', signed_on: '2024-03-01', shared: true, ...over,
  };
}

// Registers `n` new members of a cohort (the test cohort by default), logged in.
async function members(n, cohort = cohortId) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const code = (await admin.post('/api/invites', { role: 'member', cohort_id: cohort })).json.code;
    const c = new Client(hub.url);
    const r = await c.post('/api/register', { invite_code: code, handle: `m${++serial}`, display_name: `M ${serial}`, password: PASSWORD });
    assert.equal(r.status, 201, r.text);
    out.push(c);
  }
  return out;
}

async function share(client, over) {
  const r = await client.post('/api/engagements', deal(over));
  assert.equal(r.status, 201, r.text);
  return r.json.engagement;
}

async function closeWave() {
  const r = await admin.post('/api/waves/close');
  assert.equal(r.status, 201, r.text);
  return r.json.wave;
}

const cell = (rates, dim, key) => rates.tables.find((t) => t.dimension === dim).cells.find((c) => c.key === key);

before(async () => {
  hub = await startHub({ admin: ADMIN, env: { COHORTHUB_PRIVACY_NOISE: 'off', COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '500' } });
  admin = new Client(hub.url);
  assert.equal((await admin.post('/api/login', ADMIN)).status, 200);
  cohortId = (await admin.post('/api/cohorts', { name: 'Sharing cohort', starts_on: '2024-01-01' })).json.cohort.id;
});
after(async () => { await hub?.stop(); });

test('the pipeline is private: only the author sees a row; bad input names the field', async () => {
  const [sam, lee] = await members(2);
  const e = await share(sam, { label: 'Acme GmbH', stage: 'quoted', signed_on: null, shared: false });
  assert.equal(e.days_in_stage, 0);
  for (const other of [lee, admin]) {
    assert.equal((await other.get(`/api/engagements/${e.id}`)).status, 404);
    assert.equal((await other.patch(`/api/engagements/${e.id}`, { label: 'x' })).status, 404);
    assert.equal((await other.del(`/api/engagements/${e.id}`)).status, 404);
    assert.deepEqual((await other.get('/api/engagements')).json.items, []);
  }
  for (const [field, value] of [['tier', 'gold'], ['annual_amount', -3], ['annual_amount', 1e12], ['currency', 'XYZ'], ['signed_on', '2023-01-01']]) {
    const r = await sam.post('/api/engagements', deal({ [field]: value }));
    assert.equal(r.status, 400, field);
    assert.equal(r.json.error.field, field);
  }
  const signed = await share(sam, { label: 'Beta' });
  const renewal = await sam.post(`/api/engagements/${signed.id}/renewals`, { outcome: 'renewed', decided_on: '2024-02-01' });
  assert.equal(renewal.json.error.field, 'decided_on');
  assert.equal((await sam.get('/api/engagements')).json.items.length, 2);
  // The submit path logs no IP.
  assert.ok(!hub.logs().includes('127.0.0.1'), 'an IP address is in the log');
  for (const x of [e, signed]) assert.equal((await sam.del(`/api/engagements/${x.id}`)).status, 204);
});

test('a copy of the database files (with -wal) reveals no label or amount', async () => {
  const [sam] = await members(1);
  const e = await share(sam, { label: 'Quokka-Industries-51', annual_amount: 734519, shared: true });
  const dbBytes = () => ['cohorthub.db', 'cohorthub.db-wal'].map((f) => join(hub.dataDir, f)).filter(existsSync)
    .map((f) => readFileSync(f, 'latin1')).join('');
  const bytes = dbBytes();
  assert.ok(bytes.length > 4096);
  for (const secret of ['Quokka-Industries-51', '734519', '734,519']) assert.ok(!bytes.includes(secret), secret);
  assert.equal((await sam.get(`/api/engagements/${e.id}`)).json.engagement.annual_amount, 734519);
  assert.equal((await sam.del(`/api/engagements/${e.id}`)).status, 204);
  // An amount as SQLite stores it in an INTEGER column (4-byte big-endian here) or a REAL column:
  // a text scan alone would miss both. A chance match is about 1 in 40,000 per run.
  const yak = await share(sam, { label: 'Yak', annual_amount: 87654321 });
  const after = dbBytes();
  const integer = Buffer.alloc(4), real = Buffer.alloc(8);
  integer.writeInt32BE(87654321);
  real.writeDoubleBE(87654321);
  for (const form of [integer, real, Buffer.from('87654321')]) assert.ok(!after.includes(form.toString('latin1')), form.toString('hex'));
  assert.equal((await sam.del(`/api/engagements/${yak.id}`)).status, 204);
});

test('attacks: a 4-member cell is suppressed without a margin leak; differencing and one-as-many fail', async () => {
  const sustaining = await members(12), reciprocal = await members(9), advisory = await members(4);
  for (const m of sustaining) await share(m, { tier: 'sustaining', annual_amount: 40000 });
  for (const m of reciprocal) await share(m, { tier: 'reciprocal', annual_amount: 90000 });
  for (const m of advisory) await share(m, { tier: 'advisory', annual_amount: 200000 });
  const first = await closeWave();
  const rates1 = (await admin.get('/api/rates')).json;
  assert.equal(rates1.wave.id, first.id);
  assert.equal(cell(rates1, 'tier', 'advisory').suppressed, true);
  assert.equal(cell(rates1, 'tier', 'advisory').members, undefined);
  // The margin: the region table publishes everyone; what the tier table hides is not one cell.
  const total = cell(rates1, 'region', 'europe').members;
  assert.equal(total, 25);
  const shown = rates1.tables.find((t) => t.dimension === 'tier').cells.reduce((s, c) => s + (c.members ?? 0), 0);
  assert.notEqual(total - shown, 4, 'the margin reveals the 4-member cell');
  assert.ok(rates1.tables.find((t) => t.dimension === 'tier').cells.filter((c) => c.suppressed).length >= 2);
  assert.equal(cell(rates1, 'tier', 'sustaining').members, 12);
  assert.equal(cell(rates1, 'tier', 'sustaining').median, 40000);

  // Differencing: one more member's engagement, a new wave: the published figures do not move.
  const [newcomer] = await members(1);
  await share(newcomer, { tier: 'sustaining', annual_amount: 480000, region: 'europe' });
  const second = await closeWave();
  const rates2 = (await admin.get('/api/rates')).json;
  assert.notEqual(second.id, first.id);
  assert.deepEqual(rates2.tables, rates1.tables);

  // One member cannot count as several: forty deals from one member in an empty cell.
  const [spammer] = await members(1);
  for (let i = 0; i < 40; i++) await share(spammer, { tier: 'advisory', region: 'oceania', ecosystem: 'php', annual_amount: 300000 + i });
  await closeWave();
  const rates3 = (await admin.get('/api/rates')).json;
  assert.equal(cell(rates3, 'region', 'oceania').suppressed, true);
  assert.equal(cell(rates3, 'ecosystem', 'php').suppressed, true);
  // Where do I stand: computed from the published sustaining cell only.
  const [asker] = await members(1);
  const pos = (await asker.get('/api/rates/position?tier=sustaining&annual_amount=30000&currency=USD')).json;
  assert.equal(pos.wave.id, rates3.wave.id);
  assert.equal(pos.position, 'below_median');
  assert.equal((await asker.get('/api/rates/position?tier=sustaining&annual_amount=-1&currency=USD')).json.error.field, 'annual_amount');
});

test('cohort success: first-renewal rate and a survival curve from the published wave', async () => {
  const team = await members(12);
  for (const [i, m] of team.entries()) {
    const e = await share(m, { tier: 'advisory', region: 'asia', signed_on: '2024-03-01', first_contact_on: '2024-01-01' });
    const outcome = i % 2 ? 'renewed' : 'churned';
    const r = await m.post(`/api/engagements/${e.id}/renewals`, { outcome, decided_on: '2025-03-01' });
    assert.equal(r.status, 201, r.text);
  }
  const before = (await team[0].get(`/api/cohorts/${cohortId}/success`)).json;
  await closeWave();
  const s = (await team[0].get(`/api/cohorts/${cohortId}/success`)).json;
  assert.notDeepEqual(s.wave, before.wave);
  assert.equal(s.first_renewal.decided, 12);
  assert.equal(s.first_renewal.renewed, 6);
  assert.ok(s.survival.length >= 1);
  for (const p of s.survival) {
    assert.ok(p.at_risk >= 10);
    assert.ok(p.lower <= p.survival && p.survival <= p.upper && p.upper <= 1);
  }
  assert.ok(s.join_quarters.length >= 1);
  assert.equal((await new Client(hub.url).get(`/api/cohorts/${cohortId}/success`)).status, 401);
});

test('differencing the success curve fails: prospect-only accounts do not republish it, so one churn stays hidden', async () => {
  const cohort = (await admin.post('/api/cohorts', { name: 'Success differencing', starts_on: '2024-01-01' })).json.cohort.id;
  const team = await members(14, cohort);
  const deals = [];
  for (const [i, m] of team.entries()) {
    deals.push(await share(m, { tier: 'advisory', region: 'africa', signed_on: '2024-03-01', first_contact_on: '2024-01-01' }));
    if (i % 2 === 1) {
      const churn = { outcome: 'churned', decided_on: `2024-${String(4 + (i >> 1)).padStart(2, '0')}-01` };
      assert.equal((await m.post(`/api/engagements/${deals[i].id}/renewals`, churn)).status, 201);
    }
  }
  await closeWave();
  const { wave: _w1, ...before } = (await team[0].get(`/api/cohorts/${cohort}/success`)).json;
  assert.ok(before.survival.length >= 2, JSON.stringify(before));
  // The attack: one member churns, three accounts that share only a prospect join, a new wave.
  const victim = await team[2].post(`/api/engagements/${deals[2].id}/renewals`, { outcome: 'churned', decided_on: '2024-03-20' });
  assert.equal(victim.status, 201, victim.text);
  for (const m of await members(3, cohort)) await share(m, { stage: 'prospect', signed_on: null });
  const second = await closeWave();
  const { wave: w2, ...after } = (await team[0].get(`/api/cohorts/${cohort}/success`)).json;
  assert.equal(w2.id, second.id);
  assert.deepEqual(after, before, 'the success figures moved: their difference is one member\'s churn');
});

test('noise is on by default, and the published document says so', async () => {
  const noisy = await startHub({ admin: ADMIN });
  try {
    const c = new Client(noisy.url);
    assert.equal((await c.post('/api/login', ADMIN)).status, 200);
    assert.equal((await c.post('/api/waves/close')).status, 201);
    const rates = (await c.get('/api/rates')).json;
    assert.equal(rates.noise, true);
    assert.equal(rates.tables.length, 3);
  } finally {
    await noisy.stop();
  }
});
