// /admin — invites for mentors and admins; admins also create cohorts.
import { h, mount } from '../dom.js';
import { api, fetchAll } from '../api.js';
import { pageHeader, card, emptyState } from '../layout.js';
import { canInvite, isAdmin } from '../session.js';
import { inviteCreator, inviteList } from './admin-invites.js';
import { cohortCreator, memberAdder, roleChanger } from './admin-cohorts.js';

function notAllowed(view) {
  mount(view,
    pageHeader('Admin'),
    card(null, emptyState('You are not allowed to use Admin.',
      'Admin is for mentors and admins: it is where they invite people and set up cohorts. If someone should join your cohort, ask your mentor for an invite.',
      h('a', { href: '/', class: 'btn btn-primary' }, 'Back to your cohort'))));
}

export default async function renderAdmin(view, { user }) {
  if (!canInvite(user)) return notAllowed(view);
  const admin = isAdmin(user);
  let cohorts = await fetchAll((cursor) => api.cohorts(cursor));
  const invites = inviteList(() => cohorts);
  const creator = inviteCreator(user, cohorts, () => invites.reload());
  const adder = admin ? memberAdder(cohorts) : null;
  const newCohort = admin
    ? cohortCreator((cohort) => {
      cohorts = [...cohorts, cohort];
      creator.setCohorts(cohorts, cohort.id);
      adder.setCohorts(cohorts);
    })
    : null;
  mount(view,
    pageHeader('Admin', admin
      ? 'Set up cohorts and invite the people who will join them.'
      : 'Invite new members to your cohort.'),
    h('div', { class: admin ? 'grid-2' : 'grid-1' }, newCohort, creator.el),
    admin ? h('div', { class: 'grid-2' }, adder.el, roleChanger()) : null,
    invites.el,
    card('More', h('ul', { class: 'link-list' },
      h('li', {}, h('a', { href: '/admin/mail' }, 'Mail: invite by mail, the outbox')),
      admin ? h('li', {}, h('a', { href: '/admin/bridges' }, 'Bridges: mirror channels into Matrix and Slack')) : null)));
  await invites.reload();
}
