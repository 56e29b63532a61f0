// /rates — the last published wave: retainer quantiles by tier, region and ecosystem, deal counts,
// days to signature, member counts, suppressed cells marked; and "where do I stand?".
import { h, mount } from '../dom.js';
import { request } from '../api.js';
import { pageHeader, card, emptyState, notice } from '../layout.js';
import { createForm, selectField, textField, errorMessage } from '../form.js';
import { formatTime } from '../format.js';
import { svg, scale, ticks, money } from './rates-svg.js';

const LABELS = {
  tier: 'Tier', region: 'Region', ecosystem: 'Ecosystem',
  sustaining: 'Sustaining', reciprocal: 'Reciprocal', advisory: 'Advisory',
  africa: 'Africa', asia: 'Asia', europe: 'Europe', latin_america: 'Latin America', middle_east: 'Middle East',
  north_america: 'North America', oceania: 'Oceania', c_cpp: 'C/C++', dotnet: '.NET', go: 'Go', java_jvm: 'Java/JVM',
  javascript: 'JavaScript', php: 'PHP', python: 'Python', ruby: 'Ruby', rust: 'Rust', other: 'Other',
};
const label = (k) => LABELS[k] || k;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'INR', 'BRL'];

// One row per cell: the p25–p75 range as a bar, the median as a tick; suppressed cells say so.
function rangeChart(table, currency) {
  const cells = table.cells;
  const max = Math.max(1000, ...cells.map((c) => c.p75 ?? c.median ?? 0));
  const W = 640, left = 130, right = 20, row = 28, top = 10;
  const H = top + cells.length * row + 30;
  const x = scale(0, max * 1.05, left, W - right);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart rates-chart', role: 'img',
    'aria-label': `Annual retainer by ${label(table.dimension).toLowerCase()}: quartiles and median` });
  for (const t of ticks(max * 1.05, 4)) {
    chart.append(svg('line', { x1: x(t), x2: x(t), y1: top, y2: H - 24, class: 'chart-grid' }),
      svg('text', { x: x(t), y: H - 8, class: 'chart-tick', 'text-anchor': 'middle' }, money(t, currency)));
  }
  cells.forEach((c, i) => {
    const y = top + i * row + row / 2;
    chart.append(svg('text', { x: left - 8, y: y + 4, class: 'chart-label', 'text-anchor': 'end' }, label(c.key)));
    if (c.suppressed) {
      chart.append(svg('text', { x: left + 4, y: y + 4, class: 'chart-note' }, 'suppressed — too few members'));
      return;
    }
    if (c.p25 !== undefined && c.p75 !== undefined) {
      chart.append(svg('rect', { x: x(c.p25), y: y - 8, width: Math.max(2, x(c.p75) - x(c.p25)), height: 16, class: 'chart-range' },
        svg('title', {}, `${label(c.key)}: ${money(c.p25, currency)} – ${money(c.p75, currency)}`)));
    }
    if (c.median !== undefined) {
      chart.append(svg('line', { x1: x(c.median), x2: x(c.median), y1: y - 11, y2: y + 11, class: 'chart-median' },
        svg('title', {}, `${label(c.key)} median: ${money(c.median, currency)}`)));
    } else {
      chart.append(svg('text', { x: left + 4, y: y + 4, class: 'chart-note' }, `${c.members} members: too few for a median`));
    }
  });
  return chart;
}

function cellTable(table, currency) {
  const fmt = (v) => (v === undefined ? '—' : money(v, currency));
  return h('table', { class: 'table rates-table', 'aria-label': `Rates by ${table.dimension}` },
    h('thead', {}, h('tr', {},
      ['', 'Members', 'Deals', '25th pct', 'Median', '75th pct', 'Days to sign'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, table.cells.map((c) => (c.suppressed
      ? h('tr', { class: 'suppressed' }, h('th', { scope: 'row' }, label(c.key)),
        h('td', { colspan: 6 }, 'Suppressed: too few members to publish'))
      : h('tr', {}, h('th', { scope: 'row' }, label(c.key)),
        h('td', {}, String(c.members)), h('td', {}, String(c.deals ?? '—')),
        h('td', {}, fmt(c.p25)), h('td', {}, fmt(c.median)), h('td', {}, fmt(c.p75)),
        h('td', {}, c.median_days_to_sign === undefined ? '—' : String(c.median_days_to_sign)))))));
}

const POSITION_TEXT = {
  below_p25: 'below the 25th percentile', p25_to_median: 'between the 25th percentile and the median',
  median_to_p75: 'between the median and the 75th percentile', above_p75: 'above the 75th percentile',
  below_median: 'below the median', above_median: 'at or above the median',
};

function standCard() {
  const result = h('div', { class: 'stand-result', 'aria-live': 'polite' });
  const form = createForm({
    fields: {
      tier: selectField({ label: 'Tier', name: 'tier', options: ['sustaining', 'reciprocal', 'advisory'].map((v) => ({ value: v, label: label(v) })) }),
      annual_amount: textField({ label: 'Annual amount', name: 'annual_amount', inputmode: 'numeric', required: true }),
      currency: selectField({ label: 'Currency', name: 'currency', value: 'USD', options: CURRENCIES.map((v) => ({ value: v, label: v })) }),
    },
    submitLabel: 'Where do I stand?',
    busyLabel: 'Placing…',
    className: 'stand-form',
    onSubmit: async (v) => {
      const q = new URLSearchParams({ tier: v.tier, annual_amount: v.annual_amount.trim(), currency: v.currency });
      const p = await request('GET', `/api/rates/position?${q}`);
      if (!p.position) {
        mount(result, notice('info', p.reason || 'No published figure to compare with.'));
        return;
      }
      mount(result, h('p', { class: 'stand-answer' },
        `${money(p.amount, p.reporting_currency)} a year is ${POSITION_TEXT[p.position] || p.position} of published ${label(p.tier).toLowerCase()} retainers`,
        p.approx_percentile ? ` (about the ${p.approx_percentile}th percentile).` : '.'));
    },
  });
  return card('Where do I stand?',
    h('p', { class: 'card-text' }, 'Computed only from the published figures below; what you enter is not stored.'),
    form.el, result);
}

// Admins close the open wave from here; everyone else sees only what it published.
function closeWaveButton(user, view) {
  if (user?.role !== 'admin') return null;
  const button = h('button', { type: 'button', class: 'btn btn-secondary' }, 'Close the wave and publish');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await request('POST', '/api/waves/close');
      await renderRates(view, { user });
    } catch (err) {
      button.disabled = false;
      view.prepend(notice('error', errorMessage(err)));
    }
  });
  return button;
}

export default async function renderRates(view, { user } = {}) {
  const rates = await request('GET', '/api/rates');
  if (!rates.wave) {
    mount(view, pageHeader('Rates', null, closeWaveButton(user, view)), card(null, emptyState('Nothing has been published yet.',
      'Figures appear when an admin closes the first wave of shared engagements.')));
    return;
  }
  const currency = rates.reporting_currency || 'USD';
  mount(view,
    pageHeader('Rates', `Wave ${rates.wave.id}, published ${formatTime(rates.wave.closed_at)}. Amounts per year in ${currency}, rounded; member counts are distinct members${rates.noise ? ', with privacy noise' : ''}.`,
      closeWaveButton(user, view)),
    standCard(),
    rates.tables.map((t) => breakdown(t, currency)));
}

// One breakdown; when every cell is suppressed, one sentence says so instead of a row per cell.
function breakdown(table, currency) {
  const title = `By ${label(table.dimension).toLowerCase()}`;
  if (table.cells.length && table.cells.every((c) => c.suppressed)) {
    return card(title, h('p', { class: 'card-text' },
      `Every ${label(table.dimension).toLowerCase()} is suppressed in this wave: too few members share figures in each to publish them.`));
  }
  return card(title, h('div', { class: 'chart-scroll' }, rangeChart(table, currency)), cellTable(table, currency));
}
