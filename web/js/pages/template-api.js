// The template API calls the template pages share, and the pieces of UI they have in common.
import { h } from '../dom.js';
import { request } from '../api.js';

const enc = encodeURIComponent;
const withQuery = (path, params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export const templates = {
  gallery: (params) => request('GET', withQuery('/api/templates', params)),
  get: (slug) => request('GET', `/api/templates/${enc(slug)}`),
  create: (fields) => request('POST', '/api/templates', fields),
  save: (slug, fields) => request('PUT', `/api/templates/${enc(slug)}`, fields),
  preview: (content, fields) => request('POST', '/api/templates/preview', { content, fields }),
  release: (slug, fields) => request('POST', `/api/templates/${enc(slug)}/releases`, fields),
  fork: (slug, fields) => request('POST', `/api/templates/${enc(slug)}/fork`, fields),
  pull: (slug, fields) => request('POST', `/api/templates/${enc(slug)}/pull`, fields),
  rate: (slug, stars, comment) => request('POST', `/api/templates/${enc(slug)}/ratings`, { stars, comment }),
  render: (slug, body) => request('POST', `/api/templates/${enc(slug)}/render`, { ...body, format: 'json' }),
  prefill: (slug, engagementId) => request('GET', withQuery(`/api/templates/${enc(slug)}/prefill`, { engagement_id: engagementId })),
  search: (q) => request('GET', withQuery('/api/search', { q })),
  documents: () => request('GET', '/api/documents'),
  document: (id) => request('GET', `/api/documents/${enc(id)}`),
  saveDocument: (fields) => request('POST', '/api/documents', fields),
  updateDocument: (id, fields) => request('PUT', `/api/documents/${enc(id)}`, fields),
  engagements: () => request('GET', '/api/engagements?limit=200'),
};

// A PDF as a Blob (request() reads JSON); errors carry the JSON message.
export async function renderPdf(slug, body) {
  const res = await fetch(`/api/templates/${enc(slug)}/render`, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/pdf' },
    body: JSON.stringify({ ...body, format: 'pdf' }),
  });
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    const retry = res.headers.get('Retry-After');
    throw new Error(((data && data.error && data.error.message) || `PDF failed (HTTP ${res.status}).`) +
      (retry ? ` Try again in ${retry} s.` : ''));
  }
  return res.blob();
}

export const KINDS = ['quote', 'agreement', 'invoice', 'advisory', 'digest', 'letter', 'answers', 'reminder', 'other'];

export function stars(rating) {
  if (!rating || !rating.count) return 'not rated yet';
  return `${'★'.repeat(Math.round(rating.average))}${'☆'.repeat(5 - Math.round(rating.average))} ${rating.average.toFixed(1)} (${rating.count})`;
}

export function licenseBadge(t) {
  return h('span', { class: 'badge', title: t.fill_only ? 'No derivatives: fill it in, never fork or change it' : 'License' },
    t.license, t.fill_only ? ' · fill-only' : '');
}
