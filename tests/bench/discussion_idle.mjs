#!/usr/bin/env node
// Idle connections benchmark (issue 5): IDLE_CLIENTS (default 10,000) WebSocket clients connected to
// /api/live and subscribed to one channel, then the hub's RSS. Target < 300 MB.
// Writes test-artifacts/bench-discussion-idle.md. Environment: BUILD_DIR, IDLE_CLIENTS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, ROOT, sleep, startBenchHub, openClients, machine, rssMb } from './discussion_bench_lib.mjs';

const CLIENTS = Number(process.env.IDLE_CLIENTS || 10_000);
const h = await startBenchHub();
const before = rssMb(h.hub.child.pid);
const t0 = Date.now();
const clients = await openClients({ url: h.hub.url.replace(/^http/, 'ws') + '/api/live',
  headers: { cookie: h.cookie, origin: h.hub.url }, total: CLIENTS, threads: 4, subscribe: { subscribe: [h.channel] }, mode: 'hub' });
const openSeconds = (Date.now() - t0) / 1000;
await sleep(2000);
const connected = rssMb(h.hub.child.pid);
const post = await h.post(`bench ${performance.timeOrigin + performance.now()} 0`);  // one message reaches all of them
await sleep(2000);
const r = await clients.report();
const after = rssMb(h.hub.child.pid);
await clients.close();
await h.hub.stop();
h.cleanup();
const report = `## Discussion idle connections benchmark (${new Date().toISOString().slice(0, 10)})

Machine: ${machine()}. Command: \`BUILD_DIR=${BUILD} node tests/bench/discussion_idle.mjs\`

- ${CLIENTS} clients connected and subscribed in ${openSeconds.toFixed(1)} s
- hub RSS: ${before.toFixed(1)} MB before, **${connected.toFixed(1)} MB** with ${CLIENTS} idle clients (target < 300 MB): ${connected < 300 ? 'pass' : 'FAIL'}
- one post (status ${post.status}) reached ${r.received} / ${CLIENTS} clients; RSS then ${after.toFixed(1)} MB
`;
console.log(report);
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
writeFileSync(join(ROOT, 'test-artifacts', 'bench-discussion-idle.md'), report);
process.exit(0);
