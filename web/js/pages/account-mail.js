// The Account page's mail card: the address mail goes to and which mail to get, per kind.
import { h, mount } from '../dom.js';
import { request } from '../api.js';
import { card, notice } from '../layout.js';
import { textField, selectField, createForm } from '../form.js';
import { canInvite } from '../session.js';

const KINDS = [
  ['mentions', 'Mail me at once when someone mentions me'],
  ['review_requests', 'Mail me at once when a proposal awaits my review'],
  ['reviews', 'List the proposals awaiting my review in my digest'],
  ['renewals', 'Include my renewals due and quiet clients in my digest (only I see them)'],
  ['mentees', 'Send me a weekly summary of my mentees (mentors)'],
];

function checkbox(name, label, checked) {
  const input = h('input', { type: 'checkbox', name, id: `mail-${name}` });
  input.checked = !!checked;
  const el = h('div', { class: 'field field-check' }, input, h('label', { for: `mail-${name}` }, label));
  return { el, input, setError() {}, clearError() {} };
}

export async function mailCard(user) {
  const prefs = await request('GET', '/api/me/mail');
  if (!prefs.enabled) {
    return card('Mail', h('p', { class: 'card-text', 'data-mail': 'off' },
      'Mail is off on this hub: it sends no invitations, digests or reminders. An admin can turn it on in the hub’s configuration.'));
  }
  const status = h('div', { 'aria-live': 'polite' });
  const fields = {
    address: textField({ label: 'Email address', name: 'address', type: 'email', value: prefs.address, maxlength: 254,
      autocomplete: 'email', hint: 'Leave it empty to get no mail at all.' }),
    digest: selectField({ label: 'Digest', name: 'digest', value: prefs.digest, options: [
      { value: 'daily', label: 'Daily' }, { value: 'weekly', label: 'Weekly (Mondays)' }, { value: 'off', label: 'Off' }] }),
  };
  const boxes = Object.fromEntries(KINDS.map(([name, label]) => [name, checkbox(name, label, prefs[name])]));
  const form = createForm({
    fields: { ...fields, ...boxes },
    submitLabel: 'Save mail settings',
    busyLabel: 'Saving…',
    async onSubmit(values) {
      const body = { address: values.address.trim(), digest: values.digest };
      for (const [name] of KINDS) body[name] = boxes[name].input.checked;
      await request('PUT', '/api/me/mail', body);
      mount(status, notice('success', 'Mail settings saved.'));
    },
  });
  return card('Mail', h('p', { class: 'card-text' },
    'Every message has a one-click unsubscribe link that turns off only that kind of mail.'), form.el, status,
    canInvite(user) ? h('p', { class: 'card-text' }, h('a', { href: '/admin/mail' }, 'Mail an invite, and see the outbox')) : null);
}
