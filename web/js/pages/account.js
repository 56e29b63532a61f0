// /account — who you are, and your API tokens (create, shown once; list; revoke).
import { h, mount } from '../dom.js';
import { api, newestLoad } from '../api.js';
import { pageHeader, card, emptyState, notice, badge } from '../layout.js';
import { textField, createForm, requireFilled, errorMessage } from '../form.js';
import { copyField } from '../copy.js';
import { dataTable } from '../table.js';
import { formatTime } from '../format.js';
import { mailCard } from './account-mail.js';

function revokeButton(token, onRevoked, status) {
  const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `Revoke ${token.name}` }, 'Revoke');
  let armed = null;
  button.addEventListener('click', async () => {
    if (!armed) {
      // Ask once more instead of a blocking confirm() dialog.
      button.textContent = 'Confirm revoke';
      button.classList.add('btn-danger');
      armed = setTimeout(() => {
        armed = null;
        button.textContent = 'Revoke';
        button.classList.remove('btn-danger');
      }, 5000);
      return;
    }
    clearTimeout(armed);
    button.disabled = true;
    try {
      await api.revokeToken(token.id);
      onRevoked();
      mount(status, notice('success', `Revoked ${token.name}. Anything still using it will be refused.`));
    } catch (err) {
      button.disabled = false;
      mount(status, notice('error', errorMessage(err)));
    }
  });
  return button;
}

function tokenList(status) {
  const body = h('div', {});
  const begin = newestLoad();
  async function reload() {
    const newest = begin();
    const { items } = await api.tokens();
    if (!newest()) return;
    if (!items.length) {
      mount(body, emptyState('No tokens yet.', 'Create one when a script or tool needs to act as you.'));
      return;
    }
    const columns = [
      { label: 'Name', cell: (t) => h('span', { class: 'strong' }, t.name) },
      { label: 'Created', cell: (t) => formatTime(t.created_at) },
      { label: 'Last used', cell: (t) => (t.last_used_at === null ? 'Never' : formatTime(t.last_used_at)) },
      { label: 'Actions', className: 'cell-actions', cell: (t) => revokeButton(t, () => reload(), status) },
    ];
    mount(body, dataTable({ caption: 'API tokens', columns, rows: items, rowKey: (t) => t.id }).el);
  }
  return { el: body, reload };
}

export default async function renderAccount(view, { user }) {
  const status = h('div', { 'aria-live': 'polite' });
  const created = h('div', { 'aria-live': 'polite' });
  const list = tokenList(status);
  const fields = {
    name: textField({
      label: 'Token name', name: 'name', required: true, maxlength: 80, autocomplete: 'off',
      hint: 'Say where it will be used, for example “laptop CLI” or “release bot”.',
    }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Create token',
    busyLabel: 'Creating…',
    async onSubmit(values) {
      requireFilled(values, { name: 'Give the token a name.' });
      const token = await api.createToken(values.name.trim());
      fields.name.input.value = '';
      mount(status);
      mount(created, h('div', { class: 'callout' },
        h('p', { class: 'callout-title' }, 'Copy your new token now. It will not be shown again.'),
        copyField({ label: `Token “${token.name}”`, value: token.token, name: 'api-token' })));
      await list.reload();
    },
  });
  mount(view,
    pageHeader('Account'),
    card('Profile',
      h('dl', { class: 'profile' },
        h('div', {}, h('dt', {}, 'Display name'), h('dd', {}, user.display_name)),
        h('div', {}, h('dt', {}, 'Handle'), h('dd', {}, `@${user.handle}`)),
        h('div', {}, h('dt', {}, 'Role'), h('dd', {}, badge(user.role))))),
    card('API tokens',
      h('p', { class: 'card-text' },
        'Tokens let scripts and tools use the cohorthub API as you. Send one in an ',
        h('code', {}, 'Authorization: Bearer …'), ' header. Revoke any token you no longer use.'),
      form.el, created, status, list.el),
    await mailCard(user));
  await list.reload();
}
