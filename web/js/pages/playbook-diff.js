// /playbooks/:slug/diff?from=&to= — any two revisions side by side or inline, with the changed
// words highlighted.
import { h, mount } from '../dom.js';
import { pageHeader, card } from '../layout.js';
import { selectField } from '../form.js';
import { playbooks, playbookTabs } from './playbook-api.js';
import { diffTable, diffSummary } from './playbook-diff-view.js';

const enc = encodeURIComponent;
const MODE_KEY = 'cohorthub.diffMode';

function savedMode() {
  try { return localStorage.getItem(MODE_KEY) || 'split'; } catch { return 'split'; }
}

export default async function renderDiff(view, { routeParams, params, navigate }) {
  const slug = routeParams.slug;
  const playbook = await playbooks.get(slug);
  const head = playbook.revision;
  const clamp = (v, fallback) => Math.min(head, Math.max(1, Number.parseInt(v, 10) || fallback));
  const from = clamp(params.get('from'), Math.max(1, head - 1));
  const to = clamp(params.get('to'), head);
  let mode = params.get('mode') || savedMode();

  const numbers = Array.from({ length: head }, (_, k) => head - k);
  const options = numbers.map((n) => ({ value: n, label: n === head ? `Revision ${n} (current)` : `Revision ${n}` }));
  const fromField = selectField({ label: 'From', name: 'from', options, value: from });
  const toField = selectField({ label: 'To', name: 'to', options, value: to });
  const go = () => navigate(`/playbooks/${enc(slug)}/diff?from=${fromField.input.value}&to=${toField.input.value}`);
  fromField.input.addEventListener('change', go);
  toField.input.addEventListener('change', go);

  const diff = await playbooks.diff(slug, from, to);
  const slot = h('div', { class: 'diff-slot' });
  const toggle = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Layout' });
  const draw = () => {
    mount(slot, diffTable(diff, mode));
    mount(toggle, [['split', 'Side by side'], ['inline', 'Inline']].map(([m, label]) => {
      const b = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-pressed': String(mode === m) }, label);
      b.addEventListener('click', () => {
        mode = m;
        try { localStorage.setItem(MODE_KEY, m); } catch { /* storage blocked */ }
        draw();
      });
      return b;
    }));
  };
  draw();
  mount(view,
    pageHeader(`Compare revisions of ${playbook.title}`, `Revision ${from} → revision ${to}`),
    playbookTabs(slug, 'history'),
    card(null, h('div', { class: 'diff-controls' }, fromField.el, toField.el, toggle), diffSummary(diff), slot));
}
