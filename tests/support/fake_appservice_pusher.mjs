// Pushes events to an appservice the way Synapse does (synapse/appservice/scheduler.py):
// - transactions go out one at a time, in order, numbered 1, 2, 3, ... per appservice;
// - a transaction that fails (any non-2xx answer, or no answer) is retried with the *same*
//   txnId and the same events, after 2 s, then 4 s, 8 s, ... capped at 2^9 = 512 s;
// - events that arrive meanwhile wait in the queue and go in later transactions;
// - at most 100 events per transaction.
// - a successful ping of the appservice (POST /_matrix/client/v1/appservice/{id}/ping, which the
//   appservice calls when it starts) ends the backoff: the held transaction is retried at once
//   (`recover()`; Synapse does this since element-hq/synapse#18521, 1.132).
// Tests never wait for the backoff: `retryNow()` runs the pending retry at once, and the
// timers are injectable.

const MAX_EVENTS_PER_TXN = 100;
const MAX_BACKOFF_EXPONENT = 9;
const MANUAL = Symbol('retry waits for retryNow()');

export class AppservicePusher {
  // send(txnId, body, token?) -> Promise<{status}> (throws on a network error);
  // validate(body) -> error string or '' (what we push must itself follow the spec).
  constructor({ send, validate, timers = globalThis, autoRetry = true }) {
    this.send = send;
    this.validate = validate;
    this.timers = timers;
    this.autoRetry = autoRetry;     // false: a failed txn waits for retryNow()
    this.queue = [];                // events not yet in a transaction
    this.inflight = null;           // {txnId, body, attempts, waiters}
    this.nextTxnId = 1;
    this.backoffExponent = 1;       // the next retry waits 2^backoffExponent s
    this.retryTimer = null;         // the scheduled retry, if the appservice is down
    this.attempts = [];             // every attempt: {txnId, status, error, delayMs}
    this.pendingDelayMs = null;     // the delay before the scheduled retry
    this.enabled = false;           // nothing is sent before the appservice has a URL
    this.idleWaiters = [];          // resolved when queue and inflight are both empty
    this.closed = false;
  }

  // Queues events; resolves when they have been acknowledged by the appservice.
  push(events) {
    return new Promise((resolve) => {
      this.queue.push(...events.map((event, i) => ({ event, done: i === events.length - 1 ? resolve : null })));
      if (!events.length) resolve();
      this.kick();
    });
  }

  // One transaction outside the queue, sent once, for bad-input tests: `events` is an array of
  // events (checked against the spec unless check: false), or the raw body itself (a string or
  // a Buffer: invalid JSON, invalid UTF-8, a huge body). token: another hs_token (a wrong one).
  // Resolves to the appservice's {status, body, text}.
  async pushTransaction(events, { txnId = `manual-${this.nextTxnId++}`, check = true, token } = {}) {
    const raw = !Array.isArray(events);
    const body = raw ? events : { events };
    if (check && !raw) {
      const problem = this.validate(body);
      if (problem) throw new Error(`fake homeserver would push an invalid transaction: ${problem}`);
    }
    return this.send(txnId, body, token);
  }

  start() { this.enabled = true; this.kick(); }

  // Runs the scheduled retry now (the test's clock jumped past the backoff).
  retryNow() {
    if (!this.retryTimer) return false;
    this.cancelRetry();
    this.attempt();
    return true;
  }

  // The appservice answered a ping: retry the held transaction now, with the backoff reset.
  recover() {
    this.backoffExponent = 1;
    return this.retryNow();
  }

  // Resolves once every queued event has been acknowledged.
  idle() {
    if (!this.queue.length && !this.inflight) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  status() {
    return {
      down: Boolean(this.retryTimer),
      inflightTxnId: this.inflight?.txnId ?? null,
      queued: this.queue.length,
      retryInMs: this.retryTimer ? this.pendingDelayMs : null,
    };
  }

  close() {
    this.closed = true;
    this.cancelRetry();
  }

  cancelRetry() {
    if (this.retryTimer && this.retryTimer !== MANUAL) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  kick() {
    if (this.closed || !this.enabled || this.inflight) return;
    if (!this.queue.length) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const batch = this.queue.splice(0, MAX_EVENTS_PER_TXN);
    const body = { events: batch.map((b) => b.event) };
    const problem = this.validate(body);
    if (problem) throw new Error(`fake homeserver would push an invalid transaction: ${problem}`);
    this.inflight = {
      txnId: String(this.nextTxnId++),
      body: JSON.stringify(body),  // a retry sends the very same bytes
      waiters: batch.map((b) => b.done).filter(Boolean),
    };
    this.attempt();
  }

  async attempt() {
    const txn = this.inflight;
    let status = 0, error = '';
    try {
      ({ status } = await this.send(txn.txnId, txn.body));
    } catch (e) {
      error = e.code || e.message;
    }
    if (this.closed) return;
    const ok = status >= 200 && status < 300;
    const record = { txnId: txn.txnId, status, error, delayMs: null };
    this.attempts.push(record);
    if (ok) {
      this.inflight = null;
      this.backoffExponent = 1;
      for (const resolve of txn.waiters) resolve();
      this.kick();
      return;
    }
    record.delayMs = this.pendingDelayMs = 1000 * 2 ** this.backoffExponent;
    if (this.backoffExponent < MAX_BACKOFF_EXPONENT) this.backoffExponent += 1;
    const run = () => { this.retryTimer = null; this.attempt(); };
    this.retryTimer = this.autoRetry ? this.timers.setTimeout(run, record.delayMs) : MANUAL;
  }
}
