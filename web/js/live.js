// The /api/live client: subscribes to channels, remembers the last seq it saw, and after a drop
// (network, server restart, "too slow") reconnects and asks for everything after that seq.
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

export class LiveConnection {
  // onEvent(frame) for each event, in seq order; onResync() when too far behind (reload pages);
  // onStatus('connecting'|'live'|'offline') for the indicator.
  constructor({ channels, onEvent, onResync, onStatus }) {
    this.channels = channels;
    this.onEvent = onEvent;
    this.onResync = onResync;
    this.onStatus = onStatus;
    this.lastSeq = null;  // null until the first "subscribed": then only later events
    this.attempt = 0;
    this.stopped = false;
    this.ws = null;
    this.timer = null;
    this.goOffline = () => { this.onStatus('offline'); this.drop(); };
    this.goOnline = () => { this.attempt = 0; this.connect(); };
    window.addEventListener('offline', this.goOffline);
    window.addEventListener('online', this.goOnline);
    this.connect();
  }

  connect() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    if (!navigator.onLine) { this.onStatus('offline'); return; }
    this.onStatus('connecting');
    const ws = new WebSocket(`${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api/live`);
    this.ws = ws;
    ws.addEventListener('open', () => {
      const req = { subscribe: this.channels };
      if (this.lastSeq !== null) req.since = this.lastSeq;
      ws.send(JSON.stringify(req));
    });
    ws.addEventListener('message', (e) => this.receive(e.data));
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.onStatus(navigator.onLine ? 'connecting' : 'offline');
      const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  receive(text) {
    let frame;
    try { frame = JSON.parse(text); } catch { return; }
    if (frame.type === 'subscribed') {
      this.attempt = 0;
      if (this.lastSeq === null) this.lastSeq = frame.head;
      this.onStatus('live');
    } else if (frame.type === 'event') {
      if (this.lastSeq !== null && frame.seq <= this.lastSeq) return;  // never apply one twice
      this.lastSeq = frame.seq;
      this.onEvent(frame);
    } else if (frame.type === 'resync') {
      this.lastSeq = frame.head;
      this.onResync();
    } else if (frame.type === 'error') {
      console.warn(`live: ${frame.code}: ${frame.message}`);
    }
  }

  drop() {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('offline', this.goOffline);
    window.removeEventListener('online', this.goOnline);
    this.drop();
  }
}
