// /templates — the gallery: sort by use or rating, filter by kind and tag, full-text search.
import { h, mount } from '../dom.js';
import { pageHeader, card, emptyState } from '../layout.js';
import { appendSafeHtml, SNIPPET_TAGS } from '../safe-html.js';
import { newestLoad } from '../api.js';
import { templates, KINDS, stars } from './template-api.js';

const enc = encodeURIComponent;

function templateItem(t) {
  return h('li', { class: 'playbook-item template-item' },
    h('a', { href: `/templates/${enc(t.slug)}`, class: 'playbook-title' }, t.title),
    h('div', { class: 'playbook-meta' },
      h('span', { class: 'badge' }, t.kind),
      h('span', {}, t.latest_version ? `v${t.latest_version}` : 'draft'),
      h('span', {}, t.license),
      h('span', {}, `${t.uses} ${t.uses === 1 ? 'member' : 'members'} used it`),
      h('span', {}, stars(t.rating)),
      t.is_fork ? h('span', { class: 'badge' }, 'fork') : null,
      h('span', { class: 'tag-list' }, t.tags.map((tag) => h('a', { href: `/templates?tag=${enc(tag)}`, class: 'tag' }, tag)))));
}

function hitItem(hit) {
  const title = appendSafeHtml(h('a', { href: `/templates/${enc(hit.slug)}`, class: 'playbook-title' }), hit.title_html, SNIPPET_TAGS);
  return h('li', { class: 'playbook-item' }, title, appendSafeHtml(h('p', { class: 'search-snippet' }), hit.snippet, SNIPPET_TAGS));
}

export default async function renderTemplateGallery(view, { params }) {
  const state = { sort: params.get('sort') || 'new', kind: params.get('kind') || '', tag: params.get('tag') || '', q: params.get('q') || '' };
  const sort = h('select', { class: 'input', id: 'template-sort', name: 'sort' },
    [['new', 'Newest'], ['use', 'Most used'], ['rating', 'Best rated']].map(([v, l]) => h('option', { value: v }, l)));
  sort.value = state.sort;
  const kind = h('select', { class: 'input', id: 'template-kind', name: 'kind' },
    h('option', { value: '' }, 'Every kind'), KINDS.map((k) => h('option', { value: k }, k)));
  kind.value = state.kind;
  const search = h('input', { type: 'search', class: 'input', id: 'template-search', value: state.q, placeholder: 'invoice, advisory…' });
  const results = h('div', { 'aria-live': 'polite' });
  const begin = newestLoad();  // typing on: an older, slower answer must not replace a newer one
  const show = async () => {
    const newest = begin();
    const q = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
    history.replaceState(null, '', q.toString() ? `/templates?${q}` : '/templates');
    if (state.q) {
      const { items } = await templates.search(state.q);
      if (!newest()) return;
      const hits = items.filter((i) => i.kind === 'template');
      mount(results, hits.length ? h('ul', { class: 'playbook-list', 'aria-label': 'Search results' }, hits.map(hitItem))
        : emptyState(`No template matches “${state.q}”.`, 'Try fewer or shorter words.'));
      return;
    }
    const { items } = await templates.gallery({ sort: state.sort, kind: state.kind, tag: state.tag });
    if (!newest()) return;
    mount(results,
      state.tag ? h('p', {}, 'Tagged ', h('strong', {}, state.tag), ' · ', h('a', { href: '/templates' }, 'show all')) : null,
      items.length ? h('ul', { class: 'playbook-list', 'aria-label': 'Templates' }, items.map(templateItem))
        : emptyState('No templates here yet.', 'Share a quote, an invoice or an advisory your clients liked.'));
  };
  sort.addEventListener('change', () => { state.sort = sort.value; show(); });
  kind.addEventListener('change', () => { state.kind = kind.value; show(); });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); show(); }, 250);
  });
  mount(view,
    pageHeader('Templates', 'Quotes, agreements, invoices and client letters with declared fields: fill them in, fork them, improve them.',
      h('a', { href: '/templates/new', class: 'btn btn-primary' }, 'New template'),
      h('a', { href: '/documents', class: 'btn btn-secondary' }, 'My documents')),
    card(null,
      h('div', { class: 'search-form template-filters' },
        h('label', { for: 'template-search' }, 'Search templates'), search,
        h('label', { for: 'template-sort' }, 'Sort'), sort,
        h('label', { for: 'template-kind' }, 'Kind'), kind),
      results));
  await show();
}
