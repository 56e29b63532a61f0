// /register?code=… — redeem an invite: choose a handle, a display name and a password.
import { h, mount } from '../dom.js';
import { api } from '../api.js';
import { textField, passwordField, createForm, requireFilled } from '../form.js';
import { card } from '../layout.js';

function signedInNotice(view, user, url) {
  const logout = h('button', { type: 'button', class: 'btn btn-primary' }, 'Log out and use this invite');
  logout.addEventListener('click', async () => {
    try { await api.logout(); } catch { /* already signed out */ }
    location.assign(url.pathname + url.search); // fresh start, signed out
  });
  mount(view, h('div', { class: 'auth' },
    card('You are already signed in',
      h('p', {}, `You are signed in as ${user.display_name} (@${user.handle}). An invite creates a new account.`),
      h('div', { class: 'form-actions' }, logout,
        h('a', { href: '/', class: 'btn btn-quiet' }, 'Go to your cohort')))));
}

export default function renderRegister(view, { user, url, params, navigate, refreshUser }) {
  if (user) return signedInNotice(view, user, url);
  const code = params.get('code') || '';
  const fields = {
    invite_code: textField({
      label: 'Invite code', name: 'invite_code', value: code, autocomplete: 'off',
      autocapitalize: 'none', spellcheck: 'false', required: true, class: 'input input-mono',
      hint: code ? 'Filled in from your invite link.' : 'It is in the invite link a mentor sent you.',
    }),
    handle: textField({
      label: 'Handle', name: 'handle', autocomplete: 'username', autocapitalize: 'none',
      spellcheck: 'false', required: true, maxlength: 32,
      hint: '2–32 characters: a–z, 0–9, _ . and -, starting with a letter or digit. Others see you as @handle.',
    }),
    display_name: textField({
      label: 'Display name', name: 'display_name', autocomplete: 'name', required: true, maxlength: 80,
      hint: 'How your cohort sees you, for example your full name.',
    }),
    password: passwordField({
      label: 'Password', name: 'password', autocomplete: 'new-password', required: true,
      hint: 'At least 10 characters. A long passphrase works well; common passwords are refused.',
    }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Create account',
    busyLabel: 'Creating your account…',
    async onSubmit(values) {
      requireFilled(values, {
        invite_code: 'Enter the invite code from your link.',
        handle: 'Choose a handle.',
        display_name: 'Enter a display name.',
        password: 'Choose a password.',
      });
      await api.register({
        invite_code: values.invite_code.trim(),
        handle: values.handle.trim(),
        display_name: values.display_name.trim(),
        password: values.password,
      });
      await refreshUser();
      await navigate('/', { replace: true });
    },
  });
  mount(view, h('div', { class: 'auth' },
    h('section', { class: 'card auth-card' },
      h('h1', { tabindex: '-1' }, 'Join your cohort'),
      h('p', { class: 'page-subtitle' },
        'cohorthub is where your cohort compares notes on retainers, shares playbooks and templates, and keeps each other going.'),
      form.el),
    h('p', { class: 'auth-aside' }, 'Already have an account? ', h('a', { href: '/login' }, 'Log in'))));
  (code ? fields.handle : fields.invite_code).input.focus();
}
