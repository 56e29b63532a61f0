// Admin: create a cohort, and add people who already have an account to one.
import { h, mount } from '../dom.js';
import { api, request } from '../api.js';
import { card, notice } from '../layout.js';
import { textField, selectField, createForm, requireFilled } from '../form.js';
import { today, formatDay } from '../format.js';

export function cohortCreator(onCreated) {
  const status = h('div', { 'aria-live': 'polite' });
  const fields = {
    name: textField({
      label: 'Name', name: 'name', required: true, maxlength: 120, autocomplete: 'off',
      hint: 'For example “Spring 2025 — Go and Rust maintainers”.',
    }),
    starts_on: textField({ label: 'Start date', name: 'starts_on', type: 'date', value: today(), required: true }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Create cohort',
    busyLabel: 'Creating…',
    async onSubmit(values) {
      requireFilled(values, { name: 'Give the cohort a name.', starts_on: 'Choose a start date.' });
      const { cohort } = await api.createCohort({ name: values.name.trim(), starts_on: values.starts_on });
      mount(status, notice('success', `Created ${cohort.name}, starting ${formatDay(cohort.starts_on)}. You can invite people to it now.`));
      fields.name.input.value = '';
      onCreated(cohort);
    },
  });
  return card('New cohort', form.el, status);
}

// Adds someone who already has an account (by handle) to a cohort. Returns {el, setCohorts}.
export function memberAdder(cohorts) {
  const status = h('div', { 'aria-live': 'polite' });
  const options = (list) => list.map((c) => ({ value: c.id, label: c.name }));
  const fields = {
    handle: textField({ label: 'Their handle', name: 'handle', required: true, autocomplete: 'off', autocapitalize: 'none',
      hint: 'Someone who already has an account, such as a member moving to a new cohort.' }),
    cohort: selectField({ label: 'Add to cohort', name: 'cohort', options: options(cohorts) }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Add to cohort',
    busyLabel: 'Adding…',
    async onSubmit(values) {
      requireFilled(values, { handle: 'Type the handle of the person to add.' });
      const handle = values.handle.trim().replace(/^@/, '');
      const { cohort } = await request('POST', `/api/cohorts/${encodeURIComponent(values.cohort)}/members`, { handle });
      mount(status, notice('success', `Added @${handle} to ${cohort.name}.`));
      fields.handle.input.value = '';
    },
  });
  function setCohorts(list) {
    fields.cohort.input.replaceChildren(...options(list).map((o) => h('option', { value: o.value }, o.label)));
  }
  return { el: card('Add someone to a cohort', form.el, status), setCohorts };
}

// Changes the role of someone who has an account (admins; never their own).
export function roleChanger() {
  const status = h('div', { 'aria-live': 'polite' });
  const fields = {
    handle: textField({ label: 'Handle of the person', name: 'handle', required: true, autocomplete: 'off', autocapitalize: 'none' }),
    role: selectField({
      label: 'Change to', name: 'role', value: 'mentor',
      options: [{ value: 'member', label: 'Member' }, { value: 'mentor', label: 'Mentor' }, { value: 'admin', label: 'Admin' }],
      hint: 'Takes effect on their next click.',
    }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Change role',
    busyLabel: 'Changing…',
    async onSubmit(values) {
      requireFilled(values, { handle: 'Type the handle of the person whose role changes.' });
      const handle = values.handle.trim().replace(/^@/, '');
      const { user } = await request('PATCH', `/api/users/${encodeURIComponent(handle)}`, { role: values.role });
      mount(status, notice('success', `${user.display_name} (@${user.handle}) is now ${user.role === 'admin' ? 'an' : 'a'} ${user.role}.`));
      fields.handle.input.value = '';
    },
  });
  return card('Change someone’s role', form.el, status);
}
