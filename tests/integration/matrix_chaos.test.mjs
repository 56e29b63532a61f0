// Chaos for the Matrix bridge (issue 12, "Tests"): messages flow both ways between a hub channel
// and a Matrix room while the fake homeserver answers random 429s and 500s (some after applying
// the request), and the hub is killed with SIGKILL and restarted. Afterwards every message is
// there exactly once on each side, in order, with edits, deletes and reactions applied, and the
// hub sent only bodies the spec allows. (1,000 each way: tests/bench/matrix_relay.mjs.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBridgedPair } from '../support/matrix_bridge_run.mjs';

const EACH_WAY = Number(process.env.MATRIX_CHAOS_MESSAGES || 200);
const SCALE = Math.max(1, EACH_WAY / 200);   // the benchmark runs it with 1,000
let pair;
after(async () => { await pair?.close(); });

const text = (body) => ({ msgtype: 'm.text', body });

test('kill -9 while messages flow both ways, with random 429s and 500s: each arrives once, in order, edits/deletes/reactions applied',
  { timeout: 60_000 * SCALE }, async (t) => {
    pair = await startBridgedPair();
    const { hs } = pair;
    const { channelId, roomId, userId: ana } = await pair.mappedChannel('bridged', 'ana');
    const room = hs.room(roomId);
    hs.chaos({ p429: 0.01, p500: 0.005, p500After: 0.01, seed: 12, retryAfterMs: 20 });

    const hubToken = (i) => `hub-${i}`;
    const mxToken = (i) => `mx-${i}`;
    const mxEvents = [];   // event ids of Matrix-side messages, by index
    let hubSent = 0;
    const postFromHub = async (upTo, alsoFromMatrix = () => {}) => {
      for (; hubSent < upTo; hubSent++) {
        alsoFromMatrix(hubSent);
        const r = await pair.admin.post(`/api/channels/${channelId}/messages`, { body: hubToken(hubSent) });
        assert.equal(r.status, 201, r.text);
      }
    };
    const sendFromMatrix = (from, to) => {
      for (let i = from; i < to; i++) mxEvents[i] = hs.sendAs(ana, roomId, 'm.room.message', text(mxToken(i))).event_id;
    };

    // Phase 1: both ways at once, interleaved, then kill -9 straight after the last post, with
    // hub messages still in the outbox and Matrix transactions in flight.
    const half = Math.floor(EACH_WAY / 2);
    const whileDown = Math.floor(EACH_WAY / 4);
    await postFromHub(half, (i) => sendFromMatrix(i, i + 1));
    await pair.kill();
    const hubBodiesInRoom = () => room.timeline.filter((e) => e.content.body?.startsWith('hub-')).length;
    t.diagnostic(`at the kill: ${hubBodiesInRoom()} of ${half} hub messages in the room, `
      + `${hs.appserviceStatus.queued} Matrix events queued, transaction ${hs.appserviceStatus.inflightTxnId ?? 'none'} in flight`);

    // While the hub is down: more Matrix messages, an edit and a redaction.
    sendFromMatrix(half, half + whileDown);
    hs.sendAs(ana, roomId, 'm.room.message', { ...text(`* ${mxToken(5)} edited`),
      'm.new_content': text(`${mxToken(5)} edited`), 'm.relates_to': { rel_type: 'm.replace', event_id: mxEvents[5] } });
    hs.redactAs(ana, roomId, mxEvents[7]);

    await pair.start();
    sendFromMatrix(half + whileDown, EACH_WAY);
    await postFromHub(EACH_WAY);

    // Wait for the hub's messages to reach Matrix (woken by each new event, no polling).
    const ghostMessages = () => room.timeline.filter((e) => e.type === 'm.room.message' && e.sender !== ana
      && !e.content['m.relates_to']?.rel_type);
    const bodyOf = (e) => e.content.body ?? '';
    await hs.waitFor(() => new Set(ghostMessages().map(bodyOf).filter((b) => b.startsWith('hub-'))).size === EACH_WAY,
      { timeoutMs: 30_000 * SCALE, what: `${EACH_WAY} hub messages in the room` });

    // Hub-side edit, delete and reaction, on its own messages and on a Matrix one; a Matrix reaction.
    const hubMessages = await pair.channelMessages(channelId);
    const byBody = (b) => hubMessages.find((m) => m.body === b);
    const hubEvent = (token) => ghostMessages().find((e) => bodyOf(e) === token).event_id;
    assert.equal((await pair.admin.patch(`/api/messages/${byBody(hubToken(5)).id}`, { body: `${hubToken(5)} edited` })).status, 200);
    const deletedEvent = hubEvent(hubToken(7));
    assert.equal((await pair.admin.del(`/api/messages/${byBody(hubToken(7)).id}`)).status, 200);
    assert.ok((await pair.admin.post(`/api/messages/${byBody(mxToken(9)).id}/reactions`, { emoji: '🎉' })).status < 300);
    hs.sendAs(ana, roomId, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: hubEvent(hubToken(9)), key: '👍' } });

    await hs.waitFor(() => room.timeline.some((e) => e.type === 'm.reaction' && e.sender !== ana)
      && room.timeline.some((e) => e.type === 'm.room.redaction' && (e.redacts ?? e.content.redacts) === deletedEvent)
      && room.timeline.some((e) => e.content['m.relates_to']?.rel_type === 'm.replace' && e.sender !== ana),
    { timeoutMs: 30_000 * SCALE, what: 'the hub-side edit, delete and reaction in Matrix' });
    hs.calm();
    await hs.pushed();

    // Matrix side: every hub message once, in order; the edit, delete and reaction applied.
    const hubBodies = ghostMessages().map(bodyOf).filter((b) => b.startsWith('hub-'));
    assert.deepEqual(hubBodies, Array.from({ length: EACH_WAY }, (_, i) => hubToken(i)).filter((_, i) => i !== 7),
      'hub-7 was deleted: its event is redacted');
    assert.deepEqual(room.byId.get(deletedEvent).event.content, {});
    const fromHub = (pred) => room.timeline.filter((e) => e.sender !== ana && e.sender !== hs.senderId && pred(e));
    const edits = fromHub((e) => e.content['m.relates_to']?.rel_type === 'm.replace');
    assert.equal(edits.length, 1);
    assert.equal(edits[0].content['m.relates_to'].event_id, hubEvent(hubToken(5)));
    assert.match(edits[0].content['m.new_content'].body, /hub-5 edited/);
    const reactions = fromHub((e) => e.type === 'm.reaction');
    assert.deepEqual(reactions.map((e) => e.content['m.relates_to']), [{ rel_type: 'm.annotation', event_id: mxEvents[9], key: '🎉' }]);
    assert.equal(fromHub((e) => e.type === 'm.room.redaction').length, 1);
    assert.deepEqual(fromHub((e) => bodyOf(e).includes('mx-')).filter((e) => e.type === 'm.room.message'), [],
      'no echo of the Matrix messages');

    // Hub side: every Matrix message once, in order; the edit, redaction and reaction applied.
    const final = await pair.channelMessages(channelId);
    const fromMatrix = final.filter((m) => m.author?.via === 'matrix');
    const mxBodies = fromMatrix.map((m) => m.body).filter((b) => /^mx-\d+/.test(b));
    const expected = Array.from({ length: EACH_WAY }, (_, i) => (i === 5 ? `${mxToken(5)} edited` : mxToken(i))).filter((_, i) => i !== 7);
    assert.deepEqual(mxBodies, expected);
    assert.equal(fromMatrix.filter((m) => m.deleted).length, 1);
    const reacted = final.find((m) => m.body === hubToken(9));
    assert.ok(JSON.stringify(reacted.reactions).includes('👍'), JSON.stringify(reacted.reactions));
    assert.equal(final.filter((m) => m.body?.startsWith('hub-')).length, EACH_WAY - 1, 'no echo of the hub messages');

    const faults = {};
    for (const r of hs.hubRequests()) if (r.fault) faults[r.fault] = (faults[r.fault] || 0) + 1;
    t.diagnostic(`injected faults ${JSON.stringify(faults)} in ${hs.hubRequests().length} hub requests; ${hs.pushAttempts.length} appservice pushes`);
    assert.deepEqual(Object.keys(faults).sort(), ['429', '500', '500 after applying'], 'each kind of fault happened');
    assert.deepEqual(hs.invalid, [], 'every body the hub sent follows the spec');
    // Nothing forced the fake's retry: the restarted hub's ping ended its backoff, as with Synapse.
    assert.equal(hs.requests.filter((r) => r.path.endsWith('/appservice/cohorthub/ping') && r.status === 200).length, 2,
      'one successful ping per start');
    assert.deepEqual(hs.warnings, []);
    assert.deepEqual(await pair.hub.stop({ keepData: true }), { code: 0, signal: null }, 'a clean SIGTERM after all that');
  });
