// /assignments/:id — one assigned checklist. The mentee ticks items and adds notes; the mentor
// sees the same list read-only. Both can see what changed in the playbook since the pinned
// revision.
import { h, mount, uid } from '../dom.js';
import { pageHeader, card, notice, badge } from '../layout.js';
import { errorMessage } from '../form.js';
import { formatDay, formatTime } from '../format.js';
import { mentoring, progressBar, personName } from './playbook-api.js';

const enc = encodeURIComponent;

// `tick(n, fields)` sends a change of item n and draws the page again once it is in.
function itemRow(a, item, editable, tick, status) {
  const id = uid('item');
  const box = h('input', { type: 'checkbox', id, checked: item.done, disabled: !editable });
  const noteId = `${id}-note`;
  const note = h('textarea', { class: 'input', id: noteId, rows: 2, maxlength: 1000, disabled: !editable });
  note.value = item.note || '';
  const saveNote = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, 'Save note');
  const send = async (fields) => {
    box.disabled = true;
    try {
      await tick(item.n, fields);
    } catch (err) {
      mount(status, notice('error', errorMessage(err)));
      box.checked = item.done;
      box.disabled = false;
    }
  };
  box.addEventListener('change', () => send({ done: box.checked }));
  saveNote.addEventListener('click', () => send({ done: item.done, note: note.value }));
  const details = editable
    ? h('details', { class: 'item-note', open: !!item.note },
      h('summary', {}, item.note ? 'Note' : 'Add a note'),
      h('label', { for: noteId, class: 'visually-hidden' }, `Note for item ${item.n}`), note, saveNote)
    : item.note ? h('p', { class: 'activity-note' }, item.note) : null;
  return h('li', { class: `checklist-item${item.done ? ' is-done' : ''}` },
    h('div', { class: 'checklist-main' },
      box,
      h('label', { for: id }, h('span', { class: 'checklist-n' }, `${item.n}.`), ' ', item.text),
      item.overdue ? badge('overdue', 'admin') : null,
      item.done_at ? h('span', { class: 'muted' }, ` done ${formatTime(item.done_at)}`) : null),
    details);
}

export default async function renderChecklist(view, { routeParams, user }) {
  const status = h('div', { 'aria-live': 'polite' });
  // A mentee ticking quickly sends changes that overlap, and their answers may come back in any
  // order: an answer drawn while another change is on its way would show that one undone. The
  // page is drawn again once none is on its way: from the answer, or read afresh after an overlap.
  let ticking = 0;
  let overlapped = false;
  const tick = async (n, fields) => {
    ticking += 1;
    overlapped ||= ticking > 1;
    let answer = null;
    let failure = null;
    try {
      answer = await mentoring.tick(routeParams.id, n, fields);
    } catch (err) {
      failure = err;
    }
    ticking -= 1;
    if (ticking > 0) {
      if (failure) throw failure;
      return;
    }
    if (overlapped) {
      overlapped = false;
      answer = await mentoring.assignment(routeParams.id).catch((err) => { failure ||= err; return null; });
    }
    if (answer) {
      mount(status);
      show(answer);
    }
    if (failure) throw failure;
  };
  const show = (a) => {
    const editable = a.mentee.id === user.id;
    const newer = a.newer_revisions > 0
      ? notice('info', h('span', {}, `The playbook changed since revision ${a.revision}, the one assigned. `,
        h('a', { href: `/playbooks/${enc(a.playbook.slug)}/diff?from=${a.revision}&to=${a.playbook.revision}` }, 'See what changed')))
      : null;
    mount(view,
      pageHeader(a.playbook.title, `Assigned by ${personName(a.mentor)} to ${personName(a.mentee)} · revision ${a.revision}${a.due_on ? ` · due ${formatDay(a.due_on)}` : ''}`,
        h('a', { href: `/playbooks/${enc(a.playbook.slug)}`, class: 'btn btn-secondary' }, 'Read the playbook')),
      status,
      newer,
      card(null,
        progressBar(a.progress, 'Checklist progress'),
        a.progress.overdue ? notice('error', `${a.progress.overdue} item${a.progress.overdue === 1 ? ' is' : 's are'} past the due date.`) : null,
        editable ? null : h('p', { class: 'muted' }, 'Only the mentee ticks items off.'),
        h('ul', { class: 'checklist', 'aria-label': 'Checklist' }, a.items.map((item) => itemRow(a, item, editable, tick, status)))));
  };
  show(await mentoring.assignment(routeParams.id));
}
