// /login — handle and password; on success go to ?next= or the cohort home.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { safeNext } from '../router.js';
import { textField, passwordField, createForm, requireFilled } from '../form.js';

export default function renderLogin(view, { params, navigate, refreshUser }) {
  const fields = {
    handle: textField({
      label: 'Handle', name: 'handle', autocomplete: 'username', autocapitalize: 'none',
      spellcheck: 'false', required: true,
    }),
    password: passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password', required: true }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Log in',
    busyLabel: 'Logging in…',
    async onSubmit(values) {
      requireFilled(values, { handle: 'Enter your handle.', password: 'Enter your password.' });
      await api.login(values.handle.trim(), values.password);
      await refreshUser();
      await navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  mount(view, h('div', { class: 'auth' },
    h('section', { class: 'card auth-card' },
      h('h1', { tabindex: '-1' }, 'Log in'),
      h('p', { class: 'page-subtitle' }, 'Welcome back to your cohort.'),
      form.el),
    h('p', { class: 'auth-aside' },
      'New here? cohorthub is invite-only. Ask a mentor in your cohort for an invite link.')));
  fields.handle.input.focus();
}
