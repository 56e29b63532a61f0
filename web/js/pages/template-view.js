// /templates/:slug — a template's fields, releases, upstream and forks, license and ratings; fork
// it, pull a newer upstream release (conflicts shown, never resolved silently), rate it.
import { h, mount } from '../dom.js';
import { pageHeader, card, notice, badge } from '../layout.js';
import { errorMessage } from '../form.js';
import { formatTime } from '../format.js';
import { currentUser } from '../session.js';
import { navigate } from '../router.js';
import { templates, stars, licenseBadge } from './template-api.js';

const enc = encodeURIComponent;

function fieldRows(fields, prefix = '') {
  return fields.flatMap((f) => [
    h('tr', {}, h('td', {}, h('code', {}, prefix + f.name)), h('td', {}, f.type), h('td', {}, f.label),
      h('td', {}, f.required ? 'required' : f.sum ? `sum of ${f.sum}` : 'optional'),
      h('td', {}, f.options ? f.options.join(', ') : f.default !== undefined ? `default ${f.default}` : '')),
    ...(f.fields ? fieldRows(f.fields, `${f.name}.`) : []),
  ]);
}

function pullPanel(t, reload) {
  const out = h('div', { class: 'pull-result', 'aria-live': 'polite' });
  const buttons = t.upstream.newer_releases.map((r) => h('button', {
    type: 'button', class: 'btn btn-secondary',
    onclick: async () => {
      try {
        await templates.pull(t.slug, { version: r.version });
        await reload();
      } catch (err) {
        if (err.status !== 409 || !err.body || !err.body.marked) {
          mount(out, notice('error', errorMessage(err)));
          return;
        }
        // Shown, never resolved silently: the owner edits the marked text and saves the pull.
        const box = h('textarea', { class: 'input mono', id: 'pull-resolution', rows: 16 }, err.body.marked);
        const save = h('button', {
          type: 'button', class: 'btn btn-primary',
          onclick: async () => {
            try {
              await templates.pull(t.slug, { version: r.version, base_revision: err.body.base_revision, resolved_content: box.value });
              await reload();
            } catch (e2) {
              out.append(notice('error', errorMessage(e2)));
            }
          },
        }, 'Save the resolved pull');
        mount(out, notice('error', err.message),
          h('ul', { 'aria-label': 'Conflicts' }, err.body.conflicts.map((c) => h('li', {}, `Line ${c.line}: this fork has “${c.ours.trim()}”, upstream has “${c.theirs.trim()}”`))),
          h('label', { for: 'pull-resolution' }, 'Resolve the conflicts'), box, save);
      }
    },
  }, `Pull ${r.version}`));
  return h('div', {}, buttons.length ? buttons : h('p', { class: 'muted' }, 'Up to date with upstream.'), out);
}

export default async function renderTemplateView(view, { routeParams }) {
  const slug = routeParams.slug;
  const reload = () => renderTemplateView(view, { routeParams });
  const t = await templates.get(slug);
  const me = currentUser();
  const mine = me && t.owner && t.owner.id === me.id;
  const canEdit = !t.fill_only && (mine || (me && me.role === 'admin'));

  const forkSlug = h('input', { class: 'input', id: 'fork-slug', value: `${slug}-${me ? me.handle : 'fork'}` });
  const forkOut = h('div', { 'aria-live': 'polite' });
  const forkForm = t.fill_only ? h('p', {}, `Licensed ${t.license}: fill it in; it cannot be forked.`) : h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const fork = await templates.fork(slug, { new_slug: forkSlug.value.trim() });
        await navigate(`/templates/${enc(fork.slug)}`);
      } catch (err) {
        mount(forkOut, notice('error', errorMessage(err)));
      }
    },
  }, h('label', { for: 'fork-slug' }, 'Fork as'), forkSlug, h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Fork'), forkOut);

  const starsSelect = h('select', { class: 'input', id: 'rating-stars' }, [5, 4, 3, 2, 1].map((n) => h('option', { value: n }, `${n} stars`)));
  const comment = h('input', { class: 'input', id: 'rating-comment', maxlength: 2000 });
  const rateOut = h('div', { 'aria-live': 'polite' });
  const rateForm = mine ? null : h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        await templates.rate(slug, Number(starsSelect.value), comment.value);
        await reload();
      } catch (err) {
        mount(rateOut, notice('error', errorMessage(err)));
      }
    },
  }, h('label', { for: 'rating-stars' }, 'Your rating'), starsSelect, h('label', { for: 'rating-comment' }, 'Comment'), comment,
  h('button', { type: 'submit', class: 'btn btn-secondary' }, 'Rate'), rateOut);

  mount(view,
    pageHeader(t.title, `${t.kind} · ${t.release ? `v${t.release.version}` : 'no release yet'} · ${t.uses} ${t.uses === 1 ? 'member' : 'members'} used it · ${stars(t.rating)}`,
      h('a', { href: `/templates/${enc(slug)}/fill`, class: 'btn btn-primary' }, 'Fill in'),
      canEdit ? h('a', { href: `/templates/${enc(slug)}/edit`, class: 'btn btn-secondary' }, 'Edit') : null),
    card('About', h('p', {}, licenseBadge(t), ' ', t.owner ? `Kept by ${t.owner.display_name}` : 'A starter template, kept by the admins',
      t.tags.map((tag) => [' ', badge(tag, 'tag')])),
    t.attribution.length ? h('p', { class: 'attribution' }, 'Based on ',
      t.attribution.map((a, i) => [i ? ', itself based on ' : '', h('a', { href: `/templates/${enc(a.slug)}` }, a.title), a.version ? ` ${a.version}` : '', ` (${a.license})`])) : null),
    card('Fields', h('table', { class: 'table', 'aria-label': 'Fields' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'Label', 'Required', 'Options'].map((c) => h('th', {}, c)))),
      h('tbody', {}, fieldRows(t.fields)))),
    card('Releases', t.releases.length ? h('ul', { 'aria-label': 'Releases' }, t.releases.map((r) =>
      h('li', {}, h('strong', {}, r.version), ` · revision ${r.revision} · ${formatTime(r.created_at)}${r.summary ? ` · ${r.summary}` : ''}`)))
      : h('p', { class: 'muted' }, 'No release yet.')),
    t.upstream ? card(`Upstream: ${t.upstream.title} ${t.upstream.version}`, mine ? pullPanel(t, reload)
      : h('p', {}, t.upstream.newer_releases.length ? `Newer upstream releases: ${t.upstream.newer_releases.map((r) => r.version).join(', ')}` : 'Up to date with upstream.')) : null,
    card('Forks', t.forks.length ? h('ul', { 'aria-label': 'Forks' }, t.forks.map((f) =>
      h('li', {}, h('a', { href: `/templates/${enc(f.slug)}` }, f.title), ` (${f.slug}) from ${f.upstream_version}${f.owner ? ` by ${f.owner.display_name}` : ''}`)))
      : h('p', { class: 'muted' }, 'No forks yet.'), forkForm),
    card('Ratings', h('p', {}, stars(t.rating)),
      h('ul', { 'aria-label': 'Ratings' }, t.ratings.map((r) => h('li', {}, `${r.stars}★ ${r.author.display_name}${r.comment ? `: ${r.comment}` : ''}`))),
      rateForm));
}
