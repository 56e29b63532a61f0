// /playbooks/:slug — the current revision, rendered; its tags, review rule and open proposals,
// and the settings (title, tags, and for mentors the number of approvals changes need).
import { h, mount } from '../dom.js';
import { pageHeader, card, notice, badge } from '../layout.js';
import { createForm, textField, selectField } from '../form.js';
import { formatTime, plural } from '../format.js';
import { canInvite } from '../session.js';
import { playbooks, playbookTabs, renderedMarkdown, personName } from './playbook-api.js';

const enc = encodeURIComponent;

function lastChange(p) {
  const c = p.last_change;
  return `Revision ${p.revision} · ${personName(c.author)} · ${formatTime(c.created_at)}${c.summary ? ` · ${c.summary}` : ''}`;
}

function settingsForm(p, user, onSaved) {
  const fields = {
    title: textField({ label: 'Title', name: 'title', value: p.title, maxlength: 120 }),
    tags: textField({ label: 'Tags', name: 'tags', value: p.tags.join(', '), hint: 'Separated by commas: sales, invoicing' }),
  };
  if (canInvite(user)) {
    fields.required_approvals = selectField({
      label: 'Approvals a change needs', name: 'required_approvals', value: p.required_approvals,
      hint: 'With 1 or more, nobody saves directly: changes go through reviewed proposals.',
      options: [0, 1, 2, 3, 4, 5].map((n) => ({ value: n, label: n === 0 ? 'None: members save directly' : plural(n, 'approval') })),
    });
  }
  const form = createForm({
    fields,
    submitLabel: 'Save settings',
    busyLabel: 'Saving…',
    onSubmit: async (values) => {
      const body = { title: values.title, tags: values.tags.split(',').map((t) => t.trim()).filter(Boolean) };
      if (values.required_approvals !== undefined) body.required_approvals = Number(values.required_approvals);
      onSaved(await playbooks.settings(p.slug, body));
    },
  });
  return h('details', { class: 'card settings' }, h('summary', { class: 'card-title' }, 'Settings'), form.el);
}

export default async function renderPlaybook(view, { routeParams, params, user }) {
  const slug = routeParams.slug;
  const show = (p, message) => {
    const actions = [
      h('a', { href: `/playbooks/${enc(slug)}/edit`, class: 'btn btn-primary' }, p.required_approvals ? 'Propose a change' : 'Edit'),
      h('a', { href: playbooks.exportUrl(slug), class: 'btn btn-secondary', download: `${slug}.md` }, 'Export .md'),
    ];
    mount(view,
      pageHeader(p.title, lastChange(p), ...actions),
      playbookTabs(slug, 'view'),
      message ? notice('success', message) : null,
      h('div', { class: 'playbook-facts' },
        p.tags.map((t) => h('a', { href: `/playbooks?tag=${enc(t)}`, class: 'tag' }, t)),
        p.required_approvals ? badge(`needs ${plural(p.required_approvals, 'approval')}`, 'mentor') : null,
        p.open_proposals ? h('a', { href: `/playbooks/${enc(slug)}/proposals` }, `${plural(p.open_proposals, 'open proposal')}`) : null),
      card(null, renderedMarkdown(p.html)),
      settingsForm(p, user, (updated) => show(updated, 'Settings saved.')));
  };
  const saved = params.get('saved');
  show(await playbooks.get(slug), saved ? `Saved revision ${saved}.` : null);
}
