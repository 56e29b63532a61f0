// A read-only value with a Copy button (invite codes, register links, API tokens).
import { h, uid } from './dom.js';

async function writeClipboard(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (permissions, older browser): copy from the selected input.
    fallbackInput.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

export function copyField({ label, value, hint, name }) {
  const id = uid('copy');
  const input = h('input', {
    id, class: 'input input-mono', type: 'text', readonly: true, value, spellcheck: 'false',
    'data-copy': name || false,
  });
  input.addEventListener('focus', () => input.select());
  const status = h('span', { class: 'copy-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'btn btn-secondary input-addon' }, 'Copy');
  let timer;
  button.addEventListener('click', async () => {
    const ok = await writeClipboard(value, input);
    button.textContent = ok ? 'Copied' : 'Copy';
    status.textContent = ok ? `${label} copied to the clipboard.` : 'Press Ctrl+C (or ⌘C) to copy.';
    if (!ok) input.select();
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = 'Copy';
      status.textContent = '';
    }, 2500);
  });
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('div', { class: 'input-row' }, input, button),
    hint ? h('p', { class: 'field-hint' }, hint) : null,
    status);
}
