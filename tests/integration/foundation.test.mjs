// The foundation against a real cohorthub process on 127.0.0.1:0: accounts, cohorts, limits,
// bad input, logs, TLS, backup and shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import https from 'node:https';
import { startHub, Client, cli } from '../support/server.mjs';

const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
let hub;

function sql(dataDir, query) {
  return execFileSync('sqlite3', [join(dataDir, 'cohorthub.db'), query], { encoding: 'utf8' }).trim();
}

// Sends raw bytes and returns the raw response text (for what fetch refuses to send).
function raw(url, bytes) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => { socket.destroy(); resolve(data); });
  });
}

async function adminClient() {
  const c = new Client(hub.url);
  const r = await c.post('/api/login', ADMIN);
  assert.equal(r.status, 200);
  return c;
}

function newInvite(role = 'member', cohort) {
  const out = cli(['admin', 'create-invite', '--data-dir', hub.dataDir, '--role', role,
    ...(cohort ? ['--cohort', String(cohort)] : [])]);
  return out.trim().split('\n').pop();
}

// A roomy per-address login budget: this file logs in often; the per-address limit has its own unit test.
before(async () => { hub = await startHub({ admin: ADMIN, env: { COHORTHUB_AUTH_LOGIN_BURST_PER_IP: '200' } }); });
after(async () => { await hub?.stop(); });

test('health and metrics answer', async () => {
  const c = new Client(hub.url);
  assert.deepEqual((await c.get('/healthz')).json, { status: 'ok' });
  const m = await (await adminClient()).get('/metrics');  // admins only (hardening-net.test.mjs)
  assert.equal(m.status, 200);
  assert.match(m.text, /cohorthub_connections_open \d+/);
  assert.match(m.text, /cohorthub_http_request_duration_seconds_bucket\{method="GET",route="\/healthz"/);
});

test('an invite made on the command line registers a member into a cohort, who logs out and in', async () => {
  const admin = await adminClient();
  const cohort = await admin.post('/api/cohorts', { name: 'Integration cohort', starts_on: '2026-09-07' });
  assert.equal(cohort.status, 201);
  const id = cohort.json.cohort.id;
  const code = newInvite('member', id);
  const sam = new Client(hub.url);
  const reg = await sam.post('/api/register', { invite_code: code, handle: 'Sam', display_name: 'Sam Ferreira', password: 'a long enough passphrase' });
  assert.equal(reg.status, 201, reg.text);
  assert.deepEqual(reg.json.user.cohort_ids, [id]);
  const members = await sam.get(`/api/cohorts/${id}/members`);
  assert.deepEqual(members.json.items.map((m) => m.handle), ['sam']);
  assert.equal((await sam.post('/api/logout')).status, 204);
  assert.equal((await sam.get('/api/me')).status, 401);
  assert.equal((await sam.post('/api/login', { handle: 'sam', password: 'a long enough passphrase' })).status, 200);
  assert.equal((await sam.get('/api/me')).json.handle, 'sam');
});

test('session ids and API tokens are stored hashed, never as given', async () => {
  const admin = await adminClient();
  const cookie = [...admin.cookies.values()][0];
  const token = (await admin.post('/api/tokens', { name: 'ci' })).json.token;
  const dbText = readFileSync(join(hub.dataDir, 'cohorthub.db'), 'latin1') +
    (existsSync(join(hub.dataDir, 'cohorthub.db-wal')) ? readFileSync(join(hub.dataDir, 'cohorthub.db-wal'), 'latin1') : '');
  assert.ok(!dbText.includes(cookie), 'the raw session id is in the database');
  assert.ok(!dbText.includes(token), 'the raw API token is in the database');
  const bearer = await new Client(hub.url).get('/api/me', { authorization: `Bearer ${token}` });
  assert.equal(bearer.json.handle, 'ada');
});

test('bad input gets the right 4xx JSON error and changes nothing', async () => {
  const admin = await adminClient();
  const usersBefore = sql(hub.dataDir, 'select count(*) from users');
  const cohortsBefore = sql(hub.dataDir, 'select count(*) from cohorts');
  const anon = new Client(hub.url);
  const code = newInvite();
  const cases = [
    ['malformed JSON', () => anon.req('POST', '/api/register', '{"invite_code":'), 400, 'bad_request'],
    ['wrong type', () => anon.post('/api/register', { invite_code: code, handle: 12, display_name: 'X', password: 'a long enough passphrase' }), 400, 'invalid_field'],
    ['missing field', () => anon.post('/api/register', { invite_code: code, handle: 'newbie' }), 400, 'invalid_field'],
    ['weak password', () => anon.post('/api/register', { invite_code: code, handle: 'newbie', display_name: 'N', password: 'qwertyuiop' }), 400, 'invalid_field'],
    ['bad invite', () => anon.post('/api/register', { invite_code: 'nope', handle: 'newbie', display_name: 'N', password: 'a long enough passphrase' }), 400, 'invalid_field'],
    ['oversized body', () => anon.req('POST', '/api/login', JSON.stringify({ handle: 'x', password: 'y'.repeat(10000) })), 413, 'payload_too_large'],
    ['unknown route', () => anon.get('/api/does-not-exist'), 404, 'not_found'],
    ['bad cookie', () => anon.get('/api/me', { cookie: 'ch_session=forged' }), 401, 'unauthenticated'],
    ['no credentials', () => anon.get('/api/cohorts'), 401, 'unauthenticated'],
    ['CSRF without Origin', () => admin.req('POST', '/api/cohorts', { name: 'Sneaky', starts_on: '2026-01-05' }, { origin: '' }), 403, 'forbidden'],
    ['CSRF from elsewhere', () => admin.req('POST', '/api/cohorts', { name: 'Sneaky', starts_on: '2026-01-05' }, { origin: 'http://evil.example' }), 403, 'forbidden'],
    ['form content type', () => admin.req('POST', '/api/cohorts', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 400, 'bad_request'],
    ['bad date', () => admin.post('/api/cohorts', { name: 'Bad date', starts_on: '2026-02-30' }), 400, 'invalid_field'],
    ['member-only action', () => anon.post('/api/tokens', { name: 'x' }), 401, 'unauthenticated'],
  ];
  for (const [name, send, status, codeName] of cases) {
    const r = await send();
    assert.equal(r.status, status, `${name}: ${r.text}`);
    assert.equal(r.json?.error?.code, codeName, name);
    assert.equal(typeof r.json.error.message, 'string', name);
    assert.match(r.headers.get('content-type'), /^application\/json/, name);
  }
  assert.equal(sql(hub.dataDir, 'select count(*) from users'), usersBefore);
  assert.equal(sql(hub.dataDir, 'select count(*) from cohorts'), cohortsBefore);
});

test('a reused invite is refused and creates nobody', async () => {
  const code = newInvite();
  const first = await new Client(hub.url).post('/api/register', { invite_code: code, handle: 'lee', display_name: 'Lee', password: 'a long enough passphrase' });
  assert.equal(first.status, 201);
  const users = sql(hub.dataDir, 'select count(*) from users');
  const second = await new Client(hub.url).post('/api/register', { invite_code: code, handle: 'lee2', display_name: 'Lee 2', password: 'a long enough passphrase' });
  assert.equal(second.status, 400);
  assert.equal(second.json.error.field, 'invite_code');
  assert.equal(sql(hub.dataDir, 'select count(*) from users'), users);
});

test('header limit, bad Transfer-Encoding and garbage are refused on the wire', async () => {
  const big = await raw(hub.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1\.1 431/);
  const gzip = await raw(hub.url, 'POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n');
  assert.match(gzip, /^HTTP\/1\.1 400/);
  const garbage = await raw(hub.url, 'HELLO THERE\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400/);
  // The server carries on.
  assert.equal((await new Client(hub.url).get('/healthz')).status, 200);
});

test('logins are rate-limited per handle with 429 and Retry-After', async () => {
  const c = new Client(hub.url);
  let limited;
  for (let i = 0; i < 8 && !limited; i++) {
    const r = await c.post('/api/login', { handle: 'lee', password: 'wrong wrong wrong' });
    if (r.status === 429) limited = r;
    else assert.equal(r.status, 401);
  }
  assert.ok(limited, 'never rate-limited');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});

test('the access log is one JSON line per request and holds no secret', async () => {
  const admin = await adminClient();
  const token = (await admin.post('/api/tokens', { name: 'log-check' })).json.token;
  await new Client(hub.url).get('/api/me', { authorization: `Bearer ${token}` });
  await new Promise((r) => setTimeout(r, 200));
  const lines = hub.logs().split('\n').filter((l) => l.startsWith('{"bytes"'));
  assert.ok(lines.length > 10);
  for (const l of lines) JSON.parse(l);
  const all = hub.logs();
  for (const secret of [ADMIN.password, token, [...admin.cookies.values()][0], 'a long enough passphrase']) {
    assert.ok(!all.includes(secret), 'a secret reached the log');
  }
  assert.ok(!/127\.0\.0\.1/.test(lines.join('\n')), 'client addresses are not logged');
});

test('backup makes a consistent copy while serving', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'cohorthub-backup-')), 'copy.db');
  const out = cli(['backup', '--data-dir', hub.dataDir, file]);
  assert.match(out, /backed up/);
  assert.equal(readFileSync(file).subarray(0, 15).toString(), 'SQLite format 3');
  const users = execFileSync('sqlite3', [file, 'select count(*) from users'], { encoding: 'utf8' }).trim();
  assert.equal(users, sql(hub.dataDir, 'select count(*) from users'));
  assert.throws(() => cli(['backup', '--data-dir', hub.dataDir, file]));  // never overwrites
});

test('init is idempotent and keeps the keys and the data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohorthub-init-'));
  cli(['init', '--data-dir', dir, '--demo']);
  const key = readFileSync(join(dir, 'keys', 'pseudonym-hmac.key'), 'utf8');
  const logins = readFileSync(join(dir, 'demo-logins.txt'), 'utf8');
  cli(['init', '--data-dir', dir, '--demo']);
  assert.equal(readFileSync(join(dir, 'keys', 'pseudonym-hmac.key'), 'utf8'), key);
  assert.equal(readFileSync(join(dir, 'demo-logins.txt'), 'utf8'), logins);
  assert.equal(execFileSync('sqlite3', [join(dir, 'cohorthub.db'), 'select count(*) from cohorts'], { encoding: 'utf8' }).trim(), '3');
  assert.match(cli(['admin', 'list-users', '--data-dir', dir]), /ada\s+admin/);
  rmSync(dir, { recursive: true, force: true });
});

test('the production scrypt cost (N=2^17, no test escape) is used and verifies', async () => {
  const h = await startHub({ admin: ADMIN, env: { COHORTHUB_AUTH_SCRYPT_LOG2_N: '17', COHORTHUB_TEST_INSECURE_SCRYPT: '0' } });
  try {
    const c = new Client(h.url);
    assert.equal((await c.post('/api/login', ADMIN)).status, 200);
    assert.match(sql(h.dataDir, "select password_hash from users where handle='ada'"), /^\$scrypt\$ln=17,r=8,p=1\$/);
  } finally {
    await h.stop();
  }
});

test('SIGTERM stops the hub cleanly with exit code 0', async () => {
  const h = await startHub({ admin: ADMIN });
  const { code, signal } = await h.stop();
  assert.equal(signal, null);
  assert.equal(code, 0);
});

test('HTTPS: TLS 1.2 and 1.3 work, cookies become __Host- and Secure, HSTS is sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cohorthub-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const h = await startHub({ admin: ADMIN, args: ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')] });
  try {
    assert.match(h.url, /^https:/);
    const ca = readFileSync(join(dir, 'cert.pem'));
    const request = (version, path, opts = {}) => new Promise((resolve, reject) => {
      const req = https.request(h.url + path, { ca, minVersion: version, maxVersion: version, servername: 'localhost', checkServerIdentity: () => undefined, ...opts }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ res, body }));
      });
      req.on('error', reject);
      if (opts.body) req.write(opts.body);
      req.end();
    });
    const v12 = await request('TLSv1.2', '/healthz');
    assert.equal(v12.res.statusCode, 200);
    const v13 = await request('TLSv1.3', '/healthz');
    assert.equal(v13.res.statusCode, 200);
    assert.match(v13.res.headers['strict-transport-security'], /max-age=/);
    const login = await request('TLSv1.3', '/api/login', {
      method: 'POST', body: JSON.stringify(ADMIN),
      headers: { 'content-type': 'application/json', origin: h.url },
    });
    assert.equal(login.res.statusCode, 200, login.body);
    const cookie = login.res.headers['set-cookie'][0];
    assert.match(cookie, /^__Host-ch_session=/);
    assert.match(cookie, /; Secure/);
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
