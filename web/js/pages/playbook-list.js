// /playbooks — every playbook, filtered by tag, and full-text search with highlighted snippets.
import { h, mount } from '../dom.js';
import { pageHeader, card, emptyState, badge } from '../layout.js';
import { loadMoreButton } from '../table.js';
import { formatTime, plural } from '../format.js';
import { appendSafeHtml, SNIPPET_TAGS } from '../safe-html.js';
import { newestLoad } from '../api.js';
import { playbooks } from './playbook-api.js';

const enc = encodeURIComponent;

function tagLinks(tags) {
  return h('span', { class: 'tag-list' }, tags.map((t) => h('a', { href: `/playbooks?tag=${enc(t)}`, class: 'tag' }, t)));
}

function playbookItem(p) {
  return h('li', { class: 'playbook-item' },
    h('a', { href: `/playbooks/${enc(p.slug)}`, class: 'playbook-title' }, p.title),
    h('div', { class: 'playbook-meta' },
      tagLinks(p.tags),
      p.required_approvals ? badge('review', 'mentor') : null,
      h('span', {}, `Revision ${p.revision} · updated ${formatTime(p.updated_at)}`)));
}

// Snippets come from the server HTML-escaped, with matches in <mark>: only <mark> is kept.
// Search snippets are cut from the Markdown source; people read them as text, so the marks of
// Markdown (emphasis, headings, task boxes, link targets, code ticks) are dropped.
export function markdownAsText(text) {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(^|\s)[-*+] \[[ xX]\] /g, '$1')
    .replace(/(^|\s)#{1,6} /g, '$1')
    .replace(/(^|\s)(?:[-*+]|\d+\.) (?=\S)/g, '$1')
    .replace(/\*\*|__|`+|~~/g, '')
    .replace(/(^|[\s(])[*_](?=\S)|(?<=\S)[*_](?=[\s).,;:!?]|$)/g, '$1');
}

function plainTextNodes(el) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) node.textContent = markdownAsText(node.textContent);
  return el;
}

function hitItem(hit) {
  const snippet = plainTextNodes(appendSafeHtml(h('p', { class: 'search-snippet' }), hit.snippet, SNIPPET_TAGS));
  const base = hit.kind === 'template' ? '/templates' : '/playbooks';  // search covers templates too
  const title = appendSafeHtml(h('a', { href: `${base}/${enc(hit.slug)}`, class: 'playbook-title' }), hit.title_html, SNIPPET_TAGS);
  return h('li', { class: 'playbook-item' }, title, snippet);
}

async function showList(slot, tag) {
  const first = await playbooks.list(null, tag);
  if (!first.items.length) {
    mount(slot, emptyState(tag ? `No playbook is tagged “${tag}”.` : 'No playbooks yet.',
      'Write down what the cohort knows: how to pitch, how to invoice, how to renew.',
      h('a', { href: '/playbooks/new', class: 'btn btn-primary' }, 'Write the first playbook')));
    return;
  }
  const list = h('ul', { class: 'playbook-list', 'aria-label': 'Playbooks' }, first.items.map(playbookItem));
  let cursor = first.next_cursor;
  const more = loadMoreButton('More playbooks', async () => {
    const page = await playbooks.list(cursor, tag);
    list.append(...page.items.map(playbookItem));
    cursor = page.next_cursor;
    return !!cursor;
  });
  more.hidden = !cursor;
  mount(slot, tag ? h('p', {}, 'Tagged ', h('strong', {}, tag), ' · ', h('a', { href: '/playbooks' }, 'show all')) : null, list, more);
}

async function showHits(slot, q) {
  const { items, ranked } = await playbooks.search(q);
  if (!items.length) {
    mount(slot, emptyState(`Nothing matches “${q}”.`, 'Try fewer or shorter words; the last word also matches as a prefix.'));
    return;
  }
  mount(slot, h('p', { class: 'muted', role: 'status' }, ranked
    ? `${plural(items.length, 'playbook')} found, best first`
    : 'These words are in most playbooks, so here are the newest. Add a word to narrow the search.'),
    h('ul', { class: 'playbook-list', 'aria-label': 'Search results' }, items.map(hitItem)));
}

export default async function renderPlaybookList(view, { params }) {
  const q = params.get('q') || '';
  const tag = params.get('tag') || '';
  const input = h('input', { type: 'search', class: 'input', id: 'playbook-search', name: 'q', value: q,
    placeholder: 'retainer, invoice, renewal…', autocomplete: 'off' });
  const form = h('form', { class: 'search-form', role: 'search' },
    h('label', { for: 'playbook-search', class: 'visually-hidden' }, 'Search playbooks'),
    input,
    h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Search'));
  const results = h('div', { class: 'playbook-results', 'aria-live': 'polite' });
  let timer;
  // Each search draws into an element of its own, shown only if no later search began meanwhile:
  // typing on, an older and slower answer must not replace a newer one.
  const begin = newestLoad();
  const show = async (text, tagged) => {
    const newest = begin();
    const drawn = h('div', {});
    if (text) await showHits(drawn, text);
    else await showList(drawn, tagged);
    if (newest()) mount(results, [...drawn.childNodes]);
  };
  const run = async (text) => {
    const url = text.trim() ? `/playbooks?q=${enc(text.trim())}` : '/playbooks';
    history.replaceState(null, '', url);
    await show(text.trim(), '');
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value);
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
  mount(view,
    pageHeader('Playbooks', 'The cohort’s know-how, versioned: every change is kept and can be compared.',
      h('a', { href: '/playbooks/new', class: 'btn btn-primary' }, 'New playbook')),
    card(null, form, results));
  await show(q, tag);
}
