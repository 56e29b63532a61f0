// A spec-faithful fake Matrix homeserver for tests: the client-server API (v3) that a bridge and
// matrix-js-sdk use, an appservice that it pushes transactions to with Synapse's retry
// behaviour, injected 429s and 500s, and a check of every request body against the spec's own
// schemas (tests/support/matrix-spec/). Plain node:http, in-memory, one process.
//
//   const hs = await startFakeHomeserver({ serverName, asToken, hsToken, hubUrl });
//   hs.url                       base URL (http://127.0.0.1:PORT)
//   hs.requests / hs.invalid     every client-server request; the ones refused as invalid
//   hs.room(id).timeline         the events of a room, in order
//   hs.sendAs(user, room, ...)   a Matrix user talks; the event is pushed to the appservice
//   hs.failNext({...}) / hs.chaos({...})   injected errors
//   hs.echoBeforeReply()         the hub's own sends reach it before their PUT is answered
import { createServer } from 'node:http';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { MatrixSchemas, describeErrors } from './matrix_schemas.mjs';
import { AppservicePusher } from './fake_appservice_pusher.mjs';

const CS = 'api/client-server';
const MAX_BODY_BYTES = 1 << 20;
const MAX_EVENT_BYTES = 65536;        // the spec's limit on a whole event
const DEFAULT_TIMELINE_LIMIT = 10;    // Synapse's default for /sync without a filter
const SPEC_VERSIONS = ['r0.6.1', 'v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8',
  'v1.9', 'v1.10', 'v1.11', 'v1.12'];

export class MatrixError extends Error {
  constructor(status, errcode, error, extra = {}) {
    super(`${status} ${errcode}: ${error}`);
    Object.assign(this, { status, errcode, error, extra });
  }
}

// Deterministic randomness for chaos mode (mulberry32).
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const opaque = (n = 18) => randomBytes(n).toString('base64url');

// Options: serverName, asToken, hsToken, hubUrl (the appservice's base URL, may come later
// through setAppserviceUrl), senderLocalpart, userPrefix (namespace @<prefix>_.*), or a whole
// `registration` (the parsed registration YAML: as_token, hs_token, url, sender_localpart,
// namespaces); roomVersion ('10'); timers and autoRetry (see AppservicePusher); specDir.
export async function startFakeHomeserver(opts = {}) {
  const hs = new FakeHomeserver(opts);
  await hs.listen();
  return hs;
}

// Emits 'event' (event, room) for every event appended to a room, and 'sync' ({userId, since})
// for every /sync request.
export class FakeHomeserver extends EventEmitter {
  constructor(opts) {
    super();
    this.setMaxListeners(0);
    const reg = opts.registration || {};
    this.serverName = opts.serverName || 'fake.test';
    this.roomVersion = opts.roomVersion || '10';
    this.asToken = reg.as_token || opts.asToken || 'as-token';
    this.hsToken = reg.hs_token || opts.hsToken || 'hs-token';
    this.senderLocalpart = reg.sender_localpart || opts.senderLocalpart || 'cohorthub';
    this.appserviceId = reg.id || opts.appserviceId || this.senderLocalpart;
    const prefix = opts.userPrefix || this.senderLocalpart;
    const ns = reg.namespaces || {
      users: [{ exclusive: true, regex: `@${prefix}_.*:${escapeRegex(this.serverName)}` }],
      aliases: [{ exclusive: true, regex: `#${prefix}_.*:${escapeRegex(this.serverName)}` }],
      rooms: [],
    };
    this.namespaces = Object.fromEntries(['users', 'aliases', 'rooms'].map((k) => [k,
      (ns[k] || []).map((n) => ({ exclusive: Boolean(n.exclusive), re: new RegExp(`^(?:${n.regex})$`) }))]));
    this.schemas = new MatrixSchemas(opts.specDir);

    this.users = new Map();      // user id -> {userId, password, appservice, displayname, avatar_url}
    this.tokens = new Map();     // access token -> {userId, deviceId}
    this.rooms = new Map();      // room id -> Room
    this.aliases = new Map();    // #alias:server -> room id
    this.filters = new Map();    // `${userId} ${filterId}` -> filter JSON
    this.media = new Map();      // mxc URI -> {contentType, bytes}
    this.txnResponses = new Map(); // (token, user, path) -> the first response, for idempotency
    this.pos = 0;                // stream position: every event gets the next one
    this.syncWaiters = new Set(); // long-polling /sync requests, woken on each new event
    this.keepRequests = opts.keepRequests ?? true; // false: long benchmarks keep memory flat
    this.requests = [];          // every client-server request: {method, path, query, body, status, errcode, userId, appservice, at, fault?}
    this.invalid = [];           // requests refused because their body broke the spec's schema
    this.warnings = [];          // accepted but dubious per the spec's prose (e.g. an edit of someone else's event)
    this.faults = [];            // pending failNext() faults
    this.queries = [];           // user and room alias queries made to the appservice: {kind, id, status}
    this.chaosMode = null;       // {p429, p500, p500After, random, retryAfterMs}
    this.limiter = null;         // rateLimit(): {perSecond, burst, match, buckets: user -> {tokens, at}}
    this.sockets = new Set();
    this.closed = false;
    this.sentWith = new Map();   // event id -> {token, txnId}: /sync shows the sender's own txnId
    this.earlyEcho = null;       // echoBeforeReply(): {timeoutMs}
    this.earlyEchoes = [];       // per event sent while it was on: {eventId, via, delivered}
    this.pushAcks = new Map();   // event id -> the promise of its push being acknowledged (earlyEcho only)

    this.senderId = `@${this.senderLocalpart}:${this.serverName}`;
    this.users.set(this.senderId, { userId: this.senderId, appservice: true });
    this.pusher = new AppservicePusher({
      send: (txnId, body, token) => this.sendTransaction(txnId, body, token),
      validate: (body) => this.checkTransaction(body),
      timers: opts.timers,
      autoRetry: opts.autoRetry ?? true,
    });
    this.appserviceUrl = reg.url || opts.hubUrl || null;
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
  }

  async listen() {
    await new Promise((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    if (this.appserviceUrl) this.pusher.start();
  }

  async close() {
    this.closed = true;
    this.pusher.close();
    for (const wake of this.syncWaiters) wake();
    for (const s of this.sockets) s.destroy();
    await new Promise((ok) => this.server.close(ok));
  }

  // ---- driving and inspecting (for tests) ----

  setAppserviceUrl(url) { this.appserviceUrl = url; this.pusher.start(); }
  retryNow() { return this.pusher.retryNow(); }
  pushed() { return this.pusher.idle(); }
  get pushAttempts() { return this.pusher.attempts; }
  get appserviceStatus() { return this.pusher.status(); }
  push(events) { return this.pusher.push(events); }
  pushTransaction(events, opts) { return this.pusher.pushTransaction(events, opts); }

  // Resolves once cond() holds, checking it now and after every new event (no polling);
  // rejects after timeoutMs with `what` in the message.
  waitFor(cond, { timeoutMs = 10000, what = 'condition' } = {}) {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => { if (cond()) { finish(); resolve(); } };
      const timer = setTimeout(() => { finish(); reject(new Error(`fake homeserver: timed out waiting for ${what}`)); }, timeoutMs);
      const finish = () => { clearTimeout(timer); this.off('event', waiter); };
      this.on('event', waiter);
    });
  }

  // Resolves once `userId` calls /sync from the current stream position or later, so it has taken
  // in every event so far (a bot stores its position only after applying a batch); no polling.
  caughtUp(userId, { timeoutMs = 10000 } = {}) {
    const target = this.pos;
    return new Promise((resolve, reject) => {
      const listener = (s) => { if (s.userId === userId && s.since !== null && s.since >= target) { finish(); resolve(); } };
      const timer = setTimeout(() => { finish(); reject(new Error(`fake homeserver: ${userId} did not sync up to s${target}`)); }, timeoutMs);
      const finish = () => { clearTimeout(timer); this.off('sync', listener); };
      this.on('sync', listener);
    });
  }

  // The hub's requests: those made with the appservice token.
  hubRequests() { return this.requests.filter((r) => r.appservice); }

  // count requests matching `match` (a {method, path: RegExp} filter, default: every request made
  // with the appservice token) fail with `status`; `after: true` applies the request first and
  // loses the answer (a 500 from a proxy after the homeserver acted).
  failNext({ status = 429, count = 1, retryAfterMs = 1000, after = false, match } = {}) {
    for (let i = 0; i < count; i++) this.faults.push({ status, retryAfterMs, after, match });
  }

  // Random faults on the hub's requests, reproducible through the seed. p500After: the request
  // is applied but its answer is a 500.
  chaos({ p429 = 0, p500 = 0, p500After = 0, seed = 1, retryAfterMs = 50, match } = {}) {
    this.chaosMode = { p429, p500, p500After, retryAfterMs, match, random: seededRandom(seed) };
  }
  // A per-user token bucket on the hub's event sends (PUT .../send and .../redact), like
  // Synapse's rc_message: `burst` at once, then `perSecond`; beyond it 429 with the wait.
  rateLimit({ perSecond, burst = perSecond, match = { path: /\/(send|redact)\// } } = {}) {
    this.limiter = { perSecond, burst, match, buckets: new Map() };
  }

  // The race a real homeserver allows: the event a client (the hub) sends reaches that client
  // (the appservice transaction acknowledged; or, for a plain account, its next /sync taken in)
  // before the PUT .../send or .../redact that made it is answered. Each such event is recorded
  // in earlyEchoes with `delivered` false when it was not taken in within timeoutMs. Off: false.
  echoBeforeReply(on = true, { timeoutMs = 5000 } = {}) {
    this.earlyEcho = on ? { timeoutMs } : null;
    if (!on) this.pushAcks.clear();
  }

  // Resolves once `event`, just sent by request `c`, has reached the sender (see echoBeforeReply).
  async echoFirst(c, event) {
    const pos = this.rooms.get(event.room_id).byId.get(event.event_id).pos;
    const via = c.entry.appservice ? 'transaction' : 'sync';
    const taken = via === 'transaction' ? this.pushAcks.get(event.event_id) ?? Promise.reject(new Error('not pushed'))
      : new Promise((resolve) => {
        const listener = (x) => { if (x.userId === c.userId && x.since !== null && x.since >= pos) { this.off('sync', listener); resolve(); } };
        this.on('sync', listener);
      });
    this.pushAcks.delete(event.event_id);
    let timer;
    const delivered = await Promise.race([taken.then(() => true, () => false),
      new Promise((resolve) => { timer = setTimeout(() => resolve(false), this.earlyEcho.timeoutMs); })]);
    clearTimeout(timer);
    this.earlyEchoes.push({ eventId: event.event_id, via, delivered });
    this.emit('early-echo');
  }

  // Resolves once `n` events sent with echoBeforeReply() on were answered (no polling).
  echoesAnswered(n, { timeoutMs = 10000 } = {}) {
    if (this.earlyEchoes.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = () => { if (this.earlyEchoes.length >= n) { finish(); resolve(); } };
      const timer = setTimeout(() => { finish(); reject(new Error(`fake homeserver: ${this.earlyEchoes.length} of ${n} sends answered`)); }, timeoutMs);
      const finish = () => { clearTimeout(timer); this.off('early-echo', listener); };
      this.on('early-echo', listener);
    });
  }

  // Ends chaos mode and rate limiting, and drops pending failNext() faults.
  calm() { this.chaosMode = null; this.limiter = null; this.faults = []; }

  // A plain (non-appservice) account, as if created through /register.
  createUser(localpart, password = 'secret-password') {
    const userId = `@${localpart}:${this.serverName}`;
    if (this.users.has(userId)) throw new Error(`${userId} exists`);
    this.users.set(userId, { userId, password, appservice: false, displayname: localpart });
    return userId;
  }

  // An access token for a user, as /login would give.
  tokenFor(userId) {
    const token = opaque();
    this.tokens.set(token, { userId, deviceId: opaque(6).toUpperCase() });
    return token;
  }

  room(roomIdOrAlias) {
    const id = this.aliases.get(roomIdOrAlias) || roomIdOrAlias;
    return this.rooms.get(id) || null;
  }

  // Creates a room as `creator` (a user id); options as the /createRoom body.
  createRoom(creator, body = {}) { return this.doCreateRoom(creator, body); }
  join(userId, roomIdOrAlias) { return this.doJoin(userId, roomIdOrAlias).room_id; }
  invite(sender, roomId, userId) { this.membership(this.mustRoom(roomId), sender, userId, 'invite'); }
  leave(userId, roomId) { this.membership(this.mustRoom(roomId), userId, userId, 'leave'); }
  // `sender` kicks (membership 'leave') or bans `userId`, with an optional reason.
  kick(sender, roomId, userId, { reason, ban = false } = {}) {
    const room = this.mustRoom(roomId);
    this.mustBeJoined(room, sender);
    const content = { membership: ban ? 'ban' : 'leave', ...(reason === undefined ? {} : { reason }) };
    return this.appendEvent(room, { type: 'm.room.member', sender, content, state_key: userId });
  }

  // A Matrix user sends an event; returns the event (pushed to the appservice if it is interested).
  sendAs(userId, roomId, type, content) {
    const room = this.mustRoom(roomId);
    this.mustBeJoined(room, userId);
    this.checkEventContent(type, content, room, userId);
    return this.appendEvent(room, { type, sender: userId, content });
  }

  redactAs(userId, roomId, eventId, reason) {
    const room = this.mustRoom(roomId);
    this.mustBeJoined(room, userId);
    return this.doRedact(room, userId, eventId, reason);
  }

  // ---- HTTP ----

  async handle(req, res) {
    const url = new URL(req.url, 'http://x');
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
      body: null, status: 0, errcode: null, userId: null, appservice: false, at: Date.now() };
    if (this.keepRequests) this.requests.push(entry);
    let status = 200, payload = {}, headers = {};
    try {
      const raw = await readBody(req);
      entry.raw = raw;
      if (raw.length && !url.pathname.startsWith('/_matrix/media/')) {
        try { entry.body = JSON.parse(raw.toString('utf8')); } catch { throw new MatrixError(400, 'M_NOT_JSON', 'Content not JSON.'); }
      }
      ({ status = 200, payload, headers = {} } = await this.dispatch(req, url, entry));
    } catch (e) {
      if (!(e instanceof MatrixError)) {
        e = new MatrixError(500, 'M_UNKNOWN', `fake homeserver bug: ${e.stack}`);
        this.warnings.push(e.error);
      }
      status = e.status;
      payload = { errcode: e.errcode, error: e.error, ...e.extra };
      if (e.errcode === 'M_LIMIT_EXCEEDED') headers['retry-after'] = String(Math.ceil(e.extra.retry_after_ms / 1000));
    }
    delete entry.raw;
    entry.status = status;
    entry.errcode = payload?.errcode || null;
    entry.response = payload;
    const text = JSON.stringify(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  async dispatch(req, url, entry) {
    const method = req.method;
    if (method === 'OPTIONS') return { payload: {} };
    // Spec: the token goes in the Authorization header, or (deprecated) the access_token parameter.
    const rawToken = /^Bearer (.+)$/.exec(req.headers.authorization || '')?.[1] ?? url.searchParams.get('access_token');
    entry.appservice = rawToken === this.asToken;
    delete entry.query.access_token;
    const route = this.route(method, url.pathname);
    if (!route) throw new MatrixError(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    const ctx = { req, method, url, entry, rawToken, params: route.params, query: url.searchParams, body: entry.body };
    if (route.auth) this.authenticate(ctx);
    const fault = this.takeFault(ctx);
    if (fault) entry.fault = `${fault.status}${fault.after ? ' after applying' : ''}`;
    if (fault && !fault.after) throw faultError(fault);
    if (route.body) this.checkBody(ctx, route.body);
    const payload = await route.handler(ctx);
    if (fault) throw faultError(fault);
    return { payload };
  }

  route(method, path) {
    for (const r of this.routes()) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) return { ...r, params: m.slice(1).map(decodeURIComponent) };
    }
    return null;
  }

  // Each route: method, path under /_matrix/client, whether it needs an access token, the
  // spec's request body schema [file, path, method], and the handler.
  routes() {
    if (this.routeTable) return this.routeTable;
    const P = '/_matrix/client/v3';
    const r = (method, path, auth, body, handler) => ({
      method, auth, body, handler: handler.bind(this),
      // An empty state key may be given as a trailing slash (spec, room_state.yaml).
      re: new RegExp(`^${path.replace('{stateKey}', '([^/]*)').replace(/\{\w+\}/g, '([^/]+)')}$`),
    });
    this.routeTable = [
      r('GET', '/_matrix/client/versions', false, null, () => ({ versions: SPEC_VERSIONS, unstable_features: {} })),
      r('GET', `${P}/login`, false, null, () => ({ flows: [{ type: 'm.login.password' }, { type: 'm.login.application_service' }] })),
      r('POST', `${P}/login`, false, [`${CS}/login.yaml`, '/login', 'post'], this.onLogin),
      r('POST', `${P}/register`, false, [`${CS}/registration.yaml`, '/register', 'post'], this.onRegister),
      r('GET', `${P}/account/whoami`, true, null, (c) => ({ user_id: c.userId, ...(c.deviceId ? { device_id: c.deviceId } : {}), is_guest: false })),
      r('GET', `${P}/capabilities`, true, null, () => ({ capabilities: { 'm.change_password': { enabled: false } } })),
      r('GET', `${P}/pushrules/`, true, null, () => ({ global: { override: [], content: [], room: [], sender: [], underride: [] } })),
      r('POST', `${P}/user/{userId}/filter`, true, [`${CS}/filter.yaml`, '/user/{userId}/filter', 'post'], this.onCreateFilter),
      r('GET', `${P}/user/{userId}/filter/{filterId}`, true, null, this.onGetFilter),
      r('GET', `${P}/profile/{userId}`, false, null, this.onGetProfile),
      r('GET', `${P}/profile/{userId}/{keyName}`, false, null, this.onGetProfileField),
      r('PUT', `${P}/profile/{userId}/{keyName}`, true, [`${CS}/profile.yaml`, '/profile/{userId}/{keyName}', 'put'], this.onSetProfileField),
      r('POST', `${P}/createRoom`, true, [`${CS}/create_room.yaml`, '/createRoom', 'post'], (c) => ({ room_id: this.doCreateRoom(c.userId, c.body || {}) })),
      r('POST', `${P}/join/{roomIdOrAlias}`, true, [`${CS}/joining.yaml`, '/join/{roomIdOrAlias}', 'post'], this.onJoinByIdOrAlias),
      r('POST', `${P}/rooms/{roomId}/join`, true, [`${CS}/joining.yaml`, '/rooms/{roomId}/join', 'post'], (c) => this.doJoin(c.userId, c.params[0])),
      r('POST', `${P}/rooms/{roomId}/invite`, true, [`${CS}/inviting.yaml`, '/rooms/{roomId}/invite ', 'post'] /* sic: the spec's key ends with a space */, this.onInvite),
      r('POST', `${P}/rooms/{roomId}/leave`, true, null, (c) => { this.leave(c.userId, c.params[0]); return {}; }),
      r('GET', `${P}/directory/room/{roomAlias}`, false, null, this.onResolveAlias),
      r('PUT', `${P}/rooms/{roomId}/send/{eventType}/{txnId}`, true, [`${CS}/room_send.yaml`, '/rooms/{roomId}/send/{eventType}/{txnId}', 'put'], this.onSend),
      r('PUT', `${P}/rooms/{roomId}/redact/{eventId}/{txnId}`, true, [`${CS}/redaction.yaml`, '/rooms/{roomId}/redact/{eventId}/{txnId}', 'put'], this.onRedact),
      r('GET', `${P}/rooms/{roomId}/joined_members`, true, null, this.onJoinedMembers),
      r('GET', `${P}/rooms/{roomId}/messages`, true, null, this.onMessages),
      r('GET', `${P}/rooms/{roomId}/event/{eventId}`, true, null, this.onGetEvent),
      r('GET', `${P}/sync`, true, null, this.onSync),
      r('GET', `${P}/rooms/{roomId}/state`, true, null, this.onGetState),
      r('GET', `${P}/rooms/{roomId}/state/{eventType}`, true, null, this.onGetState),
      r('GET', `${P}/rooms/{roomId}/state/{eventType}/{stateKey}`, true, null, this.onGetState),
      r('PUT', `${P}/rooms/{roomId}/state/{eventType}`, true, [`${CS}/room_state.yaml`, '/rooms/{roomId}/state/{eventType}/{stateKey}', 'put'], this.onSetState),
      r('PUT', `${P}/rooms/{roomId}/state/{eventType}/{stateKey}`, true, [`${CS}/room_state.yaml`, '/rooms/{roomId}/state/{eventType}/{stateKey}', 'put'], this.onSetState),
      r('POST', '/_matrix/client/v1/appservice/{appserviceId}/ping', true, [`${CS}/appservice_ping.yaml`, '/appservice/{appserviceId}/ping', 'post'], this.onPing),
      r('POST', '/_matrix/media/v3/upload', true, null, this.onUpload),
      r('GET', `${P}/joined_rooms`, true, null, (c) => ({ joined_rooms: [...this.rooms.values()].filter((rm) => rm.membershipOf(c.userId) === 'join').map((rm) => rm.id) })),
    ];
    return this.routeTable;
  }

  // ---- authentication (spec: "Using access tokens", "Identity assertion" for appservices) ----

  authenticate(ctx) {
    const header = ctx.rawToken;
    if (!header) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Missing access token.');
    if (header === this.asToken) {
      const userId = ctx.query.get('user_id') || this.senderId;
      ctx.entry.appservice = true;
      if (userId !== this.senderId && !this.inNamespace('users', userId)) {
        throw new MatrixError(403, 'M_FORBIDDEN', `Application service cannot masquerade as this user (${userId}).`);
      }
      // Synapse: the user must exist, except for registering it.
      if (!this.users.has(userId) && !ctx.url.pathname.endsWith('/register')) {
        throw new MatrixError(403, 'M_FORBIDDEN', `Application service has not registered this user (${userId}).`);
      }
      Object.assign(ctx, { userId, deviceId: null, token: header });
    } else {
      const session = this.tokens.get(header);
      if (!session) throw new MatrixError(401, 'M_UNKNOWN_TOKEN', 'Unknown access token.', { soft_logout: false });
      Object.assign(ctx, { userId: session.userId, deviceId: session.deviceId, token: header });
    }
    ctx.entry.userId = ctx.userId;
  }

  inNamespace(kind, id) { return this.namespaces[kind].some((n) => n.re.test(id)); }
  inExclusiveNamespace(kind, id) { return this.namespaces[kind].some((n) => n.exclusive && n.re.test(id)); }

  // ---- injected faults ----

  takeFault(ctx) {
    const applies = (match) => (match ? (!match.method || match.method === ctx.method) && (!match.path || match.path.test(ctx.url.pathname))
      : ctx.entry.appservice);
    const i = this.faults.findIndex((f) => applies(f.match));
    if (i >= 0) return this.faults.splice(i, 1)[0];
    const limited = this.limiter && ctx.entry.appservice && applies(this.limiter.match) && this.takeToken(ctx.userId);
    if (limited) return { status: 429, retryAfterMs: limited };
    const c = this.chaosMode;
    if (!c || !applies(c.match)) return null;
    const x = c.random();
    if (x < c.p429) return { status: 429, retryAfterMs: c.retryAfterMs };
    if (x < c.p429 + c.p500) return { status: 500 };
    if (x < c.p429 + c.p500 + c.p500After) return { status: 500, after: true };
    return null;
  }

  // 0 when the user may go on, else the milliseconds until its bucket holds a token.
  takeToken(userId) {
    const { perSecond, burst, buckets } = this.limiter;
    const now = Date.now();
    const b = buckets.get(userId) || { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    buckets.set(userId, b);
    if (b.tokens >= 1) { b.tokens -= 1; return 0; }
    return Math.max(1, Math.ceil(((1 - b.tokens) / perSecond) * 1000));
  }

  // ---- body checks: the spec's schemas, then the rules its prose adds ----

  // Compiles now every request body schema and the message, reaction and redaction content schemas,
  // which are otherwise compiled on first use (10–50 ms each): benchmarks call it so that the
  // fake's compile time does not land on the first message they time.
  warmSchemas() {
    for (const r of this.routes()) if (r.body) this.schemas.requestBody(...r.body);
    for (const [type, msgtype] of [['m.room.message', 'm.text'], ['m.room.message', 'm.notice'], ['m.room.message', 'm.emote'],
      ['m.reaction', undefined], ['m.room.redaction', undefined]]) {
      this.schemas.eventContent(type, msgtype);
      this.schemas.event(type, msgtype);
    }
  }

  checkBody(ctx, [file, path, method]) {
    const validate = this.schemas.requestBody(file, path, method);
    const body = ctx.body ?? {};
    if (validate && !validate(body)) this.refuseInvalid(ctx, `${path}: ${describeErrors(validate.errors)}`);
  }

  refuseInvalid(ctx, why) {
    this.invalid.push({ method: ctx.method, path: ctx.url.pathname, body: ctx.body, why });
    throw new MatrixError(400, 'M_BAD_JSON', why);
  }

  // The content of a sent event: its type's schema, m.relates_to, m.mentions, format.
  checkEventContent(type, content, room, sender, ctx = null) {
    const refuse = (why) => {
      if (ctx) this.refuseInvalid(ctx, `${type}: ${why}`);
      throw new MatrixError(400, 'M_BAD_JSON', `${type}: ${why}`);
    };
    if (!content || typeof content !== 'object' || Array.isArray(content)) refuse('content must be an object');
    const validate = this.schemas.eventContent(type, content.msgtype);
    if (validate && !validate(content)) refuse(describeErrors(validate.errors));
    if (!validate && type.startsWith('m.')) this.warnings.push(`no schema for ${type} in tests/support/matrix-spec; not checked`);
    if (type === 'm.room.redaction' && typeof content.redacts !== 'string') refuse('redacts: the event to redact is required');
    if (type === 'm.room.message') {
      if (('format' in content) !== ('formatted_body' in content)) refuse('format and formatted_body go together');
    }
    if ('m.mentions' in content) {
      const v = this.schemas.definition(`${CS}/definitions/m.mentions.yaml`);
      if (!v(content['m.mentions'])) refuse(`m.mentions: ${describeErrors(v.errors)}`);
    }
    const rel = content['m.relates_to'];
    if (rel === undefined) return;
    if (!rel || typeof rel !== 'object') refuse('m.relates_to must be an object');
    if (!('rel_type' in rel)) {
      // A rich reply: no rel_type, only m.in_reply_to.
      if (typeof rel['m.in_reply_to']?.event_id !== 'string' || !rel['m.in_reply_to'].event_id.startsWith('$')) {
        refuse('m.relates_to without rel_type must hold m.in_reply_to.event_id');
      }
      this.expectKnown(room, rel['m.in_reply_to'].event_id, 'reply to');
      return;
    }
    const v = this.schemas.definition(`${CS}/definitions/m.relates_to.yaml`);
    if (!v(rel)) refuse(`m.relates_to: ${describeErrors(v.errors)}`);
    const target = this.expectKnown(room, rel.event_id, rel.rel_type);
    if (rel.rel_type === 'm.annotation') {
      if (typeof rel.key !== 'string' || !rel.key) refuse('an m.annotation needs a key');
    } else if (rel.rel_type === 'm.replace') {
      const inner = content['m.new_content'];
      if (!inner || typeof inner !== 'object') refuse('m.replace needs m.new_content');
      const vi = this.schemas.eventContent(type, inner.msgtype);
      if (vi && !vi(inner)) refuse(`m.new_content: ${describeErrors(vi.errors)}`);
      if (target && (target.sender !== sender || target.type !== type)) {
        this.warnings.push(`${sender} replaces ${rel.event_id} of ${target.sender} (${target.type}); clients ignore it`);
      }
    } else if (rel.rel_type === 'm.thread') {
      if ('is_falling_back' in rel && typeof rel.is_falling_back !== 'boolean') refuse('is_falling_back must be a boolean');
      if (target?.content?.['m.relates_to']?.rel_type === 'm.thread') {
        this.warnings.push(`thread rooted at ${rel.event_id}, itself in a thread`);
      }
    }
  }

  expectKnown(room, eventId, what) {
    const target = room.byId.get(eventId)?.event || null;
    if (!target) this.warnings.push(`${what} ${eventId}, unknown in ${room.id}`);
    return target;
  }

  // What we push to the appservice: the transaction schema and each event's own schema.
  checkTransaction(body) {
    const v = this.schemas.requestBody('api/application-service/transactions.yaml', '/transactions/{txnId}', 'put');
    if (!v(body)) return describeErrors(v.errors);
    for (const event of body.events) {
      const ve = this.schemas.event(event.type, event.content?.msgtype);
      if (ve && !event.unsigned?.redacted_because && !ve(event)) return `${event.type}: ${describeErrors(ve.errors)}`;
    }
    return '';
  }

  async sendTransaction(txnId, body, token = this.hsToken) {
    const res = await fetch(`${this.appserviceUrl}/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`, {
      method: 'PUT',
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body: json, text };
  }

  // ---- handlers ----

  onLogin(c) {
    const b = c.body;
    if (b.type === 'm.login.application_service') {
      if (this.bearer(c) !== this.asToken) throw new MatrixError(401, 'M_MISSING_TOKEN', 'Appservice login needs the as_token.');
      const userId = this.userIdFrom(b.identifier?.user);
      if (!this.inNamespace('users', userId) || !this.users.has(userId)) throw new MatrixError(403, 'M_FORBIDDEN', 'Not in namespace.');
      return this.session(userId);
    }
    if (b.type !== 'm.login.password') throw new MatrixError(400, 'M_UNKNOWN', 'Unknown login type');
    const userId = this.userIdFrom(b.identifier?.user ?? b.user);
    const user = this.users.get(userId);
    if (!user || user.appservice || user.password !== b.password) throw new MatrixError(403, 'M_FORBIDDEN', 'Invalid username or password');
    return this.session(userId);
  }

  session(userId) {
    const token = this.tokenFor(userId);
    const { deviceId } = this.tokens.get(token);
    return { user_id: userId, access_token: token, device_id: deviceId, home_server: this.serverName };
  }

  userIdFrom(user) {
    if (typeof user !== 'string') throw new MatrixError(400, 'M_BAD_JSON', 'identifier.user missing');
    return user.startsWith('@') ? user : `@${user}:${this.serverName}`;
  }

  onRegister(c) {
    const b = c.body;
    const viaAppservice = b.type === 'm.login.application_service';
    if (viaAppservice && this.bearer(c) !== this.asToken) {
      throw new MatrixError(401, 'M_MISSING_TOKEN', 'm.login.application_service needs the as_token.');
    }
    if (!viaAppservice && !b.auth) {
      throw new MatrixError(401, 'M_FORBIDDEN', 'Interactive auth', {
        flows: [{ stages: ['m.login.dummy'] }], params: {}, session: opaque() });
    }
    const localpart = b.username ?? opaque(8).toLowerCase();
    if (!/^[a-z0-9._=\-/+]+$/.test(localpart)) throw new MatrixError(400, 'M_INVALID_USERNAME', 'User ID can only contain a-z, 0-9, ._=-/+');
    const userId = `@${localpart}:${this.serverName}`;
    if (viaAppservice ? !this.inNamespace('users', userId) : this.inExclusiveNamespace('users', userId)) {
      throw new MatrixError(400, 'M_EXCLUSIVE', 'This user ID is reserved by an application service.');
    }
    if (this.users.has(userId)) throw new MatrixError(400, 'M_USER_IN_USE', 'User ID already taken.');
    // Synapse gives a new account its localpart as display name.
    this.users.set(userId, { userId, appservice: viaAppservice, password: b.password, displayname: localpart });
    c.entry.userId = userId;
    if (b.inhibit_login) return { user_id: userId, home_server: this.serverName };
    return this.session(userId);
  }

  bearer(c) {
    return c.rawToken ?? null;
  }

  onCreateFilter(c) {
    this.mustBeSelf(c, c.params[0]);
    const filterId = String(this.filters.size + 1);
    this.filters.set(`${c.userId} ${filterId}`, c.body);
    return { filter_id: filterId };
  }

  onGetFilter(c) {
    this.mustBeSelf(c, c.params[0]);
    const f = this.filters.get(`${c.userId} ${c.params[1]}`);
    if (!f) throw new MatrixError(404, 'M_NOT_FOUND', 'No such filter');
    return f;
  }

  async onGetProfile(c) {
    await this.askAppserviceAbout('users', c.params[0]);
    return this.profileOf(c.params[0]);
  }

  profileOf(userId) {
    const u = this.users.get(userId);
    if (!u) throw new MatrixError(404, 'M_NOT_FOUND', 'Profile was not found');
    const p = {};
    if (u.displayname !== undefined) p.displayname = u.displayname;
    if (u.avatar_url !== undefined) p.avatar_url = u.avatar_url;
    return p;
  }

  onGetProfileField(c) {
    const p = this.profileOf(c.params[0]);
    if (!(c.params[1] in p)) throw new MatrixError(404, 'M_NOT_FOUND', 'Profile field not found');
    return { [c.params[1]]: p[c.params[1]] };
  }

  // Also updates the user's m.room.member events, as Synapse does.
  onSetProfileField(c) {
    const [userId, key] = c.params;
    this.mustBeSelf(c, userId);
    const b = c.body;
    if (!(key in b)) throw new MatrixError(400, 'M_MISSING_PARAM', `Missing key '${key}'`);
    if (Object.keys(b).length !== 1) this.refuseInvalid(c, 'a profile body holds exactly the one key named in the URL');
    if (key === 'displayname' && typeof b[key] !== 'string') this.refuseInvalid(c, 'displayname must be a string');
    if (key === 'avatar_url' && (typeof b[key] !== 'string' || !/^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/.test(b[key]))) {
      this.refuseInvalid(c, 'avatar_url must be an mxc:// URI');
    }
    const user = this.users.get(userId);
    if (user[key] === b[key]) return {};
    user[key] = b[key];
    if (key === 'displayname' || key === 'avatar_url') {
      for (const room of this.rooms.values()) {
        if (room.membershipOf(userId) === 'join') this.membership(room, userId, userId, 'join');
      }
    }
    return {};
  }

  async onInvite(c) {
    await this.askAppserviceAbout('users', c.body.user_id);
    this.invite(c.userId, c.params[0], c.body.user_id);
    return {};
  }

  async onJoinByIdOrAlias(c) {
    await this.askAppserviceAbout('aliases', c.params[0]);
    return this.doJoin(c.userId, c.params[0]);
  }

  // Synapse asks the appservice about an unknown alias or user in its namespace
  // (GET /_matrix/app/v1/rooms/{alias}, /users/{userId}); the appservice may create it.
  async askAppserviceAbout(kind, id) {
    const known = kind === 'aliases' ? this.aliases.has(id) || !id.startsWith('#') : this.users.has(id);
    if (known || !this.inNamespace(kind, id) || !this.appserviceUrl) return null;
    const res = await fetch(`${this.appserviceUrl}/_matrix/app/v1/${kind === 'aliases' ? 'rooms' : 'users'}/${encodeURIComponent(id)}`,
      { headers: { authorization: `Bearer ${this.hsToken}` }, signal: AbortSignal.timeout(10000) }).catch(() => null);
    const status = res?.status ?? 0;
    this.queries.push({ kind, id, status });
    return status;
  }

  async onResolveAlias(c) {
    await this.askAppserviceAbout('aliases', c.params[0]);
    const roomId = this.aliases.get(c.params[0]);
    if (!roomId) throw new MatrixError(404, 'M_NOT_FOUND', `Room alias ${c.params[0]} not found.`);
    return { room_id: roomId, servers: [this.serverName] };
  }

  // Synapse's transaction cache forgets a txnId after a while (its cleanup runs every 30 min):
  // a repeated PUT after that makes a new event. Tests call this to be "after that".
  forgetTransactions() { this.txnResponses.clear(); }

  // Idempotent per (access token, user, request path) as Synapse's HttpTransactionCache: the
  // same txnId again gets the first answer, and no new event.
  idempotent(c, run) {
    const key = `${c.token}\n${c.userId}\n${c.url.pathname}`;
    if (this.txnResponses.has(key)) return this.txnResponses.get(key);
    const answer = run();
    this.txnResponses.set(key, answer);
    return answer;
  }

  async onSend(c) {
    const [roomId, type] = c.params;
    const room = this.mustRoom(roomId);
    let fresh = null;  // the event this request made (not a replayed answer)
    const answer = this.idempotent(c, () => {
      this.mustBeJoined(room, c.userId);
      this.checkEventContent(type, c.body, room, c.userId, c);
      if (type === 'm.reaction') this.refuseDuplicateAnnotation(room, c.userId, c.body['m.relates_to']);
      if (type === 'm.room.redaction') {
        const redacts = c.body.redacts;
        const { redacts: _, ...content } = c.body;
        fresh = this.doRedact(room, c.userId, redacts, content.reason);
        return { event_id: fresh.event_id };
      }
      const event = this.appendEvent(room, { type, sender: c.userId, content: c.body });
      this.sentWith.set(event.event_id, { token: c.token, txnId: c.params[2] });
      fresh = event;
      return { event_id: event.event_id };
    });
    if (fresh && this.earlyEcho) await this.echoFirst(c, fresh);
    return answer;
  }

  refuseDuplicateAnnotation(room, sender, rel) {
    if (rel?.rel_type !== 'm.annotation') return;
    const dup = room.timeline.some((e) => e.type === 'm.reaction' && e.sender === sender && !e.unsigned.redacted_because
      && e.content['m.relates_to']?.event_id === rel.event_id && e.content['m.relates_to']?.key === rel.key);
    if (dup) throw new MatrixError(400, 'M_DUPLICATE_ANNOTATION', 'Cannot send duplicate annotation');
  }

  async onRedact(c) {
    const [roomId, eventId] = c.params;
    const room = this.mustRoom(roomId);
    let fresh = null;
    const answer = this.idempotent(c, () => {
      this.mustBeJoined(room, c.userId);
      fresh = this.doRedact(room, c.userId, eventId, c.body?.reason);
      return { event_id: fresh.event_id };
    });
    if (fresh && this.earlyEcho) await this.echoFirst(c, fresh);
    return answer;
  }

  onJoinedMembers(c) {
    const room = this.mustRoom(c.params[0]);
    this.mustBeJoined(room, c.userId);
    const joined = {};
    for (const m of room.members('join')) {
      const content = room.stateEvent('m.room.member', m).content;
      joined[m] = { display_name: content.displayname ?? null, avatar_url: content.avatar_url ?? null };
    }
    return { joined };
  }

  onGetEvent(c) {
    const room = this.mustRoom(c.params[0]);
    this.mustBeJoined(room, c.userId);
    const found = room.byId.get(c.params[1]);
    if (!found) throw new MatrixError(404, 'M_NOT_FOUND', 'Event not found.');
    return clientEvent(found.event);
  }

  onGetState(c) {
    const [roomId, type, stateKey = ''] = c.params;
    const room = this.mustRoom(roomId);
    this.mustBeJoined(room, c.userId);
    if (type === undefined) return [...room.state.values()].map((e) => clientEvent(e));
    const event = room.stateEvent(type, stateKey);
    if (!event) throw new MatrixError(404, 'M_NOT_FOUND', 'Event not found.');
    return event.content;
  }

  onSetState(c) {
    const [roomId, type, stateKey = ''] = c.params;
    const room = this.mustRoom(roomId);
    return this.idempotentState(c, room, () => {
      this.mustBeJoined(room, c.userId);
      if (type === 'm.room.member') throw new MatrixError(403, 'M_FORBIDDEN', 'Use the membership endpoints');
      const needed = room.stateEvent('m.room.power_levels')?.content.state_default ?? 50;
      if (room.powerOf(c.userId) < needed) throw new MatrixError(403, 'M_FORBIDDEN', 'Insufficient power level');
      this.checkEventContent(type, c.body, room, c.userId, c);
      return { event_id: this.appendEvent(room, { type, sender: c.userId, content: c.body, state_key: stateKey }).event_id };
    });
  }

  // Setting a state event to its current content changes nothing (Synapse answers with the
  // existing event's id).
  idempotentState(c, room, run) {
    const [, type, stateKey = ''] = c.params;
    const current = room.stateEvent(type, stateKey);
    if (current && current.sender === c.userId && JSON.stringify(current.content) === JSON.stringify(c.body)) {
      return { event_id: current.event_id };
    }
    return run();
  }

  // POST /_matrix/client/v1/appservice/{appserviceId}/ping: the homeserver pings the appservice.
  async onPing(c) {
    if (!c.entry.appservice) throw new MatrixError(403, 'M_FORBIDDEN', 'Only an appservice may ping');
    if (c.params[0] !== this.appserviceId) throw new MatrixError(403, 'M_FORBIDDEN', 'Not your appservice');
    if (!this.appserviceUrl) throw new MatrixError(400, 'M_URL_NOT_SET', 'Application service has no URL');
    const started = Date.now();
    let res;
    try {
      res = await fetch(`${this.appserviceUrl}/_matrix/app/v1/ping`, { method: 'POST',
        headers: { authorization: `Bearer ${this.hsToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(c.body.transaction_id === undefined ? {} : { transaction_id: c.body.transaction_id }),
        signal: AbortSignal.timeout(10000) });
    } catch (e) {
      if (e.name === 'TimeoutError') throw new MatrixError(504, 'M_CONNECTION_TIMEOUT', 'Ping timed out');
      throw new MatrixError(502, 'M_CONNECTION_FAILED', 'Could not reach the application service');
    }
    const text = await res.text();
    if (!res.ok) throw new MatrixError(502, 'M_BAD_STATUS', 'Ping returned an error', { status: res.status, body: text });
    this.pusher.recover();  // as Synapse: the appservice is up again, so its held transaction goes now
    return { duration_ms: Date.now() - started };
  }

  // POST /_matrix/media/v3/upload: any bytes; answers an mxc:// URI.
  onUpload(c) {
    const uri = `mxc://${this.serverName}/${opaque(12)}`;
    this.media.set(uri, { contentType: c.req.headers['content-type'] || 'application/octet-stream', bytes: c.entry.raw });
    return { content_uri: uri };
  }

  // GET /rooms/{roomId}/messages: dir b|f, from/to tokens, limit, filter (a RoomEventFilter).
  onMessages(c) {
    const room = this.mustRoom(c.params[0]);
    this.mustBeJoined(room, c.userId);
    const dir = c.query.get('dir');
    if (dir !== 'b' && dir !== 'f') throw new MatrixError(400, 'M_INVALID_PARAM', 'dir must be b or f');
    const limit = this.limitParam(c.query.get('limit'), 10);
    const filter = this.roomEventFilter(c, c.query.get('filter'), `${CS}/definitions/room_event_filter.yaml`);
    const from = c.query.has('from') ? parseToken(c.query.get('from')) : (dir === 'b' ? this.pos : 0);
    const to = c.query.has('to') ? parseToken(c.query.get('to')) : null;
    const candidates = room.events.filter((e) => (dir === 'b' ? e.pos <= from && (to === null || e.pos > to)
      : e.pos > from && (to === null || e.pos <= to)) && filter(e.event, room));
    if (dir === 'b') candidates.reverse();
    const chunk = candidates.slice(0, limit);
    const more = candidates.length > limit;
    const out = { start: token(from), chunk: chunk.map((e) => clientEvent(e.event)) };
    if (more) out.end = token(dir === 'b' ? chunk.at(-1).pos - 1 : chunk.at(-1).pos);
    else if (dir === 'f' && chunk.length) out.end = token(chunk.at(-1).pos);
    return out;
  }

  limitParam(value, fallback) {
    if (value === null || value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new MatrixError(400, 'M_INVALID_PARAM', 'limit must be a non-negative integer');
    return Math.min(n, 1000);
  }

  // A long poll's timeout in milliseconds (0 when absent), as asked: a 30 s poll waits 30 s unless
  // an event or close() wakes it.
  timeoutParam(value) {
    if (value === null || value === undefined) return 0;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new MatrixError(400, 'M_INVALID_PARAM', 'timeout must be a non-negative integer');
    return Math.min(n, 600_000);
  }

  // A filter given inline (JSON) or by id; inline filters are checked against the spec.
  resolveFilter(c, param, definition) {
    if (param === null || param === undefined || param === '') return {};
    if (param.trim().startsWith('{')) {
      let f;
      try { f = JSON.parse(param); } catch { throw new MatrixError(400, 'M_NOT_JSON', 'filter is not JSON'); }
      const v = this.schemas.definition(definition);
      if (!v(f)) this.refuseInvalid(c, `filter: ${describeErrors(v.errors)}`);
      return f;
    }
    const f = this.filters.get(`${c.userId} ${param}`);
    if (!f) throw new MatrixError(400, 'M_INVALID_PARAM', `No filter ${param}`);
    return f;
  }

  roomEventFilter(c, param, definition) {
    return eventMatcher(this.resolveFilter(c, param, definition));
  }

  // GET /sync: since, timeout (long poll), filter (room.timeline.limit, types, senders, rooms),
  // full_state. A timeline with more new events than the limit is `limited`, with `prev_batch`.
  async onSync(c) {
    const filter = this.resolveFilter(c, c.query.get('filter'), `${CS}/definitions/sync_filter.yaml`);
    const since = c.query.has('since') ? parseToken(c.query.get('since')) : null;
    this.emit('sync', { userId: c.userId, since });
    const fullState = c.query.get('full_state') === 'true';
    const deadline = Date.now() + this.timeoutParam(c.query.get('timeout'));
    for (;;) {
      const reply = this.syncResponse(c, filter, since, fullState);
      const remaining = deadline - Date.now();
      if (since === null || reply.changed || remaining <= 0 || this.closed) return reply.body;
      await new Promise((wake) => {
        const timer = setTimeout(done, remaining);
        const self = this;
        function done() { clearTimeout(timer); self.syncWaiters.delete(done); wake(); }
        this.syncWaiters.add(done);
      });
    }
  }

  syncResponse(c, filter, since, fullState) {
    const userId = c.userId;
    // Spec: unsigned.transaction_id only for the client (access token) that sent the event.
    const served = (event) => {
      const copy = clientEvent(event, true);
      const sent = this.sentWith.get(event.event_id);
      if (sent && sent.token === c.token && event.sender === userId) copy.unsigned.transaction_id = sent.txnId;
      return copy;
    };
    const roomFilter = filter.room || {};
    const timelineFilter = roomFilter.timeline || {};
    const limit = timelineFilter.limit ?? DEFAULT_TIMELINE_LIMIT;
    const matches = eventMatcher({ ...timelineFilter, rooms: roomFilter.rooms, not_rooms: roomFilter.not_rooms });
    const join = {}, invite = {}, leave = {};
    let changed = false;
    for (const room of this.rooms.values()) {
      const membership = room.membershipOf(userId);
      const memberEvent = room.stateEvent('m.room.member', userId);
      const newMembership = since === null || (memberEvent && room.byId.get(memberEvent.event_id).pos > since);
      if (membership === 'invite' && newMembership) {
        invite[room.id] = { invite_state: { events: room.strippedState() } };
        changed = true;
      } else if ((membership === 'leave' || membership === 'ban') && since !== null && newMembership) {
        leave[room.id] = { timeline: { events: [clientEvent(memberEvent, true)], limited: false }, state: { events: [] } };
        changed = true;
      }
      if (membership !== 'join') continue;
      const initial = since === null || newMembership;
      const fresh = room.events.filter((e) => (initial || e.pos > since) && matches(e.event, room));
      if (!fresh.length && !initial && !fullState) continue;
      const timeline = fresh.slice(-limit);
      const limited = fresh.length > timeline.length;
      const inTimeline = new Set(timeline.map((e) => e.event.event_id));
      const state = (initial || fullState || limited ? [...room.state.values()] : [])
        .filter((e) => !inTimeline.has(e.event_id)).map((e) => clientEvent(e, true));
      join[room.id] = {
        timeline: { events: timeline.map((e) => served(e.event)), limited,
          prev_batch: token(timeline.length ? timeline[0].pos - 1 : this.pos) },
        state: { events: state },
        ephemeral: { events: [] },
        account_data: { events: [] },
        unread_notifications: { highlight_count: 0, notification_count: 0 },
        summary: {},
      };
      if (fresh.length || initial) changed = true;
    }
    return { changed, body: { next_batch: token(this.pos), rooms: { join, invite, leave },
      account_data: { events: [] }, presence: { events: [] }, to_device: { events: [] } } };
  }

  // ---- rooms and events ----

  mustRoom(roomIdOrAlias) {
    const room = this.room(roomIdOrAlias);
    if (!room) throw new MatrixError(404, 'M_NOT_FOUND', `Unknown room ${roomIdOrAlias}`);
    return room;
  }

  mustBeJoined(room, userId) {
    if (room.membershipOf(userId) !== 'join') {
      throw new MatrixError(403, 'M_FORBIDDEN', `User ${userId} not in room ${room.id}`);
    }
  }

  mustBeSelf(c, userId) {
    if (c.userId !== userId) throw new MatrixError(403, 'M_FORBIDDEN', `Cannot act for ${userId}`);
  }

  doCreateRoom(creator, body) {
    let alias = null;
    if (body.room_alias_name !== undefined) {
      alias = `#${body.room_alias_name}:${this.serverName}`;
      if (this.aliases.has(alias)) throw new MatrixError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
      const viaAppservice = this.users.get(creator)?.appservice;
      if (!viaAppservice && this.inExclusiveNamespace('aliases', alias)) {
        throw new MatrixError(400, 'M_EXCLUSIVE', 'Room alias reserved by an application service');
      }
    }
    const room = new Room(`!${opaque(12)}:${this.serverName}`, body.room_version || this.roomVersion);
    this.rooms.set(room.id, room);
    const preset = body.preset || (body.visibility === 'public' ? 'public_chat' : 'private_chat');
    const state = (type, content, stateKey = '') => this.appendEvent(room, { type, sender: creator, content, state_key: stateKey });
    state('m.room.create', { room_version: room.version, ...(body.creation_content || {}) });
    this.membership(room, creator, creator, 'join');
    state('m.room.power_levels', { users: { [creator]: 100 }, users_default: 0, events_default: 0,
      state_default: 50, redact: 50, ban: 50, kick: 50, invite: 0, ...(body.power_level_content_override || {}) });
    if (alias) { this.aliases.set(alias, room.id); state('m.room.canonical_alias', { alias }); }
    state('m.room.join_rules', { join_rule: preset === 'public_chat' ? 'public' : 'invite' });
    state('m.room.history_visibility', { history_visibility: 'shared' });
    for (const s of body.initial_state || []) state(s.type, s.content, s.state_key ?? '');
    if (body.name !== undefined) state('m.room.name', { name: body.name });
    if (body.topic !== undefined) state('m.room.topic', { topic: body.topic });
    for (const userId of body.invite || []) this.membership(room, creator, userId, 'invite');
    return room.id;
  }

  doJoin(userId, roomIdOrAlias) {
    const room = this.mustRoom(roomIdOrAlias);
    const current = room.membershipOf(userId);
    if (current === 'join') return { room_id: room.id };
    if (current === 'ban') throw new MatrixError(403, 'M_FORBIDDEN', 'You are banned from this room');
    const rule = room.stateEvent('m.room.join_rules')?.content.join_rule;
    if (rule !== 'public' && current !== 'invite') throw new MatrixError(403, 'M_FORBIDDEN', 'You are not invited to this room.');
    this.membership(room, userId, userId, 'join');
    return { room_id: room.id };
  }

  membership(room, sender, target, membership) {
    const user = this.users.get(target);
    const content = { membership };
    if (membership === 'join' && user?.displayname !== undefined) content.displayname = user.displayname;
    if (membership === 'join' && user?.avatar_url !== undefined) content.avatar_url = user.avatar_url;
    return this.appendEvent(room, { type: 'm.room.member', sender, content, state_key: target });
  }

  doRedact(room, sender, eventId, reason) {
    const target = room.byId.get(eventId)?.event;
    if (target && target.sender !== sender && room.powerOf(sender) < (room.stateEvent('m.room.power_levels')?.content.redact ?? 50)) {
      throw new MatrixError(403, 'M_FORBIDDEN', 'You cannot redact this event');
    }
    if (!target) this.warnings.push(`redaction of ${eventId}, unknown in ${room.id}`);
    const content = reason === undefined ? {} : { reason };
    const v11 = Number(room.version) >= 11;
    return this.appendEvent(room, v11 ? { type: 'm.room.redaction', sender, content: { ...content, redacts: eventId } }
      : { type: 'm.room.redaction', sender, content, redacts: eventId });
  }

  // Appends an event to a room, applies it (state, redaction), wakes /sync and queues the push
  // to the appservice when it is interested.
  appendEvent(room, { type, sender, content, state_key, redacts }) {
    const event = { type, sender, content, event_id: `$${opaque(32)}`, origin_server_ts: Date.now(), room_id: room.id, unsigned: {} };
    if (state_key !== undefined) event.state_key = state_key;
    if (redacts !== undefined) event.redacts = redacts;
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) throw new MatrixError(413, 'M_TOO_LARGE', 'Event too large');
    const pos = ++this.pos;
    room.append(pos, event);
    if (type === 'm.room.redaction') room.redact(redacts ?? content.redacts, event);
    for (const wake of [...this.syncWaiters]) wake();
    this.emit('event', event, room);
    if (this.interested(room, event)) {
      const acked = this.pusher.push([clientEvent(event)]);
      if (this.earlyEcho) this.pushAcks.set(event.event_id, acked);
    }
    return event;
  }

  // Spec, application service API, "Registration": interested when the sender, the state key
  // of a membership, a member of the room, the room's alias or id is in a namespace.
  interested(room, event) {
    if (this.inNamespace('users', event.sender) || event.sender === this.senderId) return true;
    if (event.type === 'm.room.member' && (this.inNamespace('users', event.state_key) || event.state_key === this.senderId)) return true;
    if (room.members('join').some((m) => m === this.senderId || this.inNamespace('users', m))) return true;
    const alias = room.stateEvent('m.room.canonical_alias')?.content.alias;
    if (alias && this.inNamespace('aliases', alias)) return true;
    return this.inNamespace('rooms', room.id);
  }
}

class Room {
  constructor(id, version) {
    this.id = id;
    this.version = version;
    this.events = [];          // {pos, event}, in stream order
    this.byId = new Map();     // event id -> {pos, event}
    this.state = new Map();    // `${type}\0${stateKey}` -> current state event
  }

  get timeline() { return this.events.map((e) => e.event); }

  append(pos, event) {
    const entry = { pos, event };
    this.events.push(entry);
    this.byId.set(event.event_id, entry);
    if (event.state_key === undefined) return;
    const key = `${event.type}\0${event.state_key}`;
    const previous = this.state.get(key);
    // As Synapse serves it: what the state was before, for a client to see what changed.
    if (previous) Object.assign(event.unsigned, { prev_content: structuredClone(previous.content), replaces_state: previous.event_id });
    this.state.set(key, event);
  }

  stateEvent(type, stateKey = '') { return this.state.get(`${type}\0${stateKey}`) || null; }
  membershipOf(userId) { return this.stateEvent('m.room.member', userId)?.content.membership || 'leave'; }
  powerOf(userId) {
    const pl = this.stateEvent('m.room.power_levels')?.content;
    return pl?.users?.[userId] ?? pl?.users_default ?? 0;
  }

  members(membership) {
    return [...this.state.values()].filter((e) => e.type === 'm.room.member' && e.content.membership === membership)
      .map((e) => e.state_key);
  }

  strippedState() {
    return [...this.state.values()].filter((e) => ['m.room.create', 'm.room.name', 'm.room.join_rules', 'm.room.canonical_alias'].includes(e.type))
      .map((e) => ({ type: e.type, state_key: e.state_key, content: e.content, sender: e.sender }));
  }

  // The redaction algorithm (room versions 1-11): content keeps only the keys the protocol needs.
  redact(eventId, redaction) {
    const target = this.byId.get(eventId)?.event;
    if (!target || target.type === 'm.room.redaction' && target.event_id === redaction.event_id) return;
    const keep = { 'm.room.member': ['membership'], 'm.room.create': ['creator', 'room_version'],
      'm.room.join_rules': ['join_rule'], 'm.room.history_visibility': ['history_visibility'],
      'm.room.power_levels': ['ban', 'events', 'events_default', 'kick', 'redact', 'state_default', 'users', 'users_default'] }[target.type] || [];
    target.content = Object.fromEntries(Object.entries(target.content).filter(([k]) => keep.includes(k)));
    target.unsigned.redacted_because = clientEvent(redaction);
  }
}

// An event as the client-server API serves it (a copy, with unsigned.age); in /sync the
// room_id is left out.
function clientEvent(event, forSync = false) {
  const copy = structuredClone(event);
  copy.unsigned = { ...copy.unsigned, age: Date.now() - event.origin_server_ts };
  if (forSync) delete copy.room_id;
  return copy;
}

// A RoomEventFilter's rooms/not_rooms/types/not_types/senders/not_senders ("*" wildcards).
function eventMatcher(f) {
  const typeMatch = (patterns, type) => patterns.some((p) => new RegExp(`^${escapeRegex(p).replace(/\\\*/g, '.*')}$`).test(type));
  return (event, room) => !(f.rooms && !f.rooms.includes(room.id))
    && !(f.not_rooms && f.not_rooms.includes(room.id))
    && !(f.types && !typeMatch(f.types, event.type))
    && !(f.not_types && typeMatch(f.not_types, event.type))
    && !(f.senders && !f.senders.includes(event.sender))
    && !(f.not_senders && f.not_senders.includes(event.sender));
}

function token(pos) { return `s${pos}`; }

function parseToken(t) {
  const m = /^s(\d+)$/.exec(t || '');
  if (!m) throw new MatrixError(400, 'M_INVALID_PARAM', `Invalid token ${t}`);
  return Number(m[1]);
}

function faultError(fault) {
  if (fault.status === 429) {
    return new MatrixError(429, 'M_LIMIT_EXCEEDED', 'Too Many Requests', { retry_after_ms: fault.retryAfterMs });
  }
  return new MatrixError(fault.status, 'M_UNKNOWN', 'Internal server error (injected)');
}

function escapeRegex(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

function readBody(req) {
  return new Promise((ok, fail) => {
    const parts = [];
    let size = 0;
    req.on('data', (d) => {
      size += d.length;
      if (size > MAX_BODY_BYTES) { fail(new MatrixError(413, 'M_TOO_LARGE', 'Request body too large')); req.destroy(); }
      else parts.push(d);
    });
    req.on('end', () => ok(Buffer.concat(parts)));
    req.on('error', fail);
  });
}
