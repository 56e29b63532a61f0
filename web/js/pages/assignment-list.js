// /assignments — the checklists my mentors assigned me.
import { h, mount } from '../dom.js';
import { pageHeader, card, emptyState, badge } from '../layout.js';
import { dataTable } from '../table.js';
import { formatDay } from '../format.js';
import { mentoring, progressBar, personName } from './playbook-api.js';

export default async function renderAssignments(view) {
  const { items } = await mentoring.mine();
  const columns = [
    { label: 'Playbook', cell: (a) => h('a', { href: `/assignments/${a.id}`, class: 'strong' }, a.playbook.title) },
    { label: 'Progress', cell: (a) => progressBar(a.progress, `${a.playbook.title} progress`) },
    { label: 'Due', cell: (a) => h('span', {}, a.due_on ? formatDay(a.due_on) : '—', ' ', a.progress.overdue ? badge('overdue', 'admin') : null) },
    { label: 'Mentor', cell: (a) => personName(a.mentor) },
  ];
  mount(view,
    pageHeader('Checklists', 'Playbooks your mentors assigned you. Tick items off as you go; notes help your mentor follow.'),
    card(null, items.length
      ? dataTable({ caption: 'My checklists', columns, rows: items, rowKey: (a) => a.id }).el
      : emptyState('Nothing assigned yet.', 'When a mentor assigns you a playbook, its task list shows up here.',
        h('a', { href: '/playbooks', class: 'btn btn-secondary' }, 'Browse playbooks'))));
}
