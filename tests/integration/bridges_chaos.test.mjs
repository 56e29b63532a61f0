// Chaos across three networks (issues 12 and 13, "Chaos"): one hub channel mapped to a Matrix room
// (the fake homeserver, appservice mode) and to a Slack channel (the fake Slack, Events API), both
// fakes answering random 429s and 500s (some after applying the call). Messages flow at once from
// the hub API, Matrix transactions and signed Slack event pushes, with edits, deletes, thread
// replies and reactions from each side; Slack pushes the bot's own changes back as a workspace
// does. The hub is killed with SIGKILL mid-flow and restarted on the same data dir. Afterwards
// every message is in each of the three places exactly once, in order, with every change
// applied, nothing echoed and nothing parked.
// CI runs CHAOS_MESSAGES=20 from each side; the full run: CHAOS_MESSAGES=1000 (CHAOS_SEED
// picks other faults).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBridgedPair } from '../support/matrix_bridge_run.mjs';
import { startFakeSlack } from '../support/fake_slack.mjs';

const N = Math.max(20, Number(process.env.CHAOS_MESSAGES || 20));  // messages from each side
const SCALE = Math.max(1, N / 100);  // the timeouts
const SEED = Number(process.env.CHAOS_SEED || 13);  // the fakes' faults, reproducible
const SLACK_CHANNEL = 'C0HUB';
const BOB = 'U2BOB';
let pair, slack;
after(async () => {
  await pair?.close();
  await slack?.close();
});

const text = (body) => ({ msgtype: 'm.text', body });
const TOKEN = /\b((?:hub|mx|sl)-r?\d+)\b/;
const tokenOf = (s) => TOKEN.exec(s ?? '')?.[1] ?? null;
const side = (token) => token.split('-')[0];
const indexOf = (token) => Number(token.split('-')[1].replace('r', ''));

// Slack's Events API as the test drives it: events are pushed one at a time, in order, signed;
// one that got no 200 (the hub was down or died mid-request) is pushed again with the same
// event_id, as Slack retries.
function slackPusher() {
  const queue = [];
  let target = null, running = false;
  const p = {
    pushes: 0,
    refused: [],  // answers other than 200 while the hub was up: must stay empty
    enqueue(event) { queue.push(slack.envelope(event)); p.pump(); },
    pause() { target = null; },
    resume(url) { target = url + '/api/bridge/slack/events'; p.pump(); },
    idle: () => queue.length === 0 && !running,
    async pump() {
      if (running) return;
      running = true;
      while (queue.length && target) {
        const at = target;
        p.pushes++;
        const r = await slack.push(at, queue[0]).catch(() => null);
        if (r?.status === 200) queue.shift();
        else if (target === at) p.refused.push(r ? `${r.status} ${r.text}` : 'no answer');
      }
      running = false;
    },
  };
  return p;
}

// Resolves once probe() holds, checking after each turn of the event loop's timers.
// Meanwhile the fake homeserver retries a transaction that got no answer in time (a slow hub
// under load), as Synapse does after its backoff, but without waiting it out.
async function until(probe, what, timeoutMs, describe = async () => '') {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (pair.hub.child.exitCode === null && pair.hs.appserviceStatus.down) pair.hs.retryNow();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await describe()}\n${pair.hub.logs().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('hub, Matrix and Slack at once, kill -9 mid-flow, random 429s and 500s on both remotes: every message once everywhere, in order, changes applied, no echo',
  { timeout: 120_000 * SCALE }, async (t) => {
    const started = Date.now();
    const phases = [];
    const phase = (name) => phases.push(`${name} ${Date.now() - started} ms`);
    let pusher;
    slack = await startFakeSlack({ users: { [BOB]: { name: 'bob', display_name: 'Bob Slack' } },
      onEcho: (event) => pusher.enqueue(event) });
    pusher = slackPusher();
    pair = await startBridgedPair({ env: { COHORTHUB_SLACK_API_URL: slack.url, COHORTHUB_SLACK_PACE_MS: '2' } });
    const { hs } = pair;
    const stored = await pair.admin.put('/api/bridge/slack/credentials', { bot_token: slack.botToken, signing_secret: slack.signingSecret });
    assert.equal(stored.status, 200, stored.text);
    const { channelId, roomId, userId: ana } = await pair.mappedChannel('bridged', 'ana');
    const slackMapping = await pair.admin.post('/api/bridge/mappings', { channel_id: channelId, network: 'slack', remote_id: SLACK_CHANNEL });
    assert.equal(slackMapping.status, 201, slackMapping.text);
    pusher.resume(pair.hub.url);
    phase('set up');
    const room = hs.room(roomId);
    hs.chaos({ p429: 0.02, p500: 0.01, p500After: 0.01, seed: SEED, retryAfterMs: 20 });
    slack.chaos({ p429: 0.02, p500: 0.01, p500After: 0.01, seed: SEED, retryAfter: 0 });

    // Each side's own messages, by token.
    const mxEvent = new Map();  // token -> event id
    const slTs = new Map();     // token -> ts
    const hubId = new Map();    // token -> hub message id (hub-side posts)
    const fromMatrix = (token, extra = {}) => { mxEvent.set(token, hs.sendAs(ana, roomId, 'm.room.message', { ...text(token), ...extra }).event_id); };
    const fromSlack = (token, extra = {}) => {
      const m = slack.userMessage(SLACK_CHANNEL, BOB, token, extra);
      slTs.set(token, m.ts);
      pusher.enqueue(m);
    };
    const fromHub = async (token, extra = {}) => {
      const r = await pair.admin.post(`/api/channels/${channelId}/messages`, { body: token, ...extra });
      assert.equal(r.status, 201, r.text);
      hubId.set(token, r.json.message.id);
    };
    const allThree = async (i) => { fromMatrix(`mx-${i}`); fromSlack(`sl-${i}`); await fromHub(`hub-${i}`); };

    // Phase 1: all three sides at once; then each side edits, deletes and answers in a thread its
    // own messages, and the hub dies straight after, with sends, transactions and pushes in flight.
    const half = Math.floor(N / 2), whileDown = Math.floor(N / 4);
    for (let i = 0; i < half; i++) await allThree(i);
    assert.equal((await pair.admin.patch(`/api/messages/${hubId.get('hub-5')}`, { body: 'hub-5 edited' })).status, 200);
    assert.equal((await pair.admin.del(`/api/messages/${hubId.get('hub-7')}`)).status, 200);
    await fromHub('hub-r0', { thread_root: hubId.get('hub-3') });
    hs.sendAs(ana, roomId, 'm.room.message', { ...text('* mx-5 edited'), 'm.new_content': text('mx-5 edited'),
      'm.relates_to': { rel_type: 'm.replace', event_id: mxEvent.get('mx-5') } });
    hs.redactAs(ana, roomId, mxEvent.get('mx-7'));
    fromMatrix('mx-r0', { 'm.relates_to': { rel_type: 'm.thread', event_id: mxEvent.get('mx-3'), is_falling_back: true,
      'm.in_reply_to': { event_id: mxEvent.get('mx-3') } } });
    pusher.enqueue(slack.userEdit(SLACK_CHANNEL, slTs.get('sl-5'), 'sl-5 edited'));
    pusher.enqueue(slack.userDelete(SLACK_CHANNEL, slTs.get('sl-7')));
    fromSlack('sl-r0', { thread_ts: slTs.get('sl-3') });
    pusher.pause();
    phase('kill');
    await pair.kill();
    t.diagnostic(`at the kill: ${slack.messages(SLACK_CHANNEL).filter((m) => m.bot_id).length} relayed messages in Slack, `
      + `${room.timeline.filter((e) => e.type === 'm.room.message' && e.sender !== ana).length} in Matrix; `
      + `${hs.appserviceStatus.queued} Matrix events queued`);

    // While the hub is down, Matrix and Slack go on (their pushes wait for it).
    for (let i = half; i < half + whileDown; i++) { fromMatrix(`mx-${i}`); fromSlack(`sl-${i}`); }
    await pair.start();
    pusher.resume(pair.hub.url);
    for (let i = half; i < N; i++) {
      if (i >= half + whileDown) { fromMatrix(`mx-${i}`); fromSlack(`sl-${i}`); }
      await fromHub(`hub-${i}`);
    }

    // Each place's view of the channel, by token.
    const hubView = async () => {
      const list = await pair.channelMessages(channelId);
      for (const root of list.filter((m) => m.reply_count > 0)) {
        const thread = await pair.admin.get(`/api/channels/${channelId}/messages?thread=${root.id}&limit=200`);
        assert.equal(thread.status, 200, thread.text);
        list.push(...thread.json.items.filter((m) => m.id !== root.id));
      }
      return { list, by: new Map(list.filter((m) => tokenOf(m.body)).map((m) => [tokenOf(m.body), m])) };
    };
    const roomMessages = () => room.timeline.filter((e) => e.type === 'm.room.message' && e.content['m.relates_to']?.rel_type !== 'm.replace');
    const roomByToken = () => new Map(roomMessages().filter((e) => tokenOf(e.content.body)).map((e) => [tokenOf(e.content.body), e]));
    const slackByToken = () => new Map(slack.messages(SLACK_CHANNEL).filter((m) => tokenOf(m.text)).map((m) => [tokenOf(m.text), m]));
    const tokens = ['hub', 'mx', 'sl'].flatMap((s) => Array.from({ length: N }, (_, i) => `${s}-${i}`));
    const everywhere = (list) => async () => {
      const hub = (await hubView()).by, mx = roomByToken(), sl = slackByToken();
      return list.every((k) => hub.has(k) && mx.has(k) && sl.has(k));
    };
    const pushState = () => JSON.stringify({ appservice: hs.appserviceStatus,
      failedPushes: hs.pushAttempts.filter((a) => !(a.status >= 200 && a.status < 300)).slice(-5) });
    await until(everywhere(tokens.filter((k) => !k.endsWith('-7'))), `all ${3 * N} messages in all three places`, 60_000 * SCALE,
      async () => {
        const hub = (await hubView()).by, mx = roomByToken(), sl = slackByToken();
        const missing = (m) => tokens.filter((k) => !k.endsWith('-7') && !m.has(k));
        return JSON.stringify({ hub: missing(hub).slice(0, 10), matrix: missing(mx).slice(0, 10), slack: missing(sl).slice(0, 10) }) + pushState();
      });

    phase('all messages everywhere');
    // Phase 2: reactions and thread replies across networks, now that each side has the others' messages.
    const view = await hubView();
    const hubIdOf = (k) => view.by.get(k).id;
    await pair.admin.post(`/api/messages/${hubIdOf('mx-9')}/reactions`, { emoji: '🎉' }).then((r) => assert.ok(r.status < 300, r.text));
    await pair.admin.post(`/api/messages/${hubIdOf('sl-9')}/reactions`, { emoji: '🎉' }).then((r) => assert.ok(r.status < 300, r.text));
    await fromHub('hub-r1', { thread_root: hubIdOf('sl-13') });
    const inRoom = roomByToken();
    for (const k of ['hub-9', 'sl-11'])
      hs.sendAs(ana, roomId, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: inRoom.get(k).event_id, key: '👍' } });
    fromMatrix('mx-r1', { 'm.relates_to': { rel_type: 'm.thread', event_id: inRoom.get('hub-13').event_id, is_falling_back: true,
      'm.in_reply_to': { event_id: inRoom.get('hub-13').event_id } } });
    const inSlack = slackByToken();
    for (const k of ['hub-11', 'mx-11']) pusher.enqueue(slack.userReact(SLACK_CHANNEL, inSlack.get(k).ts, BOB, 'eyes'));
    fromSlack('sl-r1', { thread_ts: inSlack.get('mx-13').ts });

    const replies = ['hub-r0', 'hub-r1', 'mx-r0', 'mx-r1', 'sl-r0', 'sl-r1'];
    const reactionsSettled = async () => {
      const hub = (await hubView()).by;
      const hubReacted = ['mx-9', 'sl-9', 'hub-9', 'sl-11', 'hub-11', 'mx-11'].every((k) => hub.get(k).reactions.length === 1);
      const mxReactions = room.timeline.filter((e) => e.type === 'm.reaction' && !e.unsigned?.redacted_because).length;
      const slReactions = slack.messages(SLACK_CHANNEL).reduce((n, m) => n + (m.reactions?.length ?? 0), 0);
      return hubReacted && mxReactions === 6 && slReactions === 6;
    };
    await until(async () => (await everywhere(replies)()) && (await reactionsSettled()), 'the cross-network reactions and threads', 60_000 * SCALE,
      async () => {
        const hub = (await hubView()).by, mx = roomByToken(), sl = slackByToken();
        return JSON.stringify({ replies: replies.map((k) => [k, hub.has(k), mx.has(k), sl.has(k)]),
          hubReactions: ['mx-9', 'sl-9', 'hub-9', 'sl-11', 'hub-11', 'mx-11'].map((k) => [k, hub.get(k).reactions]),
          mxReactions: room.timeline.filter((e) => e.type === 'm.reaction').map((e) => [e.sender, e.content['m.relates_to']]),
          slReactions: slack.messages(SLACK_CHANNEL).filter((m) => m.reactions?.length).map((m) => [m.text, m.reactions]) });
      });
    phase('reactions and threads everywhere');

    // Phase 3: each side takes one reaction back (the hub's 🎉 on mx-9, Matrix's 👍 on hub-9,
    // Slack's :eyes: on hub-11); the other three stay.
    const liveMxReactions = () => room.timeline.filter((e) => e.type === 'm.reaction' && e.content['m.relates_to']);
    const removed = await pair.admin.del(`/api/messages/${hubIdOf('mx-9')}/reactions/${encodeURIComponent('🎉')}`);
    assert.ok(removed.status < 300, removed.text);
    const anaOnHub9 = liveMxReactions().find((e) => e.sender === ana && e.content['m.relates_to'].event_id === inRoom.get('hub-9').event_id);
    hs.redactAs(ana, roomId, anaOnHub9.event_id);
    pusher.enqueue(slack.userReact(SLACK_CHANNEL, inSlack.get('hub-11').ts, BOB, 'eyes', false));
    await until(async () => {
      const hub = (await hubView()).by;
      const slReactions = slack.messages(SLACK_CHANNEL).reduce((n, m) => n + (m.reactions?.length ?? 0), 0);
      return ['mx-9', 'hub-9', 'hub-11'].every((k) => hub.get(k).reactions.length === 0) && liveMxReactions().length === 3 && slReactions === 3;
    }, 'the reactions taken back, everywhere', 30_000 * SCALE);

    phase('reactions taken back');
    hs.calm();
    slack.calm();
    // Let whatever is still in flight land, echoes included, so a late duplicate would show: a
    // last message from Matrix and from Slack, each applied after everything its side sent before.
    hs.sendAs(ana, roomId, 'm.room.message', text('barrier from Matrix'));
    pusher.enqueue(slack.userMessage(SLACK_CHANNEL, BOB, 'barrier from Slack'));
    const drained = async () => pusher.idle() && (await pair.admin.get('/api/bridge/mappings')).json.items.every((m) => m.pending === 0);
    await until(async () => (await hubView()).list.filter((m) => m.body.startsWith('barrier')).length === 2 && (await drained()),
      'the barrier messages and every outbox drained', 30_000 * SCALE);
    await hs.pushed();
    await until(drained, 'the echoes of the barrier', 10_000);

    phase('drained');
    t.diagnostic(phases.join(', '));
    const mxFaults = {}, slFaults = {};
    for (const r of hs.hubRequests()) if (r.fault) mxFaults[r.fault] = (mxFaults[r.fault] || 0) + 1;
    for (const f of slack.faults) slFaults[`${f.method} ${f.fault}`] = (slFaults[`${f.method} ${f.fault}`] || 0) + 1;
    t.diagnostic(`${N} messages from each side in ${Date.now() - started} ms; Matrix faults ${JSON.stringify(mxFaults)} in `
      + `${hs.hubRequests().length} requests; Slack faults ${JSON.stringify(slFaults)} in ${slack.calls.length} calls; `
      + `${pusher.pushes} Slack pushes, ${hs.pushAttempts.length} appservice pushes`);
    assert.ok(Object.keys(mxFaults).length && Object.keys(slFaults).length, 'faults were injected on both sides');

    // ---- Exactly once, everywhere ----
    const final = await hubView();
    const visible = [...tokens, ...replies].filter((k) => !k.endsWith('-7'));
    const counts = (keys) => keys.reduce((m, k) => m.set(k, (m.get(k) || 0) + 1), new Map());
    const hubKeys = final.list.filter((m) => !m.deleted).map((m) => tokenOf(m.body)).filter(Boolean);
    const roomKeys = roomMessages().map((e) => tokenOf(e.content.body)).filter(Boolean);
    const slackKeys = slack.messages(SLACK_CHANNEL).map((m) => tokenOf(m.text)).filter(Boolean);
    for (const [where, keys] of [['hub', hubKeys], ['Matrix', roomKeys], ['Slack', slackKeys]]) {
      const seen = counts(keys);
      assert.deepEqual([...seen].filter(([, n]) => n !== 1), [], `${where}: a message more than once`);
      assert.deepEqual([...seen.keys()].sort(), [...visible].sort(), `${where}: exactly the messages sent, the deleted ones gone`);
    }
    // Deleted from each side: gone in all three places.
    assert.equal(final.list.filter((m) => m.deleted).length, 3, 'hub: hub-7, mx-7 and sl-7 deleted');
    // (A message deleted before a bridge sent it is never sent, so it needs no redaction.)
    const redactions = room.timeline.filter((e) => e.type === 'm.room.redaction').map((e) => e.redacts ?? e.content.redacts);
    assert.equal(new Set(redactions).size, redactions.length, 'Matrix: nothing redacted twice');
    const redacted = redactions.filter((id) => room.byId.get(id).event.type === 'm.room.message');
    assert.ok(redacted.includes(mxEvent.get('mx-7')) && redacted.length <= 3, JSON.stringify(redacted));

    // In order: each side's own messages in each place in the order they were sent, and what a
    // bridge relayed in the order of the hub's channel.
    const main = (keys) => keys.filter((k) => !k.includes('-r'));
    for (const [where, keys] of [['hub', hubKeys], ['Matrix', roomKeys], ['Slack', slackKeys]]) {
      for (const s of ['hub', 'mx', 'sl']) {
        const own = main(keys).filter((k) => side(k) === s).map(indexOf);
        assert.deepEqual(own, [...own].sort((a, b) => a - b), `${where}: ${s} messages in order`);
      }
    }
    assert.deepEqual(main(roomKeys).filter((k) => side(k) !== 'mx'), main(hubKeys).filter((k) => side(k) !== 'mx'), 'Matrix: relayed in hub order');
    assert.deepEqual(main(slackKeys).filter((k) => side(k) !== 'sl'), main(hubKeys).filter((k) => side(k) !== 'sl'), 'Slack: relayed in hub order');

    // Edits: the last text of each edited message, everywhere.
    const roomNow = roomByToken(), slackNow = slackByToken();
    const roomText = (e) => {
      const edits = room.timeline.filter((x) => x.content['m.relates_to']?.rel_type === 'm.replace' && x.content['m.relates_to'].event_id === e.event_id);
      return edits.length ? edits.at(-1).content['m.new_content'].body : e.content.body;
    };
    for (const k of ['hub-5', 'mx-5', 'sl-5']) {
      assert.equal(final.by.get(k).body, `${k} edited`, `hub: ${k}`);
      assert.match(roomText(roomNow.get(k)), new RegExp(`^(\\S+: )?${k} edited$`), `Matrix: ${k}`);
      assert.match(slackNow.get(k).text, new RegExp(`${k} edited$`), `Slack: ${k}`);
    }
    const replaces = room.timeline.filter((e) => e.content['m.relates_to']?.rel_type === 'm.replace');
    const edited = replaces.map((e) => e.content['m.relates_to'].event_id);
    assert.equal(new Set(edited).size, edited.length, 'Matrix: no edit repeated');
    assert.ok(edited.every((id) => ['hub-5', 'mx-5', 'sl-5'].some((k) => roomNow.get(k).event_id === id)), 'Matrix: only the edited messages');

    // Threads: each reply under its root in each place.
    const roots = { 'hub-r0': 'hub-3', 'mx-r0': 'mx-3', 'sl-r0': 'sl-3', 'hub-r1': 'sl-13', 'mx-r1': 'hub-13', 'sl-r1': 'mx-13' };
    for (const [reply, root] of Object.entries(roots)) {
      assert.equal(final.by.get(reply).thread_root, final.by.get(root).id, `hub: ${reply} in ${root}'s thread`);
      const rel = roomNow.get(reply).content['m.relates_to'];
      assert.equal(rel?.rel_type, 'm.thread', `Matrix: ${reply} is a thread reply`);
      assert.equal(rel.event_id, roomNow.get(root).event_id, `Matrix: ${reply} in ${root}'s thread`);
      assert.equal(slackNow.get(reply).thread_ts, slackNow.get(root).ts, `Slack: ${reply} in ${root}'s thread`);
    }

    // Reactions: each once in each place, from its author, and no other.
    const expectedReactions = { 'sl-9': 'ada', 'sl-11': 'ana', 'mx-11': 'bob' };
    for (const k of ['mx-9', 'hub-9', 'hub-11']) assert.deepEqual(final.by.get(k).reactions, [], `hub: ${k}'s reaction taken back`);
    for (const [k, who] of Object.entries(expectedReactions)) {
      const r = final.by.get(k).reactions;
      assert.equal(r.length, 1, `hub: one reaction on ${k}: ${JSON.stringify(r)}`);
      assert.equal(r[0].count, 1, `hub: ${k}`);
      assert.match(r[0].handles[0], new RegExp(who, 'i'), `hub: ${k} by ${who}`);
    }
    const mxReactions = liveMxReactions();
    assert.equal(room.timeline.filter((e) => e.type === 'm.reaction').length, 6, 'Matrix: six reactions made, three redacted, none repeated');
    assert.deepEqual(mxReactions.map((e) => tokenOf(room.byId.get(e.content['m.relates_to'].event_id).event.content.body)).sort(),
      Object.keys(expectedReactions).sort(), 'Matrix: one reaction on each that kept one, no echo');
    assert.deepEqual(slack.messages(SLACK_CHANNEL).filter((m) => m.reactions?.length).map((m) => [tokenOf(m.text), m.reactions.length, m.reactions[0].count])
      .sort(), Object.keys(expectedReactions).map((k) => [k, 1, 1]).sort(), 'Slack: one reaction on each that kept one, no echo');

    // No echo: nothing came back to the network it came from.
    const ghostSent = (e) => e.sender !== ana;
    assert.deepEqual(roomMessages().filter((e) => ghostSent(e) && side(tokenOf(e.content.body) ?? 'x-0') === 'mx'), [], 'Matrix: no Matrix message came back');
    assert.deepEqual(slack.messages(SLACK_CHANNEL).filter((m) => m.bot_id && side(tokenOf(m.text) ?? 'x-0') === 'sl'), [], 'Slack: no Slack message came back');
    assert.equal(final.list.filter((m) => m.author?.via === 'slack' && !['sl'].includes(side(tokenOf(m.body) ?? 'sl-0'))).length, 0, 'hub: no ghost loop via Slack');
    assert.equal(final.list.filter((m) => m.author?.via === 'matrix' && !['mx'].includes(side(tokenOf(m.body) ?? 'mx-0'))).length, 0, 'hub: no ghost loop via Matrix');

    // Nothing parked, nothing refused, and only spec-valid bodies sent to Matrix.
    for (const m of (await pair.admin.get('/api/bridge/mappings')).json.items) {
      const status = (await pair.admin.get(`/api/bridge/mappings/${m.id}/status`)).json;
      assert.deepEqual(status.parked, [], `${m.network}: nothing parked`);
    }
    assert.deepEqual(pusher.refused, [], 'every Slack push the hub answered got 200');
    assert.deepEqual(hs.pushAttempts.filter((a) => a.status && !(a.status >= 200 && a.status < 300)), [],
      'every transaction the hub answered got 2xx (the others met a dead or slow hub)');
    assert.deepEqual(hs.invalid, [], 'every body the hub sent follows the Matrix spec');
    assert.deepEqual(hs.warnings, []);

    assert.deepEqual(await pair.hub.stop({ keepData: true }), { code: 0, signal: null }, 'a clean SIGTERM after all that');
  });
