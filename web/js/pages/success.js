// /success — a cohort's success as of the last published wave: first-renewal rate, the engagement
// survival curve with its 95% bounds (SVG), time from joining to the first client, join quarters.
import { h, mount } from '../dom.js';
import { request, fetchAll, newestLoad } from '../api.js';
import { pageHeader, card, emptyState } from '../layout.js';
import { selectField } from '../form.js';
import { formatTime } from '../format.js';
import { svg, scale, ticks } from './rates-svg.js';

// The step function through points (month, value), starting at (0, 1).
function stepPath(points, x, y, key) {
  let d = `M${x(0)},${y(1)}`;
  let last = 1;
  for (const p of points) {
    const v = p[key] ?? last;
    d += ` H${x(p.month)} V${y(v)}`;
    last = v;
  }
  return d;
}

function survivalChart(points) {
  const W = 640, H = 300, left = 48, right = 16, top = 12, bottom = 40;
  const maxMonth = Math.max(12, ...points.map((p) => p.month)) * 1.05;
  const x = scale(0, maxMonth, left, W - right);
  const y = scale(0, 1, H - bottom, top);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart survival-chart', role: 'img',
    'aria-label': 'Engagement survival: the share of engagements not yet churned, by months since signature, with 95% bounds' });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    chart.append(svg('line', { x1: left, x2: W - right, y1: y(t), y2: y(t), class: 'chart-grid' }),
      svg('text', { x: left - 6, y: y(t) + 4, class: 'chart-tick', 'text-anchor': 'end' }, `${Math.round(t * 100)}%`));
  }
  for (const t of ticks(maxMonth, 6)) {
    chart.append(svg('text', { x: x(t), y: H - bottom + 16, class: 'chart-tick', 'text-anchor': 'middle' }, String(t)));
  }
  chart.append(svg('text', { x: (left + W - right) / 2, y: H - 6, class: 'chart-axis', 'text-anchor': 'middle' }, 'months since signature'));
  chart.append(svg('path', { d: stepPath(points, x, y, 'upper'), class: 'chart-bound' }),
    svg('path', { d: stepPath(points, x, y, 'lower'), class: 'chart-bound' }),
    svg('path', { d: stepPath(points, x, y, 'survival'), class: 'chart-curve' }));
  for (const p of points) {
    chart.append(svg('circle', { cx: x(p.month), cy: y(p.survival), r: 3, class: 'chart-point' },
      svg('title', {}, `${p.month.toFixed(1)} months: ${(p.survival * 100).toFixed(0)}% (95%: ${((p.lower ?? 0) * 100).toFixed(0)}–${((p.upper ?? 1) * 100).toFixed(0)}%), ${p.at_risk} at risk`)));
  }
  return chart;
}

function renderSuccess(slot, s) {
  if (!s.wave) {
    mount(slot, card(null, emptyState('Nothing has been published for this cohort yet.',
      'Success figures appear when a wave closes with enough shared engagements.')));
    return;
  }
  const fr = s.first_renewal || {};
  const rate = fr.suppressed
    ? h('dd', {}, 'Not enough decided renewals to publish')
    : h('dd', {}, `${Math.round(fr.rate * 100)}%`, h('span', { class: 'stat-note' }, ` ${fr.renewed} of ${fr.decided} renewed`));
  const days = s.median_days_to_first_client;
  mount(slot,
    h('p', { class: 'page-subtitle' }, `As of wave ${s.wave.id}, published ${formatTime(s.wave.closed_at)}.`),
    h('dl', { class: 'stats success-stats' },
      h('div', { class: 'stat' }, h('dt', {}, 'First-renewal rate'), rate),
      h('div', { class: 'stat' }, h('dt', {}, 'Median time to first client'),
        h('dd', {}, days === null || days === undefined ? 'Too few members to publish' : `${days} days after joining`)),
      h('div', { class: 'stat' }, h('dt', {}, 'Median engagement lifetime'),
        h('dd', {}, s.median_survival_months ? `${s.median_survival_months.toFixed(1)} months` : h('span', {}, 'Not enough renewals yet to tell',
          h('span', { class: 'stat-note' }, ' More than half of the engagements are still running.'))))),
    card('Engagement survival',
      s.survival.length
        ? survivalChart(s.survival)
        : emptyState('Too few engagements at risk to draw the curve.', 'Points are shown only while at least 10 members are at risk.')),
    card('By join quarter', s.join_quarters.length
      ? h('table', { class: 'table', 'aria-label': 'Members by join quarter' },
        h('thead', {}, h('tr', {}, ['Joined', 'Members sharing', 'With a signed client'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, s.join_quarters.map((q) => (q.suppressed
          ? h('tr', { class: 'suppressed' }, h('th', { scope: 'row' }, q.quarter), h('td', { colspan: 2 }, 'Suppressed'))
          : h('tr', {}, h('th', { scope: 'row' }, q.quarter), h('td', {}, String(q.members)), h('td', {}, String(q.with_client)))))))
      : emptyState('No members share yet.')));
}

export default async function renderSuccessPage(view) {
  const cohorts = await fetchAll((cursor) => request('GET', `/api/cohorts${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`));
  if (!cohorts.length) {
    mount(view, pageHeader('Cohort success'), card(null, emptyState('You are not in a cohort yet.')));
    return;
  }
  const slot = h('div', { class: 'success-slot' });
  const field = selectField({ label: 'Cohort', name: 'cohort', options: cohorts.map((c) => ({ value: c.id, label: c.name })) });
  const begin = newestLoad();
  const load = async () => {
    const newest = begin();
    const success = await request('GET', `/api/cohorts/${encodeURIComponent(field.input.value)}/success`);
    if (newest()) renderSuccess(slot, success);
  };
  field.input.addEventListener('change', () => { load().catch((err) => console.warn(err)); });
  mount(view, pageHeader('Cohort success', 'Did clients renew after the first year? Only shared engagements count.'),
    cohorts.length > 1 ? field.el : null, slot);
  await load();
}
