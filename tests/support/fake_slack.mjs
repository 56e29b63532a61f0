// A fake Slack for tests: the Web API methods the hub's connector calls (and the ones Slack's own
// clients call to check it), and the Events API push with real signatures. It answers as Slack
// does: HTTP 200 with {ok:false, error} for refusals, HTTP 429 with Retry-After when rate limited
// (on demand, per method), form-encoded, JSON or query arguments. Socket Mode too: a one-use URL
// from apps.connections.open, hello, events_api envelopes that wait for their ack and are sent
// again (retry_attempt + 1) on the next connection while un-acked, and disconnect on demand.
import { createServer } from 'node:http';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

// The signature Slack sends: "v0=" + hex HMAC-SHA256(secret, "v0:{timestamp}:{raw body}").
export function slackSignature(secret, timestamp, body) {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
}

async function readArgs(req, url) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('utf8');
  const args = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] || '';
  if (raw && type.startsWith('application/json')) Object.assign(args, JSON.parse(raw));
  else if (raw) Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  return args;
}

// Options: botToken, appToken (xapp-…, for Socket Mode), signingSecret, channels (ids that exist), users {id: {name, display_name}},
// pageSize (at most this many messages in one conversations.history page),
// minGapMs (chat.postMessage to one channel sooner than this after the last gets 429, as Slack's
// ~1 message/s per channel does), onEcho (called with the event Slack would push for each change
// the bot makes: its own posts, edits, deletes and reactions come back to it, as in a real
// workspace; off by default).
export async function startFakeSlack(opts = {}) {
  const botToken = opts.botToken || 'xoxb-fake-bot-token-0001';
  const signingSecret = opts.signingSecret || randomBytes(16).toString('hex');
  const channels = new Map((opts.channels || ['C0HUB']).map((c) => [c, []]));  // id -> messages, oldest first
  const users = opts.users || {};
  const identity = { user_id: 'U0BOT', bot_id: 'B0BOT', app_id: 'A0APP', team_id: 'T0TEAM', team: 'Fake' };
  const calls = [];
  const limits = new Map();  // method -> {count, retryAfter}
  const lastPost = new Map();  // channel -> time of the last accepted chat.postMessage
  let paced429 = 0;
  const failures = new Map();  // method -> [{status} | {error}]
  let chaosMode = null;  // {p429, p500, p500After, retryAfter, methods, random}: chaos()
  const faults = [];     // {method, fault} for every fault chaos() injected
  const echo = (event) => { if (opts.onEcho) opts.onEcho({ ...event }); };
  let clock = 1700000000;
  let seq = 0;
  let events = 0;
  const nextTs = () => `${clock + Math.floor(++seq / 1000)}.${String(seq % 1000000).padStart(6, '0')}`;
  const find = (channel, ts) => (channels.get(channel) || []).find((m) => m.ts === ts);
  // A reply added to (or gone from) the thread of root `ts`: Slack keeps reply_count and
  // latest_reply on the root, and a root whose last reply went is a plain message again.
  const threadChanged = (channel, ts) => {
    const root = find(channel, ts);
    if (!root) return;
    const replies = channels.get(channel).filter((m) => !m.deleted && m.thread_ts === ts && m.ts !== ts);
    if (replies.length) Object.assign(root, { thread_ts: root.ts, reply_count: replies.length, latest_reply: replies.at(-1).ts });
    else { delete root.reply_count; delete root.latest_reply; delete root.thread_ts; }
  };
  const isReply = (m) => m.thread_ts && m.thread_ts !== m.ts;

  const methods = {
    'api.test': (a) => ({ ok: true, args: a }),
    'auth.test': () => ({ ok: true, url: 'https://fake.slack.com/', ...identity, user: 'cohorthub' }),
    'users.info': (a) => {
      const u = users[a.user];
      if (!u) return { ok: false, error: 'user_not_found' };
      return { ok: true, user: { id: a.user, name: u.name, profile: { display_name: u.display_name || '', real_name: u.real_name || u.name } } };
    },
    'chat.postMessage': (a) => {
      const list = channels.get(a.channel);
      if (!list) return { ok: false, error: 'channel_not_found' };
      if (!a.text && !a.blocks) return { ok: false, error: 'no_text' };
      if ((a.text || '').length > 40000) return { ok: false, error: 'msg_too_long' };
      const m = { type: 'message', ts: nextTs(), text: a.text, username: a.username, icon_url: a.icon_url,
        bot_id: identity.bot_id, app_id: identity.app_id, subtype: 'bot_message', reactions: [] };
      if (a.thread_ts) {
        if (!find(a.channel, a.thread_ts)) return { ok: false, error: 'thread_not_found' };
        m.thread_ts = a.thread_ts;
      }
      if (a.metadata) m.metadata = typeof a.metadata === 'string' ? JSON.parse(a.metadata) : a.metadata;
      m.received_at = Date.now();
      list.push(m);
      if (m.thread_ts) threadChanged(a.channel, m.thread_ts);
      echo({ ...m, channel: a.channel });
      return { ok: true, channel: a.channel, ts: m.ts, message: m };
    },
    'chat.update': (a) => {
      if (!channels.has(a.channel)) return { ok: false, error: 'channel_not_found' };
      const m = find(a.channel, a.ts);
      if (!m || m.deleted) return { ok: false, error: 'message_not_found' };
      if (m.bot_id !== identity.bot_id) return { ok: false, error: 'cant_update_message' };
      const before = { ...m };
      m.text = a.text;
      m.edited = { user: identity.user_id, ts: nextTs() };
      echo({ type: 'message', subtype: 'message_changed', channel: a.channel, hidden: true, ts: m.edited.ts,
        message: { ...m }, previous_message: before });
      return { ok: true, channel: a.channel, ts: a.ts, text: a.text };
    },
    'chat.delete': (a) => {
      if (!channels.has(a.channel)) return { ok: false, error: 'channel_not_found' };
      const m = find(a.channel, a.ts);
      if (!m || m.deleted) return { ok: false, error: 'message_not_found' };
      if (m.bot_id !== identity.bot_id) return { ok: false, error: 'cant_delete_message' };
      m.deleted = true;
      if (isReply(m)) threadChanged(a.channel, m.thread_ts);
      echo({ type: 'message', subtype: 'message_deleted', channel: a.channel, hidden: true, ts: nextTs(),
        deleted_ts: a.ts, previous_message: { ...m, deleted: undefined } });
      return { ok: true, channel: a.channel, ts: a.ts };
    },
    'chat.getPermalink': (a) => {
      if (!channels.has(a.channel)) return { ok: false, error: 'channel_not_found' };
      if (!find(a.channel, a.message_ts)) return { ok: false, error: 'message_not_found' };
      return { ok: true, channel: a.channel, permalink: `https://fake.slack.com/archives/${a.channel}/p${a.message_ts.replace('.', '')}` };
    },
    'reactions.add': (a) => {
      const m = find(a.channel, a.timestamp);
      if (!m || m.deleted) return { ok: false, error: 'message_not_found' };
      m.reactions ||= [];  // a user's message has none until someone reacts
      let r = m.reactions.find((x) => x.name === a.name);
      if (r && r.users.includes(identity.user_id)) return { ok: false, error: 'already_reacted' };
      if (!r) m.reactions.push(r = { name: a.name, users: [], count: 0 });
      r.users.push(identity.user_id);
      r.count = r.users.length;
      echo({ type: 'reaction_added', user: identity.user_id, reaction: a.name, item_user: m.user,
        item: { type: 'message', channel: a.channel, ts: a.timestamp }, event_ts: nextTs() });
      return { ok: true };
    },
    'reactions.remove': (a) => {
      const m = find(a.channel, a.timestamp);
      if (!m || m.deleted) return { ok: false, error: 'message_not_found' };
      const r = m.reactions?.find((x) => x.name === a.name);
      if (!r || !r.users.includes(identity.user_id)) return { ok: false, error: 'no_reaction' };
      r.users = r.users.filter((u) => u !== identity.user_id);
      r.count = r.users.length;
      if (!r.count) m.reactions = m.reactions.filter((x) => x !== r);
      echo({ type: 'reaction_removed', user: identity.user_id, reaction: a.name, item_user: m.user,
        item: { type: 'message', channel: a.channel, ts: a.timestamp }, event_ts: nextTs() });
      return { ok: true };
    },
    'conversations.history': (a) => {
      const list = channels.get(a.channel);
      if (!list) return { ok: false, error: 'channel_not_found' };
      // Slack may return fewer than `limit` (opts.pageSize caps a page here); its cursors are
      // opaque base64 that can hold '+', '/' and '=', so a caller that does not escape them is caught.
      const limit = Math.min(Number(a.limit) || 100, 999, opts.pageSize || 999);
      let start = 0;
      if (a.cursor) {
        const m = /^cursor\+\/([0-9]+)=$/.exec(a.cursor);
        if (!m) return { ok: false, error: 'invalid_cursor' };
        start = Number(m[1]);
      }
      const within = list.filter((m) => !m.deleted && (!m.thread_ts || m.thread_ts === m.ts) &&
        (!a.oldest || m.ts > a.oldest) && (!a.latest || m.ts < a.latest)).reverse();  // newest first
      const page = within.slice(start, start + limit);
      const more = start + limit < within.length;
      return { ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? `cursor+/${start + limit}=` : '' } };
    },
    'conversations.replies': (a) => {
      const list = channels.get(a.channel);
      if (!list) return { ok: false, error: 'channel_not_found' };
      const root = find(a.channel, a.ts);
      if (!root) return { ok: false, error: 'thread_not_found' };
      const thread = list.filter((m) => !m.deleted && (m.ts === a.ts || m.thread_ts === a.ts) && (!a.oldest || m.ts > a.oldest));
      return { ok: true, messages: thread, has_more: false, response_metadata: { next_cursor: '' } };
    },
    'apps.connections.open': (a, token) => {
      if (!opts.appToken || token !== opts.appToken) return { ok: false, error: 'invalid_auth' };
      const ticket = randomBytes(8).toString('hex');
      tickets.add(ticket);
      return { ok: true, url: `ws://127.0.0.1:${server.address().port}/link/?ticket=${ticket}` };
    },
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://fake.slack');
    const method = url.pathname.replace(/^\/api\//, '');
    let args = {};
    try { args = await readArgs(req, url); } catch { args = null; }
    const token = (req.headers.authorization || '').replace(/^Bearer /, '') || (args && args.token) || '';
    calls.push({ method, args, token, headers: req.headers });
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (args === null) return send(200, { ok: false, error: 'invalid_json' });
    const limit = limits.get(method);
    if (limit && limit.count > 0) {
      limit.count--;
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
    }
    const failure = (failures.get(method) || []).shift();
    if (failure && failure.status) return send(failure.status, { ok: false, error: 'internal_error' });
    if (failure && failure.error) return send(200, { ok: false, error: failure.error });
    if (method === 'chat.postMessage' && opts.minGapMs && args.channel) {
      const now = Date.now();
      if (now - (lastPost.get(args.channel) ?? -Infinity) < opts.minGapMs) {
        paced429++;
        return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      }
      lastPost.set(args.channel, now);
    }
    const handler = methods[method];
    if (!handler) return send(404, { ok: false, error: 'unknown_method' });
    if (method !== 'api.test' && method !== 'apps.connections.open') {
      if (!token) return send(200, { ok: false, error: 'not_authed' });
      if (token !== botToken) return send(200, { ok: false, error: 'invalid_auth' });
    }
    const fault = takeFault(method);
    if (fault) faults.push({ method, fault });
    if (fault === '429') return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(chaosMode.retryAfter) });
    if (fault === '500') return send(500, { ok: false, error: 'internal_error' });
    const answer = handler(args, token);
    if (fault === '500 after applying') return send(500, { ok: false, error: 'internal_error' });
    send(200, answer);
  });
  // Socket Mode: each URL works once; the newest open connection gets the envelopes.
  const tickets = new Set();
  const sockets = [];        // open connections, oldest first
  const pending = new Map();  // envelope_id -> the envelope, until it is acked
  const acks = [];            // {envelope_id, at} in the order they came
  let connectionsOpened = 0;
  let acksToLose = 0;
  const wss = new WebSocketServer({ noServer: true });
  const deliver = (envelope) => {
    const ws = sockets[sockets.length - 1];
    if (ws) ws.send(JSON.stringify(envelope));
  };
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'http://fake.slack');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connectionsOpened++;
      sockets.push(ws);
      ws.on('close', () => sockets.splice(sockets.indexOf(ws), 1));
      ws.on('error', () => {});
      ws.on('message', (data) => {
        let m;
        try { m = JSON.parse(data.toString()); } catch { return; }
        if (!m.envelope_id || !pending.has(m.envelope_id)) return;
        if (acksToLose > 0) {  // the ack is lost on the way: the envelope stays due, the link drops
          acksToLose--;
          ws.terminate();
          return;
        }
        pending.delete(m.envelope_id);
        acks.push({ envelope_id: m.envelope_id, at: Date.now() });
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: sockets.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: identity.app_id } }));
      for (const envelope of pending.values()) {  // what the last connection did not ack, again
        envelope.retry_attempt++;
        envelope.retry_reason = 'timeout';
        ws.send(JSON.stringify(envelope));
      }
    });
  });
  // Which random fault chaos() gives this call, if any.
  function takeFault(method) {
    const c = chaosMode;
    if (!c || !c.methods.test(method)) return null;
    const x = c.random();
    if (x < c.p429) return '429';
    if (x < c.p429 + c.p500) return '500';
    if (x < c.p429 + c.p500 + c.p500After) return '500 after applying';
    return null;
  }
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}`;

  return {
    url: base + '/api',  // what [slack] api_url and WebClient's slackApiUrl take ('/api/')
    botToken,
    signingSecret,
    identity,
    calls,
    channels,
    paced429: () => paced429,
    messages: (channel) => (channels.get(channel) || []).filter((m) => !m.deleted && m.subtype !== 'tombstone'),
    // At most `n` messages in one conversations.history page from now on (0: Slack's own limits).
    pageSize(n) { opts.pageSize = n; },
    // The next `count` calls of `method` get HTTP 429 with Retry-After: retryAfter.
    rateLimit(method, count, retryAfter = 1) { limits.set(method, { count, retryAfter }); },
    // The next calls of `method` fail, in order: {status: 500} or {error: 'channel_not_found'}.
    fail(method, ...how) { failures.set(method, [...(failures.get(method) || []), ...how]); },
    // Random faults on the Web API calls whose method matches `methods`, reproducible through the
    // seed: HTTP 429 (Retry-After: retryAfter seconds), 500, and 500 after applying the call.
    chaos({ p429 = 0, p500 = 0, p500After = 0, seed = 1, retryAfter = 0, methods = /./ } = {}) {
      let t = seed >>> 0;
      const random = () => {  // mulberry32
        t = (t + 0x6D2B79F5) >>> 0;
        let r = Math.imul(t ^ (t >>> 15), 1 | t);
        r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
        return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
      };
      chaosMode = { p429, p500, p500After, retryAfter, methods, random };
    },
    calm() { chaosMode = null; },
    faults,
    // A message a Slack user writes: stored here, and the event it causes (for push()).
    userMessage(channel, user, text, extra = {}) {
      const m = { type: 'message', channel, user, text, ts: nextTs(), ...extra };
      channels.get(channel).push(m);
      if (m.thread_ts) threadChanged(channel, m.thread_ts);
      return m;
    },
    // A Slack user edits their message `ts`: stored here, and the message_changed event it causes.
    userEdit(channel, ts, text) {
      const m = find(channel, ts);
      const before = { ...m };
      m.text = text;
      m.edited = { user: m.user, ts: nextTs() };
      return { type: 'message', subtype: 'message_changed', channel, hidden: true, ts: m.edited.ts,
        message: { ...m }, previous_message: before };
    },
    // A Slack user deletes their message `ts`: the message_deleted event it causes. A thread's
    // first message that has replies stays instead, as Slackbot's tombstone, announced through
    // message_changed, and listed as such by conversations.history and .replies.
    userDelete(channel, ts) {
      const m = find(channel, ts);
      if (!isReply(m) && m.reply_count) {
        const before = { ...m };
        const { thread_ts, reply_count, latest_reply } = m;
        for (const key of Object.keys(m)) delete m[key];
        Object.assign(m, { type: 'message', subtype: 'tombstone', text: 'This message was deleted.', user: 'USLACKBOT',
          hidden: true, ts, thread_ts, reply_count, latest_reply });
        return { type: 'message', subtype: 'message_changed', channel, hidden: true, ts: nextTs(),
          message: { ...m }, previous_message: before };
      }
      m.deleted = true;
      if (isReply(m)) threadChanged(channel, m.thread_ts);
      return { type: 'message', subtype: 'message_deleted', channel, hidden: true, ts: nextTs(), deleted_ts: ts,
        previous_message: { ...m, deleted: undefined } };
    },
    // A Slack user adds (or removes) reaction `name` on message `ts`: the event it causes.
    userReact(channel, ts, user, name, add = true) {
      const m = find(channel, ts);
      let r = m.reactions?.find((x) => x.name === name);
      if (add) {
        m.reactions ||= [];
        if (!r) m.reactions.push(r = { name, users: [], count: 0 });
        if (!r.users.includes(user)) r.users.push(user);
      } else if (r) {
        r.users = r.users.filter((u) => u !== user);
        if (!r.users.length) m.reactions = m.reactions.filter((x) => x !== r);
      }
      if (r) r.count = r.users.length;
      return { type: add ? 'reaction_added' : 'reaction_removed', user, reaction: name, item_user: m.user,
        item: { type: 'message', channel, ts }, event_ts: nextTs() };
    },
    // The event_callback envelope for `event`, as Slack wraps it.
    envelope(event, eventId = `Ev${String(++events).padStart(8, '0')}`) {
      return { token: 'deprecated', team_id: identity.team_id, api_app_id: identity.app_id, type: 'event_callback',
        event_id: eventId, event_time: clock, event: { event_ts: event.ts, ...event } };
    },
    // POSTs `payload` to `target` signed as Slack signs; `timestamp` and `secret` can be wrong on purpose.
    async push(target, payload, { timestamp = Math.floor(Date.now() / 1000), secret = signingSecret, signature } = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const headers = { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp) };
      if (signature !== null) headers['x-slack-signature'] = signature || slackSignature(secret, timestamp, body);
      const res = await fetch(target, { method: 'POST', headers, body });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json, text };
    },
    // Socket Mode. Sends `event` in an events_api envelope on the newest connection (now, or on
    // the next one) until it is acked; returns its envelope_id.
    socketEvent(event, eventId) {
      const envelope = { envelope_id: randomUUID(), payload: this.envelope(event, eventId), type: 'events_api',
        accepts_response_payload: false, retry_attempt: 0, retry_reason: '' };
      pending.set(envelope.envelope_id, envelope);
      deliver(envelope);
      return envelope.envelope_id;
    },
    // Sends `message` as it is (an envelope without an id, say) on the newest connection.
    socketSend(message) { deliver(message); },
    // Slack's disconnect message ('refresh_requested', 'warning', 'link_disabled') on every connection.
    socketDisconnect(reason = 'refresh_requested') {
      for (const ws of sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    },
    // Drops every connection without a close frame, as a network failure does.
    socketDrop() { for (const ws of [...sockets]) ws.terminate(); },
    // The next `count` acks are lost on the way, each dropping its connection.
    loseAcks(count = 1) { acksToLose += count; },
    socketAcks: () => acks.slice(),
    socketPending: () => [...pending.keys()],
    socketConnections: () => ({ opened: connectionsOpened, open: sockets.length }),
    close: () => new Promise((ok) => {
      for (const ws of [...sockets]) ws.terminate();
      server.closeAllConnections();
      server.close(ok);
    }),
  };
}
