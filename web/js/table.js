// A plain data table. On narrow screens the CSS stacks each row into a small card,
// using data-label for the column names.
import { h } from './dom.js';

// columns: [{label, cell(row) → Node|string, className?}]
export function dataTable({ caption, columns, rows, rowKey }) {
  const tbody = h('tbody');
  const table = h('table', { class: 'table' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.className || false }, c.label)))),
    tbody);
  const addRows = (more) => {
    for (const row of more) {
      tbody.append(h('tr', { 'data-key': rowKey ? rowKey(row) : false },
        columns.map((c) => h('td', { 'data-label': c.label, class: c.className || false }, c.cell(row)))));
    }
  };
  addRows(rows);
  return { el: h('div', { class: 'table-wrap' }, table), tbody, addRows };
}

// A "Load more" button that calls load() and hides itself when there is nothing left.
export function loadMoreButton(label, load) {
  const button = h('button', { type: 'button', class: 'btn btn-secondary load-more' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Loading…';
    try {
      const more = await load();
      button.hidden = !more;
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return button;
}
