// /documents — my saved documents (private), each reopened in its template's form or re-rendered
// against the newest release.
import { h, mount } from '../dom.js';
import { pageHeader, card, emptyState } from '../layout.js';
import { formatTime } from '../format.js';
import { templates } from './template-api.js';

const enc = encodeURIComponent;

export default async function renderTemplateDocuments(view) {
  const { items } = await templates.documents();
  mount(view,
    pageHeader('My documents', 'Filled-in templates you saved. Only you can see them; they are encrypted at rest.'),
    card(null, items.length ? h('ul', { class: 'playbook-list', 'aria-label': 'My documents' }, items.map((d) =>
      h('li', { class: 'playbook-item' },
        h('a', { href: `/templates/${enc(d.template)}/fill?document=${enc(d.id)}`, class: 'playbook-title' }, d.title),
        h('div', { class: 'playbook-meta' }, `${d.template} ${d.version} · saved ${formatTime(d.updated_at)}`))))
      : emptyState('No saved documents yet.', 'Fill in a template and save it to find it here.',
        h('a', { href: '/templates', class: 'btn btn-primary' }, 'Browse templates'))));
}
