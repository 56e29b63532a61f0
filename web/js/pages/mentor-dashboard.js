// /mentoring — a mentor's dashboard: pair with a mentee, assign a playbook as a checklist, and
// follow each mentee's progress, overdue items and recent activity. Mentors see only their own
// mentees.
import { h, mount } from '../dom.js';
import { api, fetchAll, newestLoad } from '../api.js';
import { pageHeader, card, emptyState, notice, badge } from '../layout.js';
import { createForm, selectField, textField } from '../form.js';
import { formatDay, formatTime, plural } from '../format.js';
import { canInvite } from '../session.js';
import { mentoring, playbooks, progressBar, personName } from './playbook-api.js';

const ACTIONS = { done: 'ticked', undone: 'unticked', noted: 'added a note to' };

async function cohortPeople() {
  const cohorts = await fetchAll((cursor) => api.cohorts(cursor));
  const people = new Map();
  for (const c of cohorts) {
    for (const m of await fetchAll((cursor) => api.members(c.id, cursor))) people.set(m.id, m);
  }
  return [...people.values()].sort((a, b) => a.display_name.localeCompare(b.display_name));
}

function menteeCard(entry) {
  const assignments = entry.assignments.length
    ? h('ul', { class: 'assignment-list' }, entry.assignments.map((a) => h('li', { class: 'assignment-row' },
      h('a', { href: `/assignments/${a.id}`, class: 'strong' }, a.playbook.title),
      progressBar(a.progress, `${a.playbook.title} progress`),
      a.due_on ? h('span', { class: 'muted' }, `due ${formatDay(a.due_on)}`) : null,
      a.progress.overdue ? badge(`${a.progress.overdue} overdue`, 'admin') : null)))
    : h('p', { class: 'muted' }, 'Nothing assigned yet.');
  return h('section', { class: 'card mentee-card', 'aria-label': personName(entry.mentee) },
    h('div', { class: 'mentee-head' },
      h('h3', {}, personName(entry.mentee)),
      h('span', { class: 'muted' }, `@${entry.mentee.handle}`),
      entry.progress.overdue ? badge(`${plural(entry.progress.overdue, 'item')} overdue`, 'admin') : null),
    progressBar(entry.progress, `${personName(entry.mentee)} overall progress`),
    h('p', { class: 'muted' }, entry.last_active_at ? `Last active ${formatTime(entry.last_active_at)}` : 'Not active yet'),
    assignments);
}

function activityList(activity) {
  if (!activity.length) return emptyState('No activity yet.', 'Ticks and notes from your mentees show up here.');
  const link = (a) => h('a', { href: `/assignments/${a.assignment_id}` }, a.playbook.title);
  return h('ul', { class: 'activity-list' }, activity.map((a) => h('li', {},
    h('strong', {}, personName(a.actor)), ' ',
    a.action === 'assigned'
      ? ['assigned ', link(a), ' to ', personName(a.mentee)]
      : [ACTIONS[a.action] || a.action, ' ', a.item ? [h('q', {}, a.item), ' in '] : null, link(a)],
    h('span', { class: 'muted' }, ` · ${formatTime(a.at)}`),
    a.note ? h('p', { class: 'activity-note' }, a.note) : null)));
}

export default async function renderMentoring(view, { user }) {
  if (!canInvite(user)) {
    mount(view, pageHeader('Mentoring'), card(null, emptyState('Mentoring is for mentors.',
      'Your own checklists are under Checklists.', h('a', { href: '/assignments', class: 'btn btn-primary' }, 'My checklists'))));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const begin = newestLoad();
  const reload = async (message) => {
    const newest = begin();
    const [board, people, allPlaybooks] = await Promise.all([mentoring.dashboard(), cohortPeople(), playbooks.all()]);
    if (!newest()) return;
    const menteeIds = new Set(board.mentees.map((m) => m.mentee.id));
    const candidates = people.filter((p) => p.id !== user.id && !menteeIds.has(p.id));

    const pairForm = candidates.length
      ? createForm({
        fields: { mentee: selectField({ label: 'Member', name: 'mentee', options: candidates.map((p) => ({ value: p.id, label: `${p.display_name} (@${p.handle})` })) }) },
        submitLabel: 'Become their mentor',
        busyLabel: 'Pairing…',
        onSubmit: async (values) => {
          await mentoring.pair(user.id, Number(values.mentee));
          await reload('Paired. You can now assign them playbooks.');
        },
      }).el
      : h('p', { class: 'muted' }, 'Everyone in your cohorts is already your mentee.');

    const assignable = allPlaybooks.map((p) => ({ value: p.slug, label: p.title }));
    const assignForm = board.mentees.length && assignable.length
      ? createForm({
        fields: {
          mentee_id: selectField({ label: 'Mentee', name: 'mentee_id', options: board.mentees.map((m) => ({ value: m.mentee.id, label: personName(m.mentee) })) }),
          playbook: selectField({ label: 'Playbook', name: 'playbook', options: assignable }),
          due_on: textField({ label: 'Due on (optional)', name: 'due_on', type: 'date' }),
        },
        submitLabel: 'Assign checklist',
        busyLabel: 'Assigning…',
        onSubmit: async (values) => {
          const a = await mentoring.assign({ mentee_id: Number(values.mentee_id), playbook: values.playbook, due_on: values.due_on || undefined });
          await reload(`Assigned ${a.playbook.title} (revision ${a.revision}, ${plural(a.items.length, 'item')}) to ${personName(a.mentee)}.`);
        },
      }).el
      : h('p', { class: 'muted' }, 'Pair with a mentee first.');

    mount(view,
      pageHeader('Mentoring', 'Your mentees, their checklists, and what they did lately.'),
      status,
      h('div', { class: 'grid-2' }, card('Pair with a mentee', pairForm), card('Assign a playbook', assignForm)),
      h('h2', {}, 'Mentees'),
      board.mentees.length
        ? h('div', { class: 'mentee-grid' }, board.mentees.map(menteeCard))
        : card(null, emptyState('No mentees yet.', 'Pair with a member of your cohort to start.')),
      card('Recent activity', activityList(board.activity)));
    mount(status, message ? notice('success', message) : null);
  };
  await reload(null);
}
