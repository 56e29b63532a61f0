// Shared pieces of the discussion benchmarks: starting servers, a hub with an admin and a channel,
// and WebSocket clients spread over worker threads (one Node thread cannot parse 100k frames/s).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUILD = process.env.BUILD_DIR || join(ROOT, 'build');
export const now = () => performance.timeOrigin + performance.now();  // ms since the epoch, comparable across threads
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startProcess(bin, args, env = {}) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (c) => fail(new Error(`${bin} exited ${c}: ${err}`)));
  });
  const url = /^listening on (http:\/\/\S+)$/.exec(line)[1];
  const exited = new Promise((ok) => child.once('exit', ok));
  return { child, url, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) / 1024;
}

const PASSWORD = 'bench-password-not-secret';
export const HUB_ENV = {
  COHORTHUB_AUTH_SCRYPT_LOG2_N: '12', COHORTHUB_TEST_INSECURE_SCRYPT: '1', COHORTHUB_LOG_ACCESS: 'false', COHORTHUB_SERVER_MAX_CONNECTIONS: '19000',
  // Every bench client comes from loopback, as one user: lift the per-address and per-user caps.
  COHORTHUB_SERVER_MAX_CONNECTIONS_PER_IP: '0', COHORTHUB_SERVER_MAX_LIVE_PER_USER: '0',
  COHORTHUB_DISCUSSION_POST_BURST: '1000000', COHORTHUB_DISCUSSION_POSTS_PER_MINUTE: '60000000',
};

// A fresh hub with an admin, logged in; returns {hub, cookie, token, channel, dataDir, post(body)}.
export async function startBenchHub() {
  const bin = join(BUILD, 'cohorthub');
  const dataDir = mkdtempSync(join(tmpdir(), 'cohorthub-bench-'));
  execFileSync(bin, ['init', '--data-dir', dataDir], { env: { ...process.env, ...HUB_ENV } });
  execFileSync(bin, ['admin', 'create-admin', '--data-dir', dataDir, '--handle', 'bench'],
    { env: { ...process.env, ...HUB_ENV, COHORTHUB_ADMIN_PASSWORD: PASSWORD } });
  const hub = await startProcess(bin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], HUB_ENV);
  const login = await fetch(`${hub.url}/api/login`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: hub.url },
    body: JSON.stringify({ handle: 'bench', password: PASSWORD }),
  });
  const cookie = login.headers.getSetCookie()[0].split(';')[0];
  const call = async (method, path, body) => {
    const r = await fetch(hub.url + path, {
      method, headers: { 'content-type': 'application/json', origin: hub.url, cookie }, body: JSON.stringify(body),
    });
    return { status: r.status, json: await r.json() };
  };
  const token = (await call('POST', '/api/tokens', { name: 'bench' })).json.token;
  const channel = (await call('POST', '/api/channels', { name: 'bench' })).json.channel.id;
  // Posts go through node:http with kept-alive connections, not fetch: on two cores shared by
  // the hub, the clients and this script, undici's fetch cost about 1.3 ms of CPU per POST (and
  // 0.5 ms of latency) against 0.3 ms here, and the ceiling's poster pays only a WebSocket send.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const { hostname, port } = new URL(hub.url);
  const post = (body) => new Promise((ok, fail) => {
    const data = JSON.stringify({ body });
    const req = http.request({
      host: hostname, port, path: `/api/channels/${channel}/messages`, method: 'POST', agent,
      headers: { 'content-type': 'application/json', origin: hub.url, cookie, 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () => ok({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', fail);
    req.end(data);
  });
  const cleanup = () => { agent.destroy(); rmSync(dataDir, { recursive: true, force: true }); };
  return { hub, cookie, token, channel, dataDir, post, cleanup };
}


// `total` clients over `threads` workers; resolves once every one is open (and subscribed).
export async function openClients({ url, headers = {}, total, threads = 3, subscribe = null, mode }) {
  const workers = [];
  for (let i = 0; i < threads; i++) {
    const count = Math.floor(total / threads) + (i < total % threads ? 1 : 0);
    const w = new Worker(new URL('./discussion_client_worker.mjs', import.meta.url),
      { workerData: { url, headers, count, subscribe, mode } });
    workers.push(w);
  }
  const ask = (w, msg, key) => new Promise((ok) => {
    const on = (m) => { if (key in m) { w.off('message', on); ok(m); } };
    w.on('message', on);
    if (msg) w.postMessage(msg);
  });
  await Promise.all(workers.map((w) => ask(w, null, 'ready')));
  return {
    async report() {
      const parts = await Promise.all(workers.map((w) => ask(w, 'report', 'latencies')));
      return { received: parts.reduce((a, p) => a + p.received, 0), closed: parts.reduce((a, p) => a + p.closed, 0),
        latencies: parts.flatMap((p) => p.latencies) };
    },
    async close() { await Promise.all(workers.map((w) => ask(w, 'close', 'closed'))); await Promise.all(workers.map((w) => w.terminate())); },
  };
}

export function percentile(values, p) {
  if (!values.length) return NaN;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return `${execFileSync('nproc').toString().trim()} cores, ${cpu}`;
}
