// A /api/live WebSocket for integration tests: records every frame and the close; `until(pred)`
// waits for pred(frames, closed), with a timeout that shows what did arrive.
import WebSocket from 'ws';

export function openLive(url, headers) {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + '/api/live', { headers });
  const frames = [];
  let closed = null;
  const waiters = new Set();
  const check = () => { for (const w of waiters) if (w.pred(frames, closed)) { waiters.delete(w); w.ok(); } };
  ws.on('message', (d) => { frames.push(JSON.parse(String(d))); check(); });
  ws.on('close', (code, reason) => { closed = { code, reason: String(reason) }; check(); });
  ws.on('error', () => {});
  const opened = new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('unexpected-response', (_req, res) => fail(Object.assign(new Error('refused'), { status: res.statusCode })));
  });
  return {
    ws, frames, opened,
    get closed() { return closed; },
    events: () => frames.filter((f) => f.type === 'event'),
    send: (obj) => ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)),
    until(pred, ms = 5000) {
      if (pred(frames, closed)) return Promise.resolve();
      return new Promise((ok, fail) => {
        const w = { pred, ok: () => { clearTimeout(t); ok(); } };
        const t = setTimeout(() => {
          waiters.delete(w);
          fail(new Error(`timed out; frames: ${JSON.stringify(frames).slice(0, 500)} closed: ${JSON.stringify(closed)}`));
        }, ms);
        waiters.add(w);
      });
    },
  };
}
