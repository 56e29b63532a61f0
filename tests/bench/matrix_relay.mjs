#!/usr/bin/env node
// Matrix bridge benchmark (issue 12, "Performance"), one run, all on 127.0.0.1, the hub bridged to
// the fake homeserver (tests/support/fake_homeserver.mjs):
//   1. ceiling: PUT /send straight from this process to the fake, paced like the hub's phase:
//      what any relay pays at least for the HTTP round trip and the fake's schema checks;
//   2. relay latency hub -> fake: RATE messages/s for SECONDS s posted to a mapped channel;
//      latency from the POST to the event's arrival in the fake room; p50/p99 (target p99 < 100 ms);
//   3. catch-up: the hub is killed, CATCHUP Matrix events arrive, the hub restarts; time until
//      the fake's appservice pushes are all acknowledged, and the hub's side: CATCHUP posts while
//      the fake rate-limits the hub to LIMIT sends/s: the relay's throughput against the limit;
//   4. chaos: tests/integration/matrix_chaos.test.mjs with CHAOS (1,000) messages each way;
//   5. soak: SOAK messages hub -> Matrix; the hub's RSS every tenth (flat: last / first).
// Writes test-artifacts/bench-matrix-relay.md. Environment: BUILD_DIR (cohorthub), RATE,
// SECONDS, CATCHUP, LIMIT, LIMITED (messages under the limit, default CATCHUP), CHAOS, SOAK (0 skips a phase).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, BUILD, now, sleep, machine, rssMb, percentile } from './discussion_bench_lib.mjs';

process.env.COHORTHUB_BIN ||= join(BUILD, 'cohorthub');
const { startBridgedPair } = await import('../support/matrix_bridge_run.mjs');

const num = (name, fallback) => Number(process.env[name] ?? fallback);
const RATE = num('RATE', 50);
const SECONDS = num('SECONDS', 10);
const CATCHUP = num('CATCHUP', 10000);
const LIMIT = num('LIMIT', 200);
const LIMITED = num('LIMITED', CATCHUP);
const CHAOS = num('CHAOS', 1000);
const SOAK = num('SOAK', 100000);
const report = [];
const line = (s) => { console.log(s); report.push(s); };

const pair = await startBridgedPair({ fake: { keepRequests: false } });
const { hs } = pair;
hs.warmSchemas();
const { channelId, roomId, userId: ana } = await pair.mappedChannel('bench', 'ana');

// Arrival time in the fake of each body, for latency.
const arrived = new Map();
hs.on('event', (event) => { if (typeof event.content?.body === 'string') arrived.set(event.content.body, now()); });

async function paced(count, rate, send) {
  const sent = new Map();
  const start = now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    if (due > now()) await sleep(due - now());
    const body = send.prefix + i;
    sent.set(body, now());
    await send(body);
  }
  await hs.waitFor(() => [...sent.keys()].every((b) => arrived.has(b)), { timeoutMs: 60_000, what: `${send.prefix} arrivals` });
  const latencies = [...sent].map(([b, t]) => arrived.get(b) - t);
  const slowest = latencies.map((ms, i) => [i, ms]).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`  ${send.prefix} slowest (index: ms): ${slowest.map(([i, ms]) => `${i}: ${ms.toFixed(0)}`).join(', ')}`);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

line(`# Matrix relay benchmark\n\n${machine()}\n`);

// 1. Ceiling: a ghost of ours sending straight to the fake.
{
  const reg = await fetch(`${hs.url}/_matrix/client/v3/register`, { method: 'POST',
    headers: { authorization: `Bearer ${hs.asToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'm.login.application_service', username: `${hs.senderLocalpart}_ceiling` }) });
  const { user_id: ghost } = await reg.json();
  hs.join(ghost, roomId);
  let n = 0;
  const direct = async (body) => {
    const url = `${hs.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/c${n++}?user_id=${encodeURIComponent(ghost)}`;
    await (await fetch(url, { method: 'PUT', headers: { authorization: `Bearer ${hs.asToken}` },
      body: JSON.stringify({ msgtype: 'm.text', body }) })).text();
  };
  direct.prefix = 'ceiling-';
  const c = await paced(RATE * SECONDS, RATE, direct);
  line(`- ceiling (Node -> fake, ${RATE}/s for ${SECONDS} s): p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms`);
}

// 2. Relay latency hub -> fake.
{
  const post = async (body) => {
    const r = await pair.admin.post(`/api/channels/${channelId}/messages`, { body });
    if (r.status !== 201) throw new Error(`post: ${r.status} ${r.text}`);
  };
  post.prefix = 'relay-';
  const r = await paced(RATE * SECONDS, RATE, post);
  line(`- relay hub -> fake (${RATE}/s for ${SECONDS} s): p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (target < 100 ms)`);
}

// 3. Catch-up, both ways.
if (CATCHUP) {
  await pair.kill();
  for (let i = 0; i < CATCHUP; i++) hs.sendAs(ana, roomId, 'm.room.message', { msgtype: 'm.text', body: `down-${i}` });
  const t0 = now();
  await pair.start();
  await hs.pushed();
  const ms = now() - t0;
  line(`- catch-up Matrix -> hub: ${CATCHUP} events pushed while down, acknowledged ${ms.toFixed(0)} ms after restart began (${(CATCHUP / (ms / 1000)).toFixed(0)} events/s)`);

  hs.rateLimit({ perSecond: LIMIT, burst: LIMIT / 10 });
  const t1 = now();
  for (let i = 0; i < LIMITED; i++) await pair.admin.post(`/api/channels/${channelId}/messages`, { body: `limited-${i}` });
  await hs.waitFor(() => arrived.has(`limited-${LIMITED - 1}`), { timeoutMs: 10 * 60_000, what: 'the rate-limited catch-up' });
  const seconds = (now() - t1) / 1000;
  hs.calm();
  line(`- catch-up hub -> Matrix under a ${LIMIT}/s limit: ${LIMITED} in ${seconds.toFixed(1)} s = ${(LIMITED / seconds).toFixed(0)}/s (${((LIMITED / seconds / LIMIT) * 100).toFixed(0)}% of the limit)`);
}

// 4. Chaos at full size, in its own process (it starts its own hub and fake).
if (CHAOS) {
  const t = now();
  const run = spawnSync(process.execPath, ['--test', join(ROOT, 'tests/integration/matrix_chaos.test.mjs')],
    { env: { ...process.env, MATRIX_CHAOS_MESSAGES: String(CHAOS) }, encoding: 'utf8' });
  line(`- chaos, ${CHAOS} each way, kill -9, random 429/500: ${run.status === 0 ? 'passed' : 'FAILED'} in ${((now() - t) / 1000).toFixed(1)} s`);
  for (const d of run.stdout.split('\n').filter((l) => /^# (at the kill|injected)/.test(l))) line(`  - ${d.slice(2)}`);
  if (run.status !== 0) console.error(run.stdout, run.stderr);
}

// 5. Soak: the hub's memory over SOAK messages.
if (SOAK) {
  const samples = [];
  const wal = [];  // the WAL file's size, which the checkpoint keeps bounded
  const walMb = () => { try { return statSync(join(pair.dataDir, 'cohorthub.db-wal')).size / 1048576; } catch { return 0; } };
  const pid = pair.hub.child.pid;
  for (let i = 0; i < SOAK; i++) {
    await pair.admin.post(`/api/channels/${channelId}/messages`, { body: `soak-${i}` });
    if (i % (SOAK / 10) === 0) {
      samples.push(rssMb(pid));
      wal.push(walMb());
      console.log(`  soak: ${i} posted, hub RSS ${samples.at(-1).toFixed(1)} MB, WAL ${wal.at(-1).toFixed(1)} MB`);  // progress, and a partial result
    }
  }
  await hs.waitFor(() => arrived.has(`soak-${SOAK - 1}`), { timeoutMs: 10 * 60_000, what: 'the soak' });
  samples.push(rssMb(pid));
  wal.push(walMb());
  line(`- soak, ${SOAK} messages hub -> Matrix: hub RSS ${samples.map((m) => m.toFixed(0)).join(', ')} MB (last/first after warm-up ${(samples.at(-1) / samples[1]).toFixed(2)}); ` +
    `WAL file ${wal.map((m) => m.toFixed(1)).join(', ')} MB (largest ${Math.max(...wal).toFixed(1)})`);
}

await pair.close();
mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
writeFileSync(join(ROOT, 'test-artifacts', 'bench-matrix-relay.md'), report.join('\n') + '\n');
