// /playbooks/new, /playbooks/:slug/edit — write a playbook, save a change, or propose one.
// A save made against an older revision comes back 409 with a three-way merge: the editor then
// holds the merged text (or the conflicts, marked) on top of the new revision, and the writer's
// own text stays one click away. Nothing typed is ever dropped. Updating a proposal whose playbook
// has moved on rebases it the same way: the editor shows it merged onto the new revision.
import { h, mount, uid } from '../dom.js';
import { ApiError } from '../api.js';
import { pageHeader, card, notice } from '../layout.js';
import { createForm, textField, requireFilled } from '../form.js';
import { playbooks, proposals, playbookTabs } from './playbook-api.js';

const enc = encodeURIComponent;
const MARKER = /^(<<<<<<< |=======$|>>>>>>> )/m;

// A labelled textarea that createForm can treat like its other fields.
function textAreaField({ label, name, value = '', hint, rows = 24 }) {
  const id = uid(name);
  const control = h('textarea', { id, name, class: 'input editor-text', rows, spellcheck: 'true', 'aria-describedby': `${id}-error` });
  control.value = value;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  return {
    el: h('div', { class: 'field' }, h('label', { for: id }, label), hint ? h('p', { class: 'field-hint' }, hint) : null, control, error),
    input: control,
    setError(message) { error.textContent = message; error.hidden = false; control.setAttribute('aria-invalid', 'true'); },
    clearError() { error.textContent = ''; error.hidden = true; control.removeAttribute('aria-invalid'); },
  };
}

function createPage(view, navigate) {
  const fields = {
    slug: textField({ label: 'Slug', name: 'slug', hint: 'The address: lowercase words joined by hyphens, like pitching-a-retainer.', autocomplete: 'off' }),
    title: textField({ label: 'Title', name: 'title', maxlength: 120 }),
    tags: textField({ label: 'Tags', name: 'tags', hint: 'Separated by commas' }),
    content: textAreaField({ label: 'Markdown', name: 'content', value: '# Title\n\nWhat this is for.\n\n## Checklist\n\n- [ ] First step\n' }),
  };
  const form = createForm({
    fields,
    submitLabel: 'Create playbook',
    busyLabel: 'Creating…',
    onSubmit: async (values) => {
      requireFilled(values, { slug: 'Choose a slug.', title: 'Give it a title.' });
      const p = await playbooks.create({
        slug: values.slug.trim(), title: values.title, content: values.content,
        tags: values.tags.split(',').map((t) => t.trim()).filter(Boolean),
      });
      await navigate(`/playbooks/${enc(p.slug)}?saved=1`);
    },
  });
  mount(view, pageHeader('New playbook', 'Markdown, with a task list (- [ ] …) if it can be assigned as a checklist.'), card(null, form.el));
}

export default async function renderEditor(view, { routeParams, params, navigate }) {
  if (!routeParams.slug) return createPage(view, navigate);
  const slug = routeParams.slug;
  const playbook = await playbooks.get(slug);
  const proposalId = params.get('proposal');
  const proposal = proposalId ? (await proposals.get(proposalId)).proposal : null;
  const proposing = !!proposal || playbook.required_approvals > 0 || params.get('propose') === '1';

  let base = proposal ? proposal.base_revision : playbook.revision;
  let mine = null;  // the writer's own text, kept when a merge replaces it
  const status = h('div', { class: 'editor-status', 'aria-live': 'polite' });
  const baseNote = h('p', { class: 'muted editor-base' });
  const showBase = () => { baseNote.textContent = `Editing on top of revision ${base}.`; };
  showBase();

  const fields = {
    content: textAreaField({ label: 'Markdown', name: 'content', value: proposal ? proposal.content : playbook.content }),
    summary: textField({ label: 'Summary of the change', name: 'summary', maxlength: 300, value: proposal ? proposal.summary : '',
      hint: 'Shown in the history, like a commit message.' }),
  };
  const content = fields.content.input;

  function keepMine() {
    if (mine === null) return null;
    const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Put my version back');
    button.addEventListener('click', () => {
      content.value = mine;
      mount(status, notice('info', `Your version is back in the editor. Saving it now replaces what revision ${base} changed.`));
    });
    return button;
  }

  function showMerge(body) {
    mine = mine ?? content.value;
    const changes = h('a', { href: `/playbooks/${enc(slug)}/diff?from=${base}&to=${body.head_revision}`, target: '_blank' },
      `what revision ${body.head_revision} changed`);
    base = body.head_revision;
    showBase();
    if (body.clean) {
      content.value = body.merged;
      mount(status, h('div', { class: 'alert alert-warning', role: 'alert' },
        h('p', {}, h('strong', {}, proposal ? 'The playbook changed since this proposal was written. ' : 'Someone saved while you were editing. '),
          'Your changes and theirs touch different lines, so the editor now holds both, merged. Check the text, then save again. See ', changes, '.'),
        keepMine()));
    } else {
      content.value = body.marked;
      const n = body.conflicts.length;
      mount(status, h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', {}, h('strong', {}, `Your edit and revision ${body.head_revision} change the same lines (${n} conflict${n === 1 ? '' : 's'}). `),
          'Both versions are in the editor between <<<<<<< and >>>>>>> lines. Keep what should stay, delete the marker lines, then save. See ', changes, '.'),
        keepMine()));
    }
    content.focus();
  }

  const form = createForm({
    fields,
    submitLabel: proposal ? 'Update proposal' : proposing ? 'Open proposal' : 'Save',
    busyLabel: 'Saving…',
    onSubmit: async (values) => {
      if (MARKER.test(values.content)) {
        throw new ApiError(0, 'invalid_field', 'The text still has conflict markers (<<<<<<<, =======, >>>>>>>). Resolve them first.', { field: 'content' });
      }
      const body = { base_revision: base, content: values.content, summary: values.summary };
      try {
        if (proposal) {
          await proposals.update(proposal.id, body);
          await navigate(`/proposals/${enc(proposal.id)}`);
        } else if (proposing) {
          const opened = await proposals.open(slug, body);
          await navigate(`/proposals/${enc(opened.proposal.id)}`);
        } else {
          const saved = await playbooks.save(slug, body);
          await navigate(`/playbooks/${enc(slug)}?saved=${saved.revision}`);
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 409 && err.body && err.body.head_revision) {
          showMerge(err.body);
          return;
        }
        throw err;
      }
    },
    footer: h('a', { href: `/playbooks/${enc(slug)}`, class: 'btn btn-quiet' }, 'Cancel'),
  });

  if (proposal && proposal.base_revision < playbook.revision) {
    mount(status, notice('info', `This proposal starts from revision ${proposal.base_revision}; the playbook is at revision ${playbook.revision} now. `
      + 'Updating merges your text onto it first and shows you the result here, to check before you send it again.'));
  }
  const intro = proposal
    ? `Updating proposal #${proposal.id}: reviewers will need to approve it again.`
    : proposing
      ? (playbook.required_approvals
        ? 'This playbook needs review: your change becomes a proposal that others approve before it is merged.'
        : 'Your change becomes a proposal that others review before it is merged.')
      : 'Saving adds a new revision; the history keeps every earlier one.';
  mount(view,
    pageHeader(proposal ? 'Update proposal' : proposing ? `Propose a change to ${playbook.title}` : `Edit ${playbook.title}`, intro),
    playbookTabs(slug, 'edit'),
    status,
    card(null, baseNote, form.el));
}
