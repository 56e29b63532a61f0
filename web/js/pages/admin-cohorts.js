// Admin: create a cohort.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { card, notice } from '../layout.js';
import { textField, createForm, requireFilled } from '../form.js';
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
