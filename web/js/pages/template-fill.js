// /templates/:slug/fill — the form generated from the field schema, optionally started from one of
// my pipeline engagements, with a live preview, "Download PDF", and saving the document.
// ?document=ID reopens a saved document (and can re-render it against the newest release).
import { h, mount } from '../dom.js';
import { pageHeader, card, notice } from '../layout.js';
import { errorMessage } from '../form.js';
import { appendSafeHtml } from '../safe-html.js';
import { newestLoad } from '../api.js';
import { templates, renderPdf } from './template-api.js';

const enc = encodeURIComponent;

// One input for a scalar field; `get()` reads its value in the type the server expects.
function scalarInput(f, id, value) {
  let control;
  if (f.type === 'multiline') control = h('textarea', { class: 'input', id, rows: 4 }, value ?? '');
  else if (f.type === 'choice') {
    control = h('select', { class: 'input', id }, f.required ? null : h('option', { value: '' }, '—'), f.options.map((o) => h('option', { value: o }, o)));
    control.value = value ?? f.default ?? (f.required ? f.options[0] : '');
  } else if (f.type === 'boolean') control = h('input', { type: 'checkbox', id, checked: value ?? f.default ?? false });
  else {
    const type = f.type === 'date' ? 'date' : (f.type === 'money' || f.type === 'number') ? 'number' : 'text';
    control = h('input', { class: 'input', id, type, step: type === 'number' ? 1 : undefined, value: value ?? f.default ?? '' });
  }
  const get = () => {
    if (f.type === 'boolean') return control.checked;
    const v = control.value;
    if (v === '') return undefined;
    return (f.type === 'money' || f.type === 'number') ? Number(v) : v;
  };
  const set = (v) => { if (f.type === 'boolean') control.checked = !!v; else control.value = v ?? ''; };
  return { control, get, set };
}

function listInput(f, id, rows, onChange) {
  const body = h('tbody');
  const entries = [];
  const addRow = (values = {}) => {
    const cells = f.fields.map((r, j) => ({ field: r, ...scalarInput(r, `${id}-${entries.length}-${j}`, values[r.name]) }));
    const entry = { cells };
    const remove = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-label': `Remove line ${entries.length + 1}`,
      onclick: () => { entries.splice(entries.indexOf(entry), 1); tr.remove(); onChange(); } }, '×');
    const tr = h('tr', {}, cells.map((c) => h('td', {}, h('label', { class: 'visually-hidden', for: c.control.id }, c.field.label), c.control)), h('td', {}, remove));
    entries.push(entry);
    body.append(tr);
  };
  (rows && rows.length ? rows : [{}]).forEach(addRow);
  const table = h('table', { class: 'table', 'aria-label': f.label },
    h('thead', {}, h('tr', {}, f.fields.map((r) => h('th', {}, r.label)), h('th', {}, ''))), body);
  const add = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { addRow(); onChange(); } }, `Add ${f.label.toLowerCase()} line`);
  const get = () => entries.map((e) => Object.fromEntries(e.cells.map((c) => [c.field.name, c.get()]).filter(([, v]) => v !== undefined)));
  const set = (v) => { entries.splice(0); body.replaceChildren(); (v && v.length ? v : [{}]).forEach(addRow); };
  return { control: h('div', {}, table, add), get, set };
}

export default async function renderTemplateFill(view, { routeParams, params }) {
  const slug = routeParams.slug;
  const t = await templates.get(slug);
  const docId = params.get('document');
  const doc = docId ? await templates.document(docId) : null;
  const values = doc ? doc.fields : {};
  const inputs = {};
  const errors = h('div', { 'aria-live': 'polite' });
  const preview = h('div', { class: 'markdown document-preview', 'aria-label': 'Preview', 'aria-live': 'polite' });
  let timer;
  const collect = () => Object.fromEntries(Object.entries(inputs).map(([n, i]) => [n, i.get()]).filter(([, v]) => v !== undefined));
  const version = doc ? doc.version : undefined;
  const begin = newestLoad();
  const refresh = async () => {
    const newest = begin();
    try {
      const out = await templates.render(slug, { fields: collect(), version });
      if (!newest()) return;
      mount(preview);
      appendSafeHtml(preview, out.html);
      mount(errors);
    } catch (err) {
      if (!newest()) return;
      const listed = err.body && err.body.error && err.body.error.fields;
      mount(errors, notice('error', err.message),
        listed ? h('ul', { 'aria-label': 'Fields to fix' }, listed.map((f) => h('li', {}, `${f.name}: ${f.message}`))) : null);
    }
  };
  const changed = () => { clearTimeout(timer); timer = setTimeout(refresh, 300); };

  const form = h('form', { class: 'fill-form', oninput: changed, onchange: changed, onsubmit: (e) => e.preventDefault() });
  for (const f of t.fields) {
    if (f.sum) continue;
    const id = `field-${f.name}`;
    const input = f.type === 'list' ? listInput(f, id, values[f.name], changed) : scalarInput(f, id, values[f.name]);
    inputs[f.name] = input;
    form.append(h('div', { class: 'field' },
      f.type === 'list' ? h('h3', {}, f.label) : h('label', { for: id }, f.label, f.required ? ' *' : ''),
      input.control, f.help ? h('p', { class: 'hint' }, f.help) : null));
  }

  // Start from one of my engagements: what it knows fills the matching fields.
  const engagementPick = h('select', { class: 'input', id: 'fill-engagement' }, h('option', { value: '' }, 'Choose an engagement…'));
  try {
    const mine = await templates.engagements();
    for (const e of mine.items) engagementPick.append(h('option', { value: e.id }, `${e.label} (${e.stage})`));
  } catch { /* no pipeline: the picker stays empty */ }
  engagementPick.addEventListener('change', async () => {
    if (!engagementPick.value) return;
    const { fields } = await templates.prefill(slug, engagementPick.value);
    for (const [n, v] of Object.entries(fields)) if (inputs[n]) inputs[n].set(v);
    await refresh();
  });

  const status = h('div', { 'aria-live': 'polite' });
  const title = h('input', { class: 'input', id: 'document-title', value: doc ? doc.title : t.title });
  const paper = h('select', { class: 'input', id: 'document-paper' }, h('option', { value: 'a4' }, 'A4'), h('option', { value: 'letter' }, 'Letter'));
  const download = h('button', {
    type: 'button', class: 'btn btn-primary',
    onclick: async () => {
      download.disabled = true;
      mount(status, h('p', { class: 'muted' }, 'Making the PDF…'));
      try {
        const blob = await renderPdf(slug, { fields: collect(), version, title: title.value, paper: paper.value });
        const link = h('a', { href: URL.createObjectURL(blob), download: `${slug}.pdf` }, 'PDF ready');
        mount(status, link);
        link.click();
      } catch (err) {
        mount(status, notice('error', err.message));
      } finally {
        download.disabled = false;
      }
    },
  }, 'Download PDF');
  const save = h('button', {
    type: 'button', class: 'btn btn-secondary',
    onclick: async () => {
      try {
        const body = { fields: collect(), title: title.value };
        const saved = doc ? await templates.updateDocument(doc.id, body)
          : await templates.saveDocument({ template: slug, ...body });
        mount(status, notice('success', `Saved as “${saved.title}” (${saved.template} ${saved.version}).`));
      } catch (err) {
        mount(status, notice('error', errorMessage(err)));
      }
    },
  }, doc ? 'Save changes' : 'Save document');
  const newer = doc && doc.latest_version && doc.latest_version !== doc.version
    ? notice('info', `This document uses ${slug} ${doc.version}; ${doc.latest_version} is out. Open it with the newest release from “My documents”.`) : null;

  mount(view,
    pageHeader(`Fill in: ${t.title}`, `${t.release ? `Release ${version || t.release.version}` : 'Draft'} · ${t.license}`,
      h('a', { href: `/templates/${enc(slug)}`, class: 'btn btn-secondary' }, 'About this template')),
    newer,
    h('div', { class: 'editor-split' },
      card('Values',
        h('div', { class: 'field' }, h('label', { for: 'fill-engagement' }, 'Start from my pipeline'), engagementPick),
        h('div', { class: 'field' }, h('label', { for: 'document-title' }, 'Document title'), title),
        form, errors,
        h('div', { class: 'form-actions' }, h('label', { for: 'document-paper' }, 'Paper'), paper, download, save), status),
      card('Preview', preview)));
  await refresh();
}
