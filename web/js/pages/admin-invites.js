// Admin: create an invite (the code and register link are shown once) and list invites.
import { h, mount } from '../dom.js';
import { api, request, newestLoad } from '../api.js';
import { card, badge, emptyState, notice, confirmButton } from '../layout.js';
import { textField, selectField, createForm, errorMessage } from '../form.js';
import { copyField } from '../copy.js';
import { dataTable, loadMoreButton } from '../table.js';
import { formatTime } from '../format.js';
import { isAdmin } from '../session.js';

const ROLE_LABELS = { member: 'Member', mentor: 'Mentor', admin: 'Admin' };

export function inviteStatus(invite, now = Date.now()) {
  if (['pending', 'used', 'expired', 'revoked'].includes(invite.status)) return invite.status;
  if (invite.used_at) return 'used';
  if (invite.expires_at && Date.parse(invite.expires_at) <= now) return 'expired';
  return 'pending';
}

function cohortOptions(cohorts, user) {
  const options = cohorts.map((c) => ({ value: c.id, label: c.name }));
  return isAdmin(user) ? [...options, { value: '', label: 'No cohort' }] : options;
}

// Returns {el, setCohorts(cohorts, selectedId)} so the cohort form can add to the select.
export function inviteCreator(user, cohorts, onCreated) {
  const admin = isAdmin(user);
  const result = h('div', { class: 'invite-result', 'aria-live': 'polite' });
  const fields = {
    role: selectField({
      label: 'Role', name: 'role', value: 'member',
      options: (admin ? ['member', 'mentor', 'admin'] : ['member']).map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      hint: admin ? 'Mentors can invite members; admins can do everything.' : 'Mentors can invite members.',
    }),
    cohort_id: selectField({ label: 'Cohort', name: 'cohort_id', options: cohortOptions(cohorts, user) }),
    expires_in_days: textField({
      label: 'Expires after (days)', name: 'expires_in_days', type: 'number', value: '14',
      min: 1, max: 90, step: 1, inputmode: 'numeric', required: true, hint: 'Between 1 and 90 days.',
    }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Create invite',
    busyLabel: 'Creating…',
    async onSubmit(values) {
      const days = Number(values.expires_in_days);
      if (!Number.isInteger(days) || days < 1 || days > 90) {
        fields.expires_in_days.setError('Choose a whole number of days from 1 to 90.');
        fields.expires_in_days.input.focus();
        return;
      }
      const body = { role: values.role, expires_in_days: days };
      if (values.cohort_id) body.cohort_id = Number(values.cohort_id);
      const invite = await api.createInvite(body);
      const cohortName = fields.cohort_id.input.selectedOptions[0]?.textContent;
      showResult(invite, values.cohort_id ? cohortName : null);
      onCreated(invite);
    },
  });

  function showResult(invite, cohortName) {
    const link = `${location.origin}/register?code=${encodeURIComponent(invite.code)}`;
    const role = ROLE_LABELS[invite.role] || invite.role;
    mount(result, h('div', { class: 'callout' },
      h('p', { class: 'callout-title' }, 'Invite created. Send the link now: the code is shown only once.'),
      h('p', { class: 'callout-text' },
        `Whoever opens it can join${cohortName ? ` ${cohortName}` : ''} as ${role.toLowerCase() === 'admin' ? 'an' : 'a'} ${role.toLowerCase()} until ${formatTime(invite.expires_at)}, once.`),
      copyField({ label: 'Register link', value: link, name: 'register-link' }),
      copyField({ label: 'Invite code', value: invite.code, name: 'invite-code' })));
  }

  function setCohorts(list, selectedId) {
    const select = fields.cohort_id.input;
    const keep = selectedId ?? select.value;
    select.replaceChildren(...cohortOptions(list, user).map((o) => h('option', { value: o.value }, o.label)));
    select.value = String(keep);
  }

  return { el: card('Invite someone', form.el, result), setCohorts };
}

// Withdraw asks once more inline, as Revoke and Restore do; the code stops working at once.
function withdrawButton(invite, cohortName, onDone, status) {
  const what = `the ${ROLE_LABELS[invite.role]?.toLowerCase() || invite.role} invite${invite.cohort_id ? ` to ${cohortName(invite.cohort_id)}` : ''}`;
  return confirmButton('Withdraw', 'Confirm withdraw', what, async () => {
    try {
      await request('DELETE', `/api/invites/${encodeURIComponent(invite.id)}`);
      mount(status, notice('success', `Withdrew ${what}. Its link no longer works.`));
      await onDone();
    } catch (err) {
      mount(status, notice('error', errorMessage(err)));
    }
  });
}

function inviteRow(cohortName, onWithdrawn, status) {
  return [
    { label: 'Role', cell: (i) => ROLE_LABELS[i.role] || i.role },
    { label: 'Cohort', cell: (i) => (i.cohort_id ? cohortName(i.cohort_id) : '—') },
    { label: 'Created', cell: (i) => formatTime(i.created_at) },
    { label: 'Expires', cell: (i) => formatTime(i.expires_at) },
    {
      label: 'Status',
      cell: (i) => {
        const status = inviteStatus(i);
        return status === 'used' ? h('span', {}, badge('used'), ` ${formatTime(i.used_at)}`) : badge(status);
      },
    },
    {
      label: 'Actions',
      cell: (i) => (inviteStatus(i) === 'pending' ? withdrawButton(i, cohortName, onWithdrawn, status) : ''),
    },
  ];
}

// Returns {el, reload()}.
export function inviteList(getCohorts) {
  const body = h('div', {});
  const status = h('div', {});
  const cohortName = (id) => getCohorts().find((c) => String(c.id) === String(id))?.name || `Cohort ${id}`;
  const begin = newestLoad();
  async function reload() {
    const newest = begin();
    const first = await api.invites();
    if (!newest()) return;
    if (!first.items.length) {
      mount(body, emptyState('No invites yet.', 'Invites you create appear here with their status.'));
      return;
    }
    const table = dataTable({
      caption: 'Invites', columns: inviteRow(cohortName, reload, status), rows: first.items, rowKey: (i) => i.id,
    });
    let cursor = first.next_cursor;
    const more = loadMoreButton('Load more invites', async () => {
      const page = await api.invites(cursor);
      table.addRows(page.items);
      cursor = page.next_cursor;
      return !!cursor;
    });
    more.hidden = !cursor;
    mount(body, table.el, more);
  }
  return { el: card('Invites', status, body), reload };
}
