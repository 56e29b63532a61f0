// Draws a diff from the API ({hunks:[{lines:[{op, old, new, text, words}]}]}) inline or side by
// side, with word-level highlights on changed lines that pair up.
import { h } from '../dom.js';

const MARK = { ' ': ' ', '-': '−', '+': '+' };
const ROW_CLASS = { ' ': 'diff-context', '-': 'diff-del', '+': 'diff-add' };

function lineText(line) {
  if (!line.words || !line.words.length) return h('span', { class: 'diff-text' }, line.text || '\u200b');
  return h('span', { class: 'diff-text' }, line.words.map((w) => {
    if (w.op === '-') return h('del', { class: 'word' }, w.text);
    if (w.op === '+') return h('ins', { class: 'word' }, w.text);
    return w.text;
  }));
}

function hunkHeader(hunk, columns) {
  return h('tr', { class: 'diff-hunk' },
    h('td', { colspan: columns }, `Lines ${hunk.old_start}–${hunk.old_start + Math.max(hunk.old_lines - 1, 0)} → ${hunk.new_start}–${hunk.new_start + Math.max(hunk.new_lines - 1, 0)}`));
}

function inlineRows(hunk) {
  return hunk.lines.map((line) => h('tr', { class: ROW_CLASS[line.op] },
    h('td', { class: 'diff-num' }, line.old ?? ''),
    h('td', { class: 'diff-num' }, line.new ?? ''),
    h('td', { class: 'diff-mark', 'aria-label': line.op === '-' ? 'removed' : line.op === '+' ? 'added' : false }, MARK[line.op]),
    h('td', { class: 'diff-code' }, lineText(line), line.no_newline ? h('span', { class: 'diff-eof' }, ' (no newline at end)') : null)));
}

function cell(line, side) {
  if (!line) return [h('td', { class: 'diff-num' }), h('td', { class: 'diff-code diff-empty' })];
  const cls = line.op === ' ' ? 'diff-context' : ROW_CLASS[line.op];
  return [h('td', { class: `diff-num ${cls}` }, side === 'old' ? line.old : line.new),
    h('td', { class: `diff-code ${cls}` }, lineText(line))];
}

function sideBySideRows(hunk) {
  const rows = [];
  const lines = hunk.lines;
  for (let i = 0; i < lines.length;) {
    if (lines[i].op === ' ') {
      rows.push(h('tr', {}, cell(lines[i], 'old'), cell(lines[i], 'new')));
      i += 1;
      continue;
    }
    const removed = [];
    const added = [];
    while (i < lines.length && lines[i].op === '-') removed.push(lines[i++]);
    while (i < lines.length && lines[i].op === '+') added.push(lines[i++]);
    for (let k = 0; k < Math.max(removed.length, added.length); k += 1) {
      rows.push(h('tr', {}, cell(removed[k], 'old'), cell(added[k], 'new')));
    }
  }
  return rows;
}

// mode: 'inline' | 'split'
export function diffTable(diff, mode = 'inline') {
  if (!diff.hunks.length) return h('p', { class: 'muted' }, 'These two versions are the same.');
  const split = mode === 'split';
  const columns = 4;
  const head = split
    ? h('tr', {}, h('th', { colspan: 2, scope: 'col' }, 'Before'), h('th', { colspan: 2, scope: 'col' }, 'After'))
    : h('tr', {}, h('th', { scope: 'col' }, 'Old'), h('th', { scope: 'col' }, 'New'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Change')), h('th', { scope: 'col' }, 'Text'));
  return h('div', { class: 'diff-wrap' },
    h('table', { class: `diff ${split ? 'diff-split' : 'diff-inline'}` },
      h('thead', {}, head),
      diff.hunks.map((hunk) => h('tbody', {}, hunkHeader(hunk, columns), split ? sideBySideRows(hunk) : inlineRows(hunk)))));
}

export function diffSummary(diff) {
  return h('p', { class: 'diff-summary' },
    h('span', { class: 'diff-count-add' }, `+${diff.added}`), ' ',
    h('span', { class: 'diff-count-del' }, `−${diff.removed}`),
    ` line${diff.added + diff.removed === 1 ? '' : 's'} changed`);
}
