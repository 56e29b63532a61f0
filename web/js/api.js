// The hub's JSON API. Every call goes through request(), which turns error bodies
// ({"error":{"code","message","field"?}}) into ApiError.

export class ApiError extends Error {
  constructor(status, code, message, { field, retryAfter, body } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
    this.body = body;  // the whole error body: a 409 on a save carries the three-way merge
  }
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET' && method !== 'HEAD') {
    // The hub's CSRF check wants a JSON content type on every state change.
    headers['Content-Type'] = 'application/json';
    if (body !== undefined) init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'Could not reach cohorthub. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data && data.error) || {};
    const retry = Number.parseInt(res.headers.get('Retry-After') || '', 10);
    throw new ApiError(res.status, err.code || `http_${res.status}`,
      err.message || `Something went wrong (HTTP ${res.status}). Please try again.`,
      { field: err.field, retryAfter: Number.isFinite(retry) ? retry : undefined, body: data });
  }
  return data;
}

const get = (path) => request('GET', path);
const post = (path, body = {}) => request('POST', path, body);
const withCursor = (path, cursor) =>
  cursor ? `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}` : path;

export const api = {
  me: () => get('/api/me'),
  login: (handle, password) => post('/api/login', { handle, password }),
  logout: () => post('/api/logout'),
  register: (fields) => post('/api/register', fields),

  cohorts: (cursor) => get(withCursor('/api/cohorts', cursor)),
  cohort: (id) => get(`/api/cohorts/${encodeURIComponent(id)}`),
  members: (id, cursor) => get(withCursor(`/api/cohorts/${encodeURIComponent(id)}/members`, cursor)),
  createCohort: (fields) => post('/api/cohorts', fields),

  invites: (cursor) => get(withCursor('/api/invites', cursor)),
  createInvite: (fields) => post('/api/invites', fields),

  tokens: () => get('/api/tokens'),
  createToken: (name) => post('/api/tokens', { name }),
  revokeToken: (id) => request('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
};

// Follows next_cursor until the list ends (or a sane page cap) and returns all items.
export async function fetchAll(page, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i += 1) {
    const res = await page(cursor);
    items.push(...(res.items || []));
    cursor = res.next_cursor;
    if (!cursor) break;
  }
  return items;
}

// For a part of a page that loads again while an earlier load may still be under way: its first
// load and a refresh after a change, or a preview per pause in typing. Call the returned `begin`
// as each load starts; it returns `isNewest`, false once a later load has begun, so that an older
// answer arriving late is dropped instead of drawn over a newer one.
export function newestLoad() {
  let started = 0;
  return () => {
    const mine = ++started;
    return () => mine === started;
  };
}
