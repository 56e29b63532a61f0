// / — the cohort home: the selected cohort, the viewer's next steps, what changed since their
// last visit, and the members.
import { h, mount } from '../dom.js';
import { api, fetchAll, request, newestLoad } from '../api.js';
import { pageHeader, card, emptyState, badge } from '../layout.js';
import { selectField } from '../form.js';
import { formatDay, formatTime, plural } from '../format.js';
import { loadMoreButton } from '../table.js';
import { canInvite, isAdmin } from '../session.js';

const STORAGE_KEY = 'cohorthub.cohort';

function rememberedCohort(cohorts) {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage blocked */ }
  return cohorts.find((c) => String(c.id) === saved) || cohorts[0];
}

function remember(id) {
  try { localStorage.setItem(STORAGE_KEY, String(id)); } catch { /* storage blocked */ }
}

// The viewer's previous visit to this page (kept in this browser only), and now noted as the latest.
function lastVisit(user) {
  const key = `cohorthub.visit.${user.id}`;
  let previous = null;
  try {
    previous = localStorage.getItem(key);
    localStorage.setItem(key, new Date().toISOString());
  } catch { /* storage blocked: every visit is a first one */ }
  return previous;
}

// Things worth doing next, for the person looking: each links to where it is done.
async function nextSteps(cohort, user) {
  const [pipeline, channels, assignments] = await Promise.all([
    request('GET', '/api/engagements?limit=1'),
    fetchAll((cursor) => request('GET', `/api/channels${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`)),
    user.role === 'member' ? request('GET', '/api/assignments') : { items: [] },
  ]);
  const steps = [];
  if (!pipeline.items.length) {
    steps.push(['/pipeline', 'Fill your pipeline', 'Add the companies you are talking to. Only you see them.']);
  }
  steps.push(['/playbooks?tag=starter', 'Read a starter playbook', 'Start with “Pitching a retainer” or “Finding a champion”.']);
  const own = channels.find((c) => c.cohort_id === cohort.id && !c.archived);  // an archived one takes no hello
  if (own) steps.push([`/channels/${own.id}`, `Say hello in # ${own.name}`, 'Your cohort reads it; a line about your project is enough.']);
  for (const a of assignments.items) {
    const open = a.progress.total - a.progress.done;
    if (!open) continue;
    steps.push([`/assignments/${a.id}`, `${plural(open, 'open item')} in “${a.playbook.title}”`,
      a.progress.overdue ? `Overdue since ${formatDay(a.due_on)}.` : (a.due_on ? `Due ${formatDay(a.due_on)}.` : 'No due date.')]);
  }
  return card('Your next steps', h('ul', { class: 'next-steps' }, steps.map(([href, title, text]) => h('li', {},
    h('a', { href }, title), h('span', { class: 'next-step-text' }, ` ${text}`)))));
}

// What changed since `since` (an ISO time), from what the viewer may see anyway.
async function changes(cohort, since) {
  if (!since) return null;
  const [members, channels, playbooks, rates] = await Promise.all([
    api.members(cohort.id),
    fetchAll((cursor) => request('GET', `/api/channels${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`)),
    request('GET', '/api/playbooks?limit=200'),
    request('GET', '/api/rates'),
  ]);
  const items = [];
  const joined = members.items.filter((m) => m.joined_at > since);
  if (joined.length) items.push(`${plural(joined.length, 'person', 'people')} joined: ${joined.map((m) => m.display_name).join(', ')}.`);
  for (const c of channels) if (c.unread) items.push(h('a', { href: `/channels/${c.id}` }, `${plural(c.unread, 'new message')} in # ${c.name}`));
  for (const p of playbooks.items) {
    if (p.updated_at > since) items.push(h('a', { href: `/playbooks/${encodeURIComponent(p.slug)}` }, `“${p.title}” changed (revision ${p.revision})`));
  }
  if (rates.wave && rates.wave.closed_at > since) items.push(h('a', { href: '/rates' }, `Wave ${rates.wave.id} of rates was published`));
  return card(`Since your last visit (${formatTime(since)})`, items.length
    ? h('ul', { class: 'changes' }, items.map((i) => h('li', {}, i)))
    : h('p', { class: 'card-text' }, 'Nothing new since then.'));
}

function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => [...p][0]).join('').toUpperCase() || '?';
}

function memberItem(m) {
  return h('li', { class: 'member' },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(m.display_name)),
    h('div', { class: 'member-main' },
      h('p', { class: 'member-name' }, m.display_name),
      h('p', { class: 'member-handle' }, `@${m.handle}`)),
    h('div', { class: 'member-meta' },
      badge(m.role),
      h('span', { class: 'member-joined' }, `Joined ${formatTime(m.joined_at)}`)));
}

function hasStarted(startsOn) {
  return !!startsOn && startsOn <= new Date().toISOString().slice(0, 10);
}

async function membersCard(cohort, user) {
  const first = await api.members(cohort.id);
  if (!first.items.length) {
    return card('Members', emptyState('No one has joined yet.',
      canInvite(user)
        ? 'Create an invite and send the link to the first member.'
        : 'Members appear here as they accept their invites.',
      canInvite(user) ? h('a', { href: '/admin', class: 'btn btn-primary' }, 'Invite people') : null));
  }
  const list = h('ul', { class: 'member-list', 'aria-label': `Members of ${cohort.name}` }, first.items.map(memberItem));
  let cursor = first.next_cursor;
  const more = loadMoreButton('Load more members', async () => {
    const page = await api.members(cohort.id, cursor);
    list.append(...page.items.map(memberItem));
    cursor = page.next_cursor;
    return !!cursor;
  });
  more.hidden = !cursor;
  return card('Members', list, more);
}

// `newest()` is false once another cohort was chosen meanwhile: that one is drawn instead.
async function renderCohort(slot, id, user, since, newest) {
  const { cohort } = await api.cohort(id);
  const [members, steps, changed] = await Promise.all([membersCard(cohort, user), nextSteps(cohort, user), changes(cohort, since)]);
  if (!newest()) return;
  mount(slot,
    h('div', { class: 'cohort-summary' },
      h('h2', { class: 'cohort-name' }, cohort.name),
      h('dl', { class: 'stats' },
        h('div', { class: 'stat' }, h('dt', {}, hasStarted(cohort.starts_on) ? 'Started' : 'Starts'), h('dd', {}, formatDay(cohort.starts_on))),
        h('div', { class: 'stat' }, h('dt', {}, 'Members'), h('dd', {}, plural(cohort.member_count, 'member'))))),
    h('div', { class: 'grid-2' }, steps, changed),
    members);
}

function noCohort(view, user) {
  const admin = isAdmin(user);
  mount(view,
    pageHeader('Your cohort'),
    card(null, emptyState(
      admin ? 'There are no cohorts yet.' : 'You are not in a cohort yet — ask a mentor for an invite.',
      admin
        ? 'Create the first cohort in Admin, then invite its members and mentors.'
        : 'A cohort is a small group of maintainers building retainer practices together. Once a mentor invites you, your cohort and its members show up here.',
      admin ? h('a', { href: '/admin', class: 'btn btn-primary' }, 'Go to Admin') : null)));
}

export default async function renderHome(view, { user }) {
  const cohorts = await fetchAll((cursor) => api.cohorts(cursor));
  if (!cohorts.length) return noCohort(view, user);

  const selected = rememberedCohort(cohorts);
  const since = lastVisit(user);
  const slot = h('div', { class: 'cohort', 'aria-live': 'polite' });
  let switcher = null;
  const begin = newestLoad();
  if (cohorts.length > 1) {
    const field = selectField({
      label: 'Cohort', name: 'cohort', value: selected.id,
      options: cohorts.map((c) => ({ value: c.id, label: c.name })),
    });
    field.input.addEventListener('change', async () => {
      remember(field.input.value);
      slot.setAttribute('aria-busy', 'true');
      const newest = begin();
      try {
        await renderCohort(slot, field.input.value, user, since, newest);
      } finally {
        if (newest()) slot.removeAttribute('aria-busy');  // not while a later choice still loads
      }
    });
    switcher = h('div', { class: 'switcher' }, field.el);
  }
  const invite = canInvite(user) ? h('a', { href: '/admin', class: 'btn btn-secondary' }, 'Invite people') : null;
  mount(view,
    pageHeader('Your cohort', cohorts.length > 1 ? `You can see ${plural(cohorts.length, 'cohort')}.` : null, switcher, invite),
    slot);
  await renderCohort(slot, selected.id, user, since, begin());
}
