// Labelled fields and forms that show the hub's errors next to the right field.
import { h, uid } from './dom.js';
import { ApiError } from './api.js';

function fieldShell({ label, name, hint, control, after }) {
  const id = uid(name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.id = id;
  control.name = name;
  control.setAttribute('aria-describedby', hint ? `${hintId} ${errorId}` : errorId);
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const el = h('div', { class: 'field' },
    h('label', { for: id }, label),
    after ? h('div', { class: 'input-row' }, control, after) : control,
    hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null,
    error);
  return {
    el,
    input: control,
    label,
    setError(message) {
      error.textContent = message;
      error.hidden = false;
      control.setAttribute('aria-invalid', 'true');
    },
    clearError() {
      error.textContent = '';
      error.hidden = true;
      control.removeAttribute('aria-invalid');
    },
  };
}

export function textField({ label, name, type = 'text', hint, value = '', ...attrs }) {
  const control = h('input', { type, value, class: 'input', ...attrs });
  return fieldShell({ label, name, hint, control });
}

export function passwordField({ label, name, hint, ...attrs }) {
  const control = h('input', { type: 'password', class: 'input', ...attrs });
  const toggle = h('button', {
    type: 'button', class: 'btn btn-secondary input-addon', 'aria-pressed': 'false',
    'aria-label': 'Show password',
  }, 'Show');
  toggle.addEventListener('click', () => {
    const show = control.type === 'password';
    control.type = show ? 'text' : 'password';
    toggle.textContent = show ? 'Hide' : 'Show';
    toggle.setAttribute('aria-pressed', String(show));
    toggle.setAttribute('aria-label', show ? 'Hide password' : 'Show password');
  });
  return fieldShell({ label, name, hint, control, after: toggle });
}

// options: [{value, label}]
export function selectField({ label, name, hint, options, value, ...attrs }) {
  const control = h('select', { class: 'input', ...attrs },
    options.map((o) => h('option', { value: o.value }, o.label)));
  if (value !== undefined) control.value = String(value);
  return fieldShell({ label, name, hint, control });
}

// The hub's messages name fields as the API does ("annual_amount must be between 1 and
// 100000000."). People read the field's label and grouped digits instead: "Annual amount must be
// between 1 and 100,000,000."
export function inWords(message, labels = {}) {
  let text = String(message).replace(/\b[a-z]+(?:_[a-z]+)*\b/g, (word, at) => {
    const label = labels[word] || (word.includes('_') ? word.replace(/_/g, ' ') : null);
    if (!label) return word;
    return at === 0 ? label.charAt(0).toUpperCase() + label.slice(1) : label.charAt(0).toLowerCase() + label.slice(1);
  });
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return text.replace(/\b\d{5,}\b/g, (n) => Number(n).toLocaleString('en-US'));
}

export function errorMessage(err) {
  if (err instanceof ApiError) {
    if (err.code === 'rate_limited' && err.retryAfter) {
      return `${err.message} Try again in ${err.retryAfter} second${err.retryAfter === 1 ? '' : 's'}.`;
    }
    return inWords(err.message);
  }
  return 'Something went wrong in the page. Please reload and try again.';
}

// fields: {name: field}; onSubmit(values) may throw ApiError, whose `field` picks where
// the message goes. Everything else lands in the form's alert.
export function createForm({ fields, submitLabel, busyLabel = 'Working…', onSubmit, className = '', footer }) {
  const alert = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel);
  const form = h('form', { class: `form ${className}`, novalidate: true },
    alert,
    Object.values(fields).map((f) => f.el),
    h('div', { class: 'form-actions' }, submit, footer || null));

  const showAlert = (message) => {
    alert.textContent = message;
    alert.hidden = !message;
  };
  const labels = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.label]));
  const clearErrors = () => {
    showAlert('');
    Object.values(fields).forEach((f) => f.clearError());
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors();
    const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value]));
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    submit.textContent = busyLabel;
    try {
      await onSubmit(values);
    } catch (err) {
      const target = err instanceof ApiError && err.field && fields[err.field];
      if (target) {
        target.setError(inWords(err.message, labels));
        target.input.focus();
      } else {
        showAlert(err instanceof ApiError ? inWords(errorMessage(err), labels) : errorMessage(err));
        if (!(err instanceof ApiError)) console.warn(err);
      }
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
      submit.textContent = submitLabel;
    }
  });

  return { el: form, fields, showAlert, clearErrors };
}

// Throws a field error for the first empty value among `messages` ({name: message}).
export function requireFilled(values, messages) {
  for (const [name, message] of Object.entries(messages)) {
    if (!String(values[name] ?? '').trim()) {
      throw new ApiError(0, 'invalid_field', message, { field: name });
    }
  }
}
