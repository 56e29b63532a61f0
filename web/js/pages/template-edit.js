// /templates/new and /templates/:slug/edit — the source beside its field declarations and a live
// preview on sample values; save as a revision, then release it under the bump the server asks.
import { h, mount } from '../dom.js';
import { pageHeader, card, notice } from '../layout.js';
import { errorMessage } from '../form.js';
import { navigate } from '../router.js';
import { appendSafeHtml } from '../safe-html.js';
import { newestLoad } from '../api.js';
import { templates } from './template-api.js';

const enc = encodeURIComponent;
const STARTER = `---
title: My template
kind: other
fields:
  - {name: client, type: text, label: Client, required: true}
---
# Hello {{client}}
`;

// A value of the right type for each field, so the preview has something to show.
function sampleValues(fields) {
  const out = {};
  for (const f of fields) {
    if (f.sum) continue;
    if (f.default !== undefined) continue;
    switch (f.type) {
      case 'money': case 'number': out[f.name] = 1200; break;
      case 'date': out[f.name] = '2026-01-31'; break;
      case 'boolean': out[f.name] = true; break;
      case 'choice': out[f.name] = f.options[0]; break;
      case 'list': out[f.name] = [sampleValues(f.fields), sampleValues(f.fields)]; break;
      default: out[f.name] = `Sample ${f.label}`;
    }
  }
  return out;
}

export default async function renderTemplateEdit(view, { routeParams }) {
  const slug = routeParams.slug;
  const t = slug ? await templates.get(slug) : null;
  let base = t ? t.head : 0;
  const content = h('textarea', { class: 'input mono', id: 'template-content', rows: 24, spellcheck: 'false' }, t ? t.content : STARTER);
  const slugInput = h('input', { class: 'input', id: 'template-slug' });
  const license = h('select', { class: 'input', id: 'template-license' },
    ['CC-BY-4.0', 'CC0-1.0', 'CC-BY-SA-4.0', 'CC-BY-ND-4.0', 'MIT'].map((l) => h('option', { value: l }, l)));
  const declared = h('div', { class: 'field-declarations', 'aria-label': 'Declared fields' });
  const preview = h('div', { class: 'markdown document-preview', 'aria-label': 'Preview', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  let timer;
  const begin = newestLoad();
  const refresh = async () => {
    const newest = begin();
    try {
      const first = await templates.preview(content.value, {});
      if (!newest()) return;
      const filled = await templates.preview(content.value, sampleValues(first.fields));
      if (!newest()) return;
      mount(declared, h('ul', {}, filled.fields.map((f) => h('li', {}, h('code', {}, f.name), ` ${f.type}${f.required ? ', required' : ''}: ${f.label}`))),
        filled.contract ? notice('error', filled.contract) : null);
      mount(preview);
      if (filled.html) appendSafeHtml(preview, filled.html);
    } catch (err) {
      if (newest()) mount(declared, notice('error', errorMessage(err)));
    }
  };
  content.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });

  const save = h('button', {
    type: 'button', class: 'btn btn-primary',
    onclick: async () => {
      try {
        if (!t) {
          const created = await templates.create({ slug: slugInput.value.trim(), content: content.value, license: license.value });
          await navigate(`/templates/${enc(created.slug)}/edit`);
          return;
        }
        const saved = await templates.save(slug, { base_revision: base, content: content.value });
        base = saved.head;
        mount(status, notice('success', `Saved revision ${saved.head}.`));
      } catch (err) {
        mount(status, notice('error', errorMessage(err)));
      }
    },
  }, t ? 'Save draft' : 'Create template');

  const version = h('input', { class: 'input', id: 'release-version', placeholder: '1.0.0' });
  const releaseForm = t ? h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const r = await templates.release(slug, { version: version.value.trim() });
        mount(status, notice('success', `Released ${r.version} (revision ${r.revision}).`));
      } catch (err) {
        mount(status, notice('error', err.body && err.body.required
          ? `${err.message} Use a ${err.body.required} version.` : errorMessage(err)));
      }
    },
  }, h('label', { for: 'release-version' }, 'Release as version'), version, h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Release')) : null;

  mount(view,
    pageHeader(t ? `Edit ${t.title}` : 'New template', 'Markdown with {{fields}}; the front matter declares every field.'),
    card(null,
      t ? null : h('div', { class: 'inline-form' }, h('label', { for: 'template-slug' }, 'Slug'), slugInput,
        h('label', { for: 'template-license' }, 'License'), license),
      h('div', { class: 'editor-split' },
        h('div', {}, h('label', { for: 'template-content' }, 'Template source'), content),
        h('div', {}, h('h2', {}, 'Fields'), declared, h('h2', {}, 'Preview on sample values'), preview)),
      h('div', { class: 'form-actions' }, save, releaseForm), status));
  await refresh();
}
