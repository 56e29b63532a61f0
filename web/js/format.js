// Dates as people read them. Calendar dates (YYYY-MM-DD) are formatted without a
// time-zone shift; timestamps are shown in the viewer's zone.

const dateStyle = { year: 'numeric', month: 'short', day: 'numeric' };

export function formatDay(isoDate) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || '');
  if (!m) return isoDate || '—';
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).toLocaleDateString(undefined, dateStyle);
}

export function formatTime(timestamp) {
  if (!timestamp) return '—';
  const d = new Date(timestamp);
  return Number.isNaN(d.getTime()) ? String(timestamp) : d.toLocaleDateString(undefined, dateStyle);
}

// A timestamp with its date and time of day, e.g. "12 Mar 2026, 14:05".
export function formatDateTime(timestamp) {
  if (!timestamp) return '—';
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return String(timestamp);
  return `${d.toLocaleDateString(undefined, dateStyle)}, ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// Today's date as YYYY-MM-DD in the viewer's zone (for date inputs).
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
