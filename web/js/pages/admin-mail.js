// /admin/mail — mail an invite (admins and mentors); the outbox and its parked messages (admins).
import { h, mount } from '../dom.js';
import { request, newestLoad } from '../api.js';
import { pageHeader, card, notice, emptyState } from '../layout.js';
import { textField, selectField, createForm, requireFilled, errorMessage } from '../form.js';
import { canInvite, isAdmin } from '../session.js';
import { dataTable } from '../table.js';
import { formatTime } from '../format.js';

function inviteByMail(user, status) {
  const roles = isAdmin(user)
    ? [{ value: 'member', label: 'Member' }, { value: 'mentor', label: 'Mentor' }, { value: 'admin', label: 'Admin' }]
    : [{ value: 'member', label: 'Member' }];
  const fields = {
    email: textField({ label: 'Email address', name: 'email', type: 'email', required: true, maxlength: 254 }),
    name: textField({ label: 'Name (optional)', name: 'name', maxlength: 100 }),
    role: selectField({ label: 'Role', name: 'role', options: roles, value: 'member' }),
    cohort_id: textField({ label: 'Cohort id', name: 'cohort_id', inputmode: 'numeric',
      hint: isAdmin(user) ? 'Optional for admins.' : 'One of your cohorts.' }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Mail the invite',
    busyLabel: 'Sending…',
    async onSubmit(values) {
      requireFilled(values, { email: 'Give the address to send the invite to.' });
      const body = { email: values.email.trim(), role: values.role };
      if (values.name.trim()) body.name = values.name.trim();
      if (values.cohort_id.trim()) body.cohort_id = Number(values.cohort_id);
      const invite = await request('POST', '/api/invites', body);
      fields.email.input.value = '';
      fields.name.input.value = '';
      mount(status, notice('success', `Invite queued for ${invite.email}; it expires ${formatTime(invite.expires_at)}.`));
    },
  });
  return form.el;
}

function outboxPanel() {
  const body = h('div', {});
  const status = h('div', { 'aria-live': 'polite' });
  const begin = newestLoad();
  async function reload() {
    const newest = begin();
    const box = await request('GET', '/api/admin/mail/outbox');
    if (!newest()) return;
    const counts = h('p', { class: 'card-text', 'data-outbox': 'counts' },
      `${box.queued} queued, ${box.sending} sending, ${box.sent} sent, ${box.parked.length} parked.`);
    if (!box.parked.length) {
      mount(body, counts, emptyState('No parked mail.', 'Messages that keep failing are parked here for you to retry.'));
      return;
    }
    const retry = (m) => {
      const b = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-label': `Retry mail to ${m.recipient}` }, 'Retry');
      b.addEventListener('click', async () => {
        b.disabled = true;
        try {
          await request('POST', `/api/admin/mail/outbox/${encodeURIComponent(m.id)}/retry`);
          mount(status, notice('success', `Queued the mail to ${m.recipient} again.`));
          await reload();
        } catch (err) {
          b.disabled = false;
          mount(status, notice('error', errorMessage(err)));
        }
      });
      return b;
    };
    const columns = [
      { label: 'To', cell: (m) => m.recipient },
      { label: 'Kind', cell: (m) => m.kind },
      { label: 'Attempts', cell: (m) => String(m.attempts) },
      { label: 'Last error', cell: (m) => m.last_error },
      { label: 'Queued', cell: (m) => formatTime(m.created_at) },
      { label: 'Actions', className: 'cell-actions', cell: retry },
    ];
    mount(body, counts, dataTable({ caption: 'Parked mail', columns, rows: box.parked, rowKey: (m) => m.id }).el);
  }
  return { el: h('div', {}, status, body), reload };
}

export default async function renderAdminMail(view, { user }) {
  if (!canInvite(user)) {
    mount(view, pageHeader('Mail'), card(null, emptyState('Mail settings are for mentors and admins.')));
    return;
  }
  const prefs = await request('GET', '/api/me/mail');
  if (!prefs.enabled) {
    mount(view, pageHeader('Mail'), card(null, h('p', { class: 'card-text', 'data-mail': 'off' },
      'Mail is off on this hub. Set [mail] smtp_url and from in the configuration to send invitations, digests and reminders.')));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const outbox = isAdmin(user) ? outboxPanel() : null;
  mount(view, pageHeader('Mail', 'Invite people by mail, and see what the hub could not deliver.'),
    card('Mail an invite', inviteByMail(user, status), status),
    outbox ? card('Outbox', outbox.el) : null);
  if (outbox) await outbox.reload();
}
