#!/usr/bin/env node
// Discussion fan-out benchmark, one run, all on 127.0.0.1 (issue 5, "Performance"):
//   1. the ceiling: bench_ceiling_fanout (a one-thread Beast broadcaster);
//   2. the hub: every client subscribed to one channel over /api/live.
// The CLIENTS WebSocket clients are bench_fanout_client (one C++ thread; Node could not read
// 100k frames/s on two cores). For each server: a paced phase (RATE messages/s for SECONDS s; p50/p99
// delivery latency from the moment the poster sends — for the hub that is the POST, so it includes
// the HTTP request and the commit), then a burst (BURST messages as fast as the poster goes;
// deliveries/s from the first send to the last delivery).
// Targets: hub p99 < 50 ms at 1,000 clients and 100 msg/s (issue 5), and within 1.5x of the
// ceiling's p99 in the same run (issue 12). Writes test-artifacts/bench-discussion-fanout.md.
// Environment: BUILD_DIR (cohorthub, bench_ceiling_fanout, bench_fanout_client), FANOUT_CLIENTS,
// FANOUT_SECONDS, FANOUT_BURST.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { BUILD, ROOT, now, sleep, startProcess, startBenchHub, machine, rssMb } from './discussion_bench_lib.mjs';

const CLIENTS = Number(process.env.FANOUT_CLIENTS || 1000);
const RATE = 100;
const SECONDS = Number(process.env.FANOUT_SECONDS || 10);
const BURST = Number(process.env.FANOUT_BURST || 300);
const BURST_SECONDS = 6;

// Starts the clients; `ready` resolves once all are connected (and subscribed), `result` with their figures.
function clients(url, seconds, mark, subscribe = '', headers = {}) {
  const u = new URL(url);
  const args = [u.hostname, u.port, u.pathname, String(CLIENTS), String(seconds), mark, subscribe,
    ...Object.entries(headers).flat()];
  const child = spawn(join(BUILD, 'bench_fanout_client'), args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const ready = new Promise((ok) => lines.once('line', ok));
  const result = ready.then(() => new Promise((ok) => lines.once('line', (l) => ok(JSON.parse(l)))));
  return { ready, result };
}

async function paced(send) {
  const start = now();
  const pending = [];
  for (let k = 0; k < RATE * SECONDS; k++) {
    const due = start + (k * 1000) / RATE;
    if (due > now()) await sleep(due - now());
    pending.push(send(k));
  }
  await Promise.all(pending);
}

// The hub's per-stage histograms (cohorthub_change_stage_seconds in /metrics), by stage:
// {bounds: [s...], counts: [cumulative...], sum, count, max}.
async function stages(hub) {
  const text = await (await fetch(`${hub.hub.url}/metrics`, { headers: { cookie: hub.cookie } })).text();
  const out = {};
  const at = (stage) => (out[stage] ??= { bounds: [], counts: [], sum: 0, count: 0, max: 0 });
  for (const line of text.split('\n')) {
    let m = /^cohorthub_change_stage_seconds_bucket\{stage="(\w+)",le="([^"]+)"\} (\d+)$/.exec(line);
    if (m) { at(m[1]).bounds.push(m[2] === '+Inf' ? Infinity : Number(m[2])); at(m[1]).counts.push(Number(m[3])); continue; }
    m = /^cohorthub_change_stage_seconds_(sum|count|max)\{stage="(\w+)"\} (\S+)$/.exec(line);
    if (m) at(m[2])[m[1]] = Number(m[3]);
  }
  return out;
}

// What the stages saw between two snapshots: count, mean, p50 and p99 (in ms, interpolated within
// a bucket), and the largest observation since the hub started.
function stageSplit(before, after) {
  const rows = {};
  for (const [stage, a] of Object.entries(after)) {
    const b = before[stage] ?? { counts: a.counts.map(() => 0), sum: 0, count: 0 };
    const counts = a.counts.map((c, i) => c - b.counts[i]);
    const n = a.count - b.count;
    const q = (p) => {
      if (!n) return NaN;
      const want = p * n;
      for (let i = 0; i < counts.length; i++) {
        if (counts[i] >= want) {
          const lo = i ? a.bounds[i - 1] : 0, hi = Math.min(a.bounds[i], Math.max(lo, a.max));
          const below = i ? counts[i - 1] : 0;
          return 1000 * (lo + ((hi - lo) * (want - below)) / Math.max(1, counts[i] - below));
        }
      }
      return 1000 * a.max;
    };
    rows[stage] = { n, mean: n ? (1000 * (a.sum - b.sum)) / n : NaN, p50: q(0.5), p99: q(0.99), max: 1000 * a.max };
  }
  return rows;
}

async function measure(url, mark, subscribe, headers, send, sendBurst, hub = null) {
  const p = clients(url, SECONDS + 2, mark, subscribe, headers);
  await p.ready;
  const before = hub && (await stages(hub));
  const pacedLoad = loadavg()[0];
  await paced(send);
  const pacedResult = await p.result;
  pacedResult.load = pacedLoad;
  if (hub) pacedResult.stages = stageSplit(before, await stages(hub));
  const b = clients(url, BURST_SECONDS, mark, subscribe, headers);
  await b.ready;
  const t0 = now();
  await sendBurst();
  const burst = await b.result;
  return { ...pacedResult, burstDelivered: burst.received, perSecond: burst.received / ((burst.last - t0) / 1000) };
}

async function measureCeiling() {
  const server = await startProcess(join(BUILD, 'bench_ceiling_fanout'), ['0']);
  const url = server.url.replace(/^http/, 'ws') + '/';
  const poster = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((ok) => poster.once('open', ok));
  const frame = (k) => JSON.stringify({ t: now(), k, pad: 'x'.repeat(200) });  // about the size of a hub event
  const r = await measure(url, '{"t":', '', {}, async (k) => poster.send(frame(k)), async () => {
    for (let k = 0; k < BURST; k++) poster.send(frame(k));
  });
  poster.terminate();
  await server.stop();
  return r;
}

async function measureHub() {
  const h = await startBenchHub();
  let failed = 0;
  const send = async (k) => { const r = await h.post(`bench ${now()} ${k}`); if (r.status !== 201) failed++; };
  const url = h.hub.url.replace(/^http/, 'ws') + '/api/live';
  const r = await measure(url, '"body":"bench ', JSON.stringify({ subscribe: [h.channel] }),
    { Cookie: h.cookie, Origin: h.hub.url }, send, async () => {
      const lanes = 16;
      await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
        for (let k = lane; k < BURST; k += lanes) await send(k);
      }));
    }, h);
  const rss = rssMb(h.hub.child.pid);
  await h.hub.stop();
  h.cleanup();
  return { ...r, failed, rss };
}

const load = loadavg()[0];
const ceiling = await measureCeiling();
const hub = await measureHub();
const f = (x) => (Number.isFinite(x) ? x.toFixed(1) : String(x));
const expected = CLIENTS * RATE * SECONDS;
const stageRows = Object.entries(hub.stages).map(([stage, r]) =>
  `| ${stage} | ${r.n} | ${f(r.mean)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} |`).join('\n');
const report = `## Discussion fan-out benchmark (${new Date().toISOString().slice(0, 10)})

Machine: ${machine()}; load average ${load.toFixed(1)} at the start, ${ceiling.load.toFixed(1)} / ${hub.load.toFixed(1)} when the
ceiling's / hub's paced phase began. ${CLIENTS} WebSocket clients
(bench_fanout_client, one C++ thread) on the same machine, 127.0.0.1. Paced: ${RATE} messages/s for
${SECONDS} s; burst: ${BURST} messages as fast as the poster goes.
Command: \`BUILD_DIR=${BUILD} node tests/bench/discussion_fanout.mjs\`

| server | p50 | p99 | deliveries (paced) | burst deliveries/s |
|---|---:|---:|---:|---:|
| ceiling (bench_ceiling_fanout, one thread) | ${f(ceiling.p50)} ms | ${f(ceiling.p99)} ms | ${ceiling.received} / ${expected} | ${f(ceiling.perSecond)} |
| hub /api/live (POST sent → frame received) | ${f(hub.p50)} ms | ${f(hub.p99)} ms | ${hub.received} / ${expected} | ${f(hub.perSecond)} |

- hub p99 **${f(hub.p99)} ms** (target < 50 ms): ${hub.p99 < 50 && hub.received === expected ? 'pass' : 'FAIL'}
- hub p99 is **${f(hub.p99 / ceiling.p99)}×** the ceiling's in this run (issue 12: within 1.5×): ${hub.p99 <= 1.5 * ceiling.p99 && hub.received === expected ? 'pass' : 'FAIL'}
- hub burst deliveries/s are **${f((100 * hub.perSecond) / ceiling.perSecond)}%** of the ceiling's

The hub's paced phase by stage (\`cohorthub_change_stage_seconds\` in /metrics; ms; p50/p99 read
from histogram buckets of about 1.5× width; max since the hub started):

| stage | n | mean | p50 | p99 | max |
|---|---:|---:|---:|---:|---:|
${stageRows}

- failed posts ${hub.failed}; burst delivered ${hub.burstDelivered} / ${CLIENTS * BURST}; hub RSS after the run ${f(hub.rss)} MB
`;
console.log(report);
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
writeFileSync(join(ROOT, 'test-artifacts', 'bench-discussion-fanout.md'), report);
process.exit(0);
