// The playbook and mentoring API calls the playbook pages share, and small pieces of their UI.
import { h } from '../dom.js';
import { appendSafeHtml } from '../safe-html.js';
import { request, fetchAll } from '../api.js';

const enc = encodeURIComponent;
const withQuery = (path, params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const playbooks = {
  list: (cursor, tag) => request('GET', withQuery('/api/playbooks', { cursor, tag })),
  all: () => fetchAll((cursor) => playbooks.list(cursor), 50),
  get: (slug) => request('GET', `/api/playbooks/${enc(slug)}`),
  create: (fields) => request('POST', '/api/playbooks', fields),
  save: (slug, fields) => request('PUT', `/api/playbooks/${enc(slug)}`, fields),
  settings: (slug, fields) => request('PATCH', `/api/playbooks/${enc(slug)}`, fields),
  revisions: (slug, cursor) => request('GET', withQuery(`/api/playbooks/${enc(slug)}/revisions`, { cursor, limit: 100 })),
  revision: (slug, n) => request('GET', `/api/playbooks/${enc(slug)}/revisions/${enc(n)}`),
  diff: (slug, from, to) => request('GET', withQuery(`/api/playbooks/${enc(slug)}/diff`, { from, to })),
  revert: (slug, revision, base) => request('POST', `/api/playbooks/${enc(slug)}/revert`, { revision, base_revision: base }),
  search: (q) => request('GET', withQuery('/api/search', { q })),
  exportUrl: (slug) => `/api/playbooks/${enc(slug)}/export`,
};

export const proposals = {
  list: (slug, state) => request('GET', withQuery(`/api/playbooks/${enc(slug)}/proposals`, { state })),
  open: (slug, fields) => request('POST', `/api/playbooks/${enc(slug)}/proposals`, fields),
  get: (id) => request('GET', `/api/proposals/${enc(id)}`),
  update: (id, fields) => request('PUT', `/api/proposals/${enc(id)}`, fields),
  diff: (id) => request('GET', `/api/proposals/${enc(id)}/diff`),
  review: (id, verdict, comment) => request('POST', `/api/proposals/${enc(id)}/reviews`, { verdict, comment }),
  merge: (id) => request('POST', `/api/proposals/${enc(id)}/merge`),
  close: (id) => request('POST', `/api/proposals/${enc(id)}/close`),
};

export const mentoring = {
  pairs: () => request('GET', '/api/mentorships'),
  pair: (mentorId, menteeId) => request('POST', '/api/mentorships', { mentor_id: mentorId, mentee_id: menteeId }),
  assign: (fields) => request('POST', '/api/assignments', fields),
  mine: () => request('GET', '/api/assignments'),
  assignment: (id) => request('GET', `/api/assignments/${enc(id)}`),
  tick: (id, n, fields) => request('PATCH', `/api/assignments/${enc(id)}/items/${enc(n)}`, fields),
  dashboard: () => request('GET', '/api/mentoring/dashboard'),
};

// Server-rendered Markdown (cmark-gfm in safe mode with a URL allowlist), copied through the
// allow-list. The document's headings move one level down, below the page's <h1>.
export function renderedMarkdown(html) {
  const el = appendSafeHtml(h('div', { class: 'markdown' }), html);
  for (const heading of [...el.querySelectorAll('h1, h2, h3, h4, h5')]) {
    const lower = document.createElement(`h${Number(heading.tagName[1]) + 1}`);
    lower.append(...heading.childNodes);
    heading.replaceWith(lower);
  }
  return el;
}

// The tabs every page about one playbook shows.
export function playbookTabs(slug, current) {
  const tab = (href, label, key) => h('a', {
    href, class: 'tab', 'aria-current': key === current ? 'page' : false,
  }, label);
  const base = `/playbooks/${enc(slug)}`;
  return h('nav', { class: 'tabs', 'aria-label': 'Playbook' },
    tab(base, 'Read', 'view'),
    tab(`${base}/edit`, 'Edit', 'edit'),
    tab(`${base}/history`, 'History', 'history'),
    tab(`${base}/proposals`, 'Proposals', 'proposals'));
}

export function progressBar({ done, total }, label = 'Progress') {
  // max before value: a value above the default max of 1 would be clamped.
  return h('div', { class: 'progress' },
    h('progress', { max: Math.max(total, 1), value: done, 'aria-label': label }),
    h('span', { class: 'progress-text' }, `${done} of ${total} done`));
}

export const personName = (p) => (p ? p.display_name || `@${p.handle}` : 'cohorthub');
