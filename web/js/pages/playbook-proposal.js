// /proposals/:id — one proposal: what it changes, its reviews, a review form for everyone but
// its author, and the merge once it has the approvals its playbook needs.
import { h, mount } from '../dom.js';
import { ApiError } from '../api.js';
import { pageHeader, card, notice, badge, emptyState } from '../layout.js';
import { errorMessage } from '../form.js';
import { formatTime } from '../format.js';
import { proposals, playbookTabs, personName } from './playbook-api.js';
import { diffTable, diffSummary } from './playbook-diff-view.js';

const enc = encodeURIComponent;

function reviewList(reviews, version) {
  if (!reviews.length) return emptyState('No reviews yet.', 'Someone other than the author approves it, or asks for changes.');
  return h('ul', { class: 'review-list' }, reviews.map((r) => h('li', { class: `review review-${r.verdict}` },
    h('p', { class: 'review-head' },
      h('strong', {}, personName(r.reviewer)), ' ',
      badge(r.verdict === 'approve' ? 'approved' : 'changes requested', r.verdict === 'approve' ? 'used' : 'admin'),
      ' ', h('span', { class: 'muted' }, `${formatTime(r.created_at)}${r.version !== version ? ` · on version ${r.version}, before an update` : ''}`)),
    r.comment ? h('p', { class: 'review-comment' }, r.comment) : null)));
}

function reviewForm(p, onDone) {
  const comment = h('textarea', { class: 'input', rows: 3, id: 'review-comment', name: 'comment', maxlength: 4000 });
  const status = h('div', { 'aria-live': 'polite' });
  const send = async (verdict, button) => {
    button.disabled = true;
    try {
      await proposals.review(p.id, verdict, comment.value);
      await onDone(verdict === 'approve' ? 'You approved this proposal.' : 'You asked for changes.');
    } catch (err) {
      mount(status, notice('error', errorMessage(err)));
      button.disabled = false;
    }
  };
  const approve = h('button', { type: 'button', class: 'btn btn-primary' }, 'Approve');
  const changes = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Request changes');
  approve.addEventListener('click', () => send('approve', approve));
  changes.addEventListener('click', () => send('request_changes', changes));
  return card('Your review', status,
    h('div', { class: 'field' }, h('label', { for: 'review-comment' }, 'Comment'), comment),
    h('div', { class: 'form-actions' }, approve, changes));
}

export default async function renderProposal(view, { routeParams, user, navigate }) {
  const id = routeParams.id;
  const show = async (message) => {
    const [{ proposal: p }, diff] = await Promise.all([proposals.get(id), proposals.diff(id)]);
    const slug = p.playbook;
    const open = p.state === 'open';
    const mine = p.author.id === user.id;
    const status = h('div', { 'aria-live': 'polite' }, message ? notice('success', message) : null);
    const actions = [];
    if (open) {
      const merge = h('button', { type: 'button', class: 'btn btn-primary' }, 'Merge');
      merge.addEventListener('click', async () => {
        merge.disabled = true;
        try {
          const merged = await proposals.merge(p.id);
          await navigate(`/playbooks/${enc(slug)}?saved=${merged.proposal.merged_revision}`);
        } catch (err) {
          merge.disabled = false;
          const conflicted = err instanceof ApiError && err.body && err.body.conflicts;
          mount(status, notice('error', conflicted
            ? `${err.message} ${mine ? 'Use “Update” to rebase it.' : 'Its author can update it.'}`
            : errorMessage(err)));
        }
      });
      actions.push(merge);
      if (mine) actions.push(h('a', { href: `/playbooks/${enc(slug)}/edit?proposal=${p.id}`, class: 'btn btn-secondary' }, 'Update'));
      const close = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Close');
      close.addEventListener('click', async () => {
        try {
          await proposals.close(p.id);
          await show('The proposal is closed.');
        } catch (err) {
          mount(status, notice('error', errorMessage(err)));
        }
      });
      actions.push(close);
    }
    const facts = h('div', { class: 'playbook-facts' },
      badge(p.state, p.state === 'open' ? 'pending' : p.state === 'merged' ? 'used' : 'expired'),
      h('span', {}, `${p.approvals} of ${p.approvals_needed} approval${p.approvals_needed === 1 ? '' : 's'}`),
      p.change_requests ? h('span', { class: 'text-danger' }, `${p.change_requests} change request${p.change_requests === 1 ? '' : 's'}`) : null,
      h('span', { class: 'muted' }, `by ${personName(p.author)} · version ${p.version} · on revision ${p.base_revision}`),
      p.state === 'merged' ? h('a', { href: `/playbooks/${enc(slug)}/diff?from=${p.merged_revision - 1}&to=${p.merged_revision}` }, `merged as revision ${p.merged_revision}`) : null);
    mount(view,
      pageHeader(p.summary || `Proposal #${p.id}`, `A change to ${p.playbook_title}`, ...actions),
      playbookTabs(slug, 'proposals'),
      status,
      facts,
      p.stale ? notice('info', `The playbook is at revision ${p.head_revision} now. Merging combines both changes when they do not overlap.`) : null,
      card('What it changes', diffSummary(diff), diffTable(diff, 'inline')),
      card('Reviews', reviewList(p.reviews, p.version)),
      open && !mine ? reviewForm(p, show) : null,
      open && mine ? notice('info', 'You cannot review your own proposal; someone else approves it.') : null);
  };
  await show(null);
}
