// /playbooks/:slug/history — every revision, newest first: pick any two to compare, see what
// each one changed, or restore an old one (as a new revision; history is never rewritten).
import { h, mount } from '../dom.js';
import { fetchAll } from '../api.js';
import { pageHeader, card, notice, badge } from '../layout.js';
import { dataTable } from '../table.js';
import { errorMessage } from '../form.js';
import { formatTime } from '../format.js';
import { playbooks, playbookTabs, personName } from './playbook-api.js';

const enc = encodeURIComponent;
const KIND_LABEL = { create: 'created', edit: 'edit', revert: 'restore', merge: 'proposal', import: 'import' };

function restoreButton(slug, revision, head, status, navigate) {
  const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Restore');
  let armed = null;
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = `Restore revision ${revision}?`;
      button.classList.add('btn-danger');
      armed = setTimeout(() => { armed = null; button.textContent = 'Restore'; button.classList.remove('btn-danger'); }, 5000);
      return;
    }
    clearTimeout(armed);
    button.disabled = true;
    try {
      const p = await playbooks.revert(slug, revision, head);
      await navigate(`/playbooks/${enc(slug)}?saved=${p.revision}`);
    } catch (err) {
      button.disabled = false;
      mount(status, notice('error', errorMessage(err)));
    }
  });
  return button;
}

export default async function renderHistory(view, { routeParams, navigate }) {
  const slug = routeParams.slug;
  const [playbook, revisions] = await Promise.all([
    playbooks.get(slug),
    fetchAll((cursor) => playbooks.revisions(slug, cursor), 50),
  ]);
  const head = playbook.revision;
  const status = h('div', { 'aria-live': 'polite' });
  let from = Math.max(1, head - 1);
  let to = head;
  const radio = (group, n) => {
    const input = h('input', { type: 'radio', name: group, value: n, checked: (group === 'from' ? from : to) === n,
      'aria-label': `${group === 'from' ? 'Compare from' : 'Compare to'} revision ${n}` });
    input.addEventListener('change', () => { if (group === 'from') from = n; else to = n; });
    return input;
  };
  const columns = [
    { label: 'From', className: 'cell-pick', cell: (r) => radio('from', r.number) },
    { label: 'To', className: 'cell-pick', cell: (r) => radio('to', r.number) },
    { label: 'Revision', cell: (r) => h('span', { class: 'strong' }, `${r.number}`, r.number === head ? ' (current)' : '') },
    { label: 'Change', cell: (r) => h('span', {}, badge(KIND_LABEL[r.kind] || r.kind, 'pending'), ' ', r.summary || '') },
    { label: 'By', cell: (r) => personName(r.author) },
    { label: 'When', cell: (r) => formatTime(r.created_at) },
    {
      label: 'Actions',
      className: 'cell-actions',
      cell: (r) => h('span', { class: 'row-actions' },
        r.parent ? h('a', { href: `/playbooks/${enc(slug)}/diff?from=${r.parent}&to=${r.number}`, class: 'btn btn-quiet btn-small' }, 'Changes') : null,
        r.number !== head && !playbook.required_approvals ? restoreButton(slug, r.number, head, status, navigate) : null),
    },
  ];
  const compare = h('button', { type: 'button', class: 'btn btn-primary' }, 'Compare selected');
  compare.addEventListener('click', () => navigate(`/playbooks/${enc(slug)}/diff?from=${from}&to=${to}`));
  mount(view,
    pageHeader(`History of ${playbook.title}`, `${revisions.length} revision${revisions.length === 1 ? '' : 's'}; restoring one adds a new revision.`, compare),
    playbookTabs(slug, 'history'),
    status,
    card(null, dataTable({ caption: 'Revisions', columns, rows: revisions, rowKey: (r) => r.number }).el));
}
