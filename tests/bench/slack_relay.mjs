// The Slack relay's benchmark (issue 13): hub -> fake Slack latency when not rate-limited, and a
// burst of 300 hub messages to one channel under per-channel pacing that the fake enforces with 429s.
//   COHORTHUB_BIN=build/cohorthub node tests/bench/slack_relay.mjs [pace_ms=1000] [latency_messages=100]
// Results go to docs/benchmarks.md with the machine they ran on.
import { startHub, Client } from '../support/server.mjs';
import { startFakeSlack } from '../support/fake_slack.mjs';

const pace = Number(process.argv[2] || 1000);
const samples = Number(process.argv[3] || 100);
const ADMIN = { handle: 'ada', password: 'correct horse battery staple' };
const slack = await startFakeSlack({ channels: ['C0LAT', 'C0BURST'], minGapMs: pace });
const hub = await startHub({ admin: ADMIN, env: { COHORTHUB_LOG_ACCESS: 'false', COHORTHUB_SLACK_API_URL: slack.url,
  COHORTHUB_SLACK_PACE_MS: String(pace), COHORTHUB_DISCUSSION_POST_BURST: '100000',
  COHORTHUB_DISCUSSION_POSTS_PER_MINUTE: '6000000' } });
const admin = new Client(hub.url);
await admin.post('/api/login', ADMIN);
await admin.put('/api/bridge/slack/credentials', { bot_token: slack.botToken, signing_secret: slack.signingSecret });
const map = async (remote) => {
  const channel = (await admin.post('/api/channels', { name: remote.toLowerCase() })).json.channel.id;
  await admin.post('/api/bridge/mappings', { channel_id: channel, network: 'slack', remote_id: remote });
  return channel;
};
const waitFor = async (probe) => { for (;;) { const v = probe(); if (v) return v; await new Promise((r) => setTimeout(r, 1)); } };

// Latency: one message at a time, each after the pacing gap, so none is held back by pacing.
const lat = await map('C0LAT');
const latencies = [];
for (let i = 0; i < samples; i++) {
  const text = `latency ${i}`;
  const t0 = Date.now();
  await admin.post(`/api/channels/${lat}/messages`, { body: text });
  const m = await waitFor(() => slack.messages('C0LAT').find((x) => x.text === text));
  latencies.push(m.received_at - t0);
  await new Promise((r) => setTimeout(r, pace));
}
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
console.log(`latency hub -> Slack over ${samples} messages: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${latencies.at(-1)} ms`);

// Burst: 300 messages posted at once to one channel.
const burst = await map('C0BURST');
const t0 = Date.now();
for (let i = 0; i < 300; i++) await admin.post(`/api/channels/${burst}/messages`, { body: `burst ${i}` });
await waitFor(() => slack.messages('C0BURST').length === 300);
const texts = slack.messages('C0BURST').map((m) => m.text);
const inOrder = texts.every((t, i) => t === `burst ${i}`);
console.log(`burst of 300 at ${pace} ms pacing: delivered in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
  `(floor ${(299 * pace / 1000).toFixed(1)} s), in order: ${inOrder}, 429s from the fake: ${slack.paced429()}`);
await hub.stop();
await slack.close();
