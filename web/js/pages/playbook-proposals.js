// /playbooks/:slug/proposals — open, merged and closed proposals for one playbook.
import { h, mount } from '../dom.js';
import { pageHeader, card, emptyState, badge } from '../layout.js';
import { dataTable } from '../table.js';
import { formatTime } from '../format.js';
import { playbooks, proposals, playbookTabs, personName } from './playbook-api.js';

const enc = encodeURIComponent;

export default async function renderProposals(view, { routeParams, params }) {
  const slug = routeParams.slug;
  const state = params.get('state') || 'open';
  const [playbook, list] = await Promise.all([playbooks.get(slug), proposals.list(slug, state === 'all' ? '' : state)]);
  const filters = h('nav', { class: 'segmented', 'aria-label': 'Which proposals' },
    ['open', 'merged', 'closed', 'all'].map((s) => h('a', {
      href: `/playbooks/${enc(slug)}/proposals?state=${s}`, class: 'btn btn-secondary btn-small', 'aria-current': s === state ? 'page' : false,
    }, s[0].toUpperCase() + s.slice(1))));
  const columns = [
    { label: 'Proposal', cell: (p) => h('a', { href: `/proposals/${p.id}`, class: 'strong' }, `#${p.id} ${p.summary || 'Untitled change'}`) },
    { label: 'State', cell: (p) => badge(p.state, p.state === 'open' ? 'pending' : p.state === 'merged' ? 'used' : 'expired') },
    { label: 'Approvals', cell: (p) => `${p.approvals} of ${p.approvals_needed}` },
    { label: 'By', cell: (p) => personName(p.author) },
    { label: 'Updated', cell: (p) => formatTime(p.updated_at) },
  ];
  const body = list.items.length
    ? dataTable({ caption: 'Proposals', columns, rows: list.items, rowKey: (p) => p.id }).el
    : emptyState(`No ${state === 'all' ? '' : `${state} `}proposals.`, 'A proposal is a change that others review before it is merged.');
  mount(view,
    pageHeader(`Proposals for ${playbook.title}`, playbook.required_approvals
      ? `Changes here need ${playbook.required_approvals} approval${playbook.required_approvals === 1 ? '' : 's'}.`
      : 'Anyone may still edit directly; a proposal asks for review first.',
    h('a', { href: `/playbooks/${enc(slug)}/edit?propose=1`, class: 'btn btn-primary' }, 'Propose a change')),
    playbookTabs(slug, 'proposals'),
    card(null, filters, body));
}
