// Starts a real cohorthub process on 127.0.0.1:0 for integration and browser tests.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.COHORTHUB_BIN || join(root, 'build', 'cohorthub');

// Cheap scrypt keeps the suite fast; the hash records its own cost, and one
// integration test runs with the production default. Below N=2^17 the hub starts only with the
// test-only escape COHORTHUB_TEST_INSECURE_SCRYPT=1 (docs/access.md).
const TEST_ENV = { COHORTHUB_AUTH_SCRYPT_LOG2_N: '12', COHORTHUB_TEST_INSECURE_SCRYPT: '1' };

export function cli(args, { env = {}, input } = {}) {
  return execFileSync(BIN, args, {
    env: { ...process.env, ...TEST_ENV, ...env },
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

// Options: demo (load the demo cohort), admin {handle, password}, env (extra variables),
// args (extra serve flags), dataDir (reuse one, for restart tests).
export async function startHub(opts = {}) {
  const dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'cohorthub-test-'));
  const env = { ...TEST_ENV, ...(opts.env || {}) };
  if (!opts.dataDir) {
    cli(['init', '--data-dir', dataDir, ...(opts.demo ? ['--demo'] : [])], { env });
    if (opts.admin) {
      cli(['admin', 'create-admin', '--data-dir', dataDir, '--handle', opts.admin.handle],
        { env: { ...env, COHORTHUB_ADMIN_PASSWORD: opts.admin.password } });
    }
  }
  const child = spawn(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...(opts.args || [])], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => logs.push(d));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('hub did not start: ' + logs.join(''))), 15000);
    child.once('exit', (code) => fail(new Error(`hub exited ${code}: ${logs.join('')}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (https?:\/\/\S+)$/.exec(line);
      m ? ok(m[1]) : fail(new Error('unexpected first line: ' + line));
    });
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  return {
    url,
    dataDir,
    child,
    logs: () => logs.join(''),
    // Resolves when the log has a line matching `re` (read as it is written; no polling).
    logged(re, timeoutMs = 10_000) {
      if (re.test(logs.join(''))) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { child.stderr.off('data', check); reject(new Error(`no log line ${re}`)); }, timeoutMs);
        const check = () => {
          if (!re.test(logs.join(''))) return;
          clearTimeout(timer);
          child.stderr.off('data', check);
          resolve();
        };
        child.stderr.on('data', check);
      });
    },
    // SIGTERM and wait; resolves to the exit {code, signal}.
    async stop({ keepData = false, signal = 'SIGTERM' } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}

// A tiny JSON client that keeps cookies like a browser and sends a same-origin Origin.
// docs/operations.md's restore, into the data directory of a stopped hub: the backup becomes the
// database, and the old WAL and shared-memory files go.
export function restoreBackup(backup, dataDir) {
  copyFileSync(backup, join(dataDir, 'cohorthub.db'));
  rmSync(join(dataDir, 'cohorthub.db-wal'), { force: true });
  rmSync(join(dataDir, 'cohorthub.db-shm'), { force: true });
}

export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); }
  async req(method, path, body, headers = {}) {
    const h = { ...headers };
    if (body !== undefined && !('content-type' in h)) h['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && !('origin' in h)) h.origin = this.base;
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(this.base + path, {
      method, headers: h, redirect: 'manual',
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i), value = pair.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, text, json };
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b ?? {}, h); }
  patch(p, b, h) { return this.req('PATCH', p, b ?? {}, h); }
  put(p, b, h) { return this.req('PUT', p, b ?? {}, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }
}

// Resolves with `probe()`'s value once it is truthy; after 10 s, fails naming `what`, with the end
// of the log of the hub `currentHub()` returns (a test may restart its hub).
export async function eventually(probe, what, currentHub) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${currentHub()?.logs().slice(-2000) ?? ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
