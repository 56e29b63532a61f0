// /pipeline — my private pipeline of client engagements: stage and days in stage, upcoming
// renewals, clients gone quiet, and the "share anonymously" switch. Nobody else sees these rows.
import { h, mount } from '../dom.js';
import { request, fetchAll, newestLoad } from '../api.js';
import { pageHeader, card, emptyState, badge } from '../layout.js';
import { createForm, selectField, textField, errorMessage } from '../form.js';
import { formatDay, today } from '../format.js';

const STAGES = ['prospect', 'talking', 'quoted', 'signed', 'active', 'renewed', 'churned', 'lost'];
const TIERS = ['sustaining', 'reciprocal', 'advisory'];
const REGIONS = ['africa', 'asia', 'europe', 'latin_america', 'middle_east', 'north_america', 'oceania'];
const ECOSYSTEMS = ['c_cpp', 'dotnet', 'go', 'java_jvm', 'javascript', 'php', 'python', 'ruby', 'rust', 'other'];
const CHANNELS = ['champion', 'inbound', 'conference', 'referral', 'other'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'INR', 'BRL'];
// The vocabularies' human names, as Rates shows them.
const NAMES = {
  prospect: 'Prospect', talking: 'Talking', quoted: 'Quoted', signed: 'Signed', active: 'Active', renewed: 'Renewed',
  churned: 'Churned', lost: 'Lost',
  sustaining: 'Sustaining', reciprocal: 'Reciprocal', advisory: 'Advisory',
  africa: 'Africa', asia: 'Asia', europe: 'Europe', latin_america: 'Latin America', middle_east: 'Middle East',
  north_america: 'North America', oceania: 'Oceania', c_cpp: 'C/C++', dotnet: '.NET', go: 'Go', java_jvm: 'Java/JVM',
  javascript: 'JavaScript', php: 'PHP', python: 'Python', ruby: 'Ruby', rust: 'Rust', other: 'Other',
  champion: 'Engineering champion', inbound: 'Inbound', conference: 'Conference', referral: 'Referral',
};
const named = (v) => NAMES[v] || v;
const opts = (list) => list.map((v) => ({ value: v, label: named(v) }));
const SIGNED_STAGES = ['signed', 'active', 'renewed'];
const QUIET_DAYS = 42;

// A checkbox that fits createForm: its value is "yes" when ticked.
function checkboxField({ label, name, checked, hint }) {
  const id = `field-${name}`;
  const control = h('input', { type: 'checkbox', id, name, checked });
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const input = { get value() { return control.checked ? 'yes' : 'no'; }, focus: () => control.focus(), setAttribute: (...a) => control.setAttribute(...a), removeAttribute: (...a) => control.removeAttribute(...a) };
  return {
    el: h('div', { class: 'field field-check' }, h('label', { for: id }, control, ` ${label}`), hint ? h('p', { class: 'field-hint' }, hint) : null, error),
    input,
    label,
    setError(message) { error.textContent = message; error.hidden = false; },
    clearError() { error.textContent = ''; error.hidden = true; },
  };
}

function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function newEngagementForm(onSaved) {
  const fields = {
    label: textField({ label: 'Client (private label)', name: 'label', required: true, hint: 'Only you ever see this.' }),
    stage: selectField({ label: 'Stage', name: 'stage', options: opts(STAGES) }),
    tier: selectField({ label: 'Tier', name: 'tier', options: opts(TIERS) }),
    annual_amount: textField({ label: 'Annual amount', name: 'annual_amount', inputmode: 'numeric', required: true }),
    currency: selectField({ label: 'Currency', name: 'currency', options: opts(CURRENCIES) }),
    ecosystem: selectField({ label: 'Ecosystem', name: 'ecosystem', options: opts(ECOSYSTEMS) }),
    region: selectField({ label: 'Client region', name: 'region', options: opts(REGIONS), value: 'europe' }),
    hours_per_month: textField({ label: 'Hours per month', name: 'hours_per_month', inputmode: 'numeric', value: '8' }),
    channel: selectField({ label: 'Sales channel', name: 'channel', options: opts(CHANNELS) }),
    first_contact_on: textField({ label: 'First contact', name: 'first_contact_on', type: 'date', value: today() }),
    signed_on: textField({ label: 'Signed on', name: 'signed_on', type: 'date', hint: 'Leave empty until signed.' }),
    term_months: textField({ label: 'Term (months)', name: 'term_months', inputmode: 'numeric', value: '12' }),
    shared: checkboxField({ label: 'Share anonymously', name: 'shared', checked: true, hint: 'Counts it, without your name or the client, in the published rates.' }),
  };
  const number = (v) => (/^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v.trim());
  const form = createForm({
    fields,
    submitLabel: 'Add engagement',
    busyLabel: 'Saving…',
    className: 'engagement-form',
    onSubmit: async (v) => {
      const body = {
        ...v,
        annual_amount: number(v.annual_amount),
        hours_per_month: number(v.hours_per_month),
        term_months: number(v.term_months),
        shared: fields.shared.input.value === 'yes',
      };
      if (!body.signed_on) delete body.signed_on;
      await request('POST', '/api/engagements', body);
      fields.label.input.value = '';
      fields.annual_amount.input.value = '';
      await onSaved();
    },
  });
  return form.el;
}

// A client goes quiet when not contacted for six weeks; a deal signed recently is a contact.
function isQuiet(e) {
  return e.quiet && !(SIGNED_STAGES.includes(e.stage) && e.days_in_stage < QUIET_DAYS);
}

function engagementRow(e, refresh, report) {
  const act = (label, fn) => h('button', {
    type: 'button', class: 'btn btn-quiet btn-small',
    onclick: async () => {
      try { await fn(); await refresh(); } catch (err) { report(errorMessage(err)); }
    },
  }, label);
  // One menu of actions per row, so the table fits a desktop window.
  const menu = h('details', { class: 'row-menu' },
    h('summary', { class: 'btn btn-secondary btn-small', 'aria-label': `Actions for ${e.label}` }, 'Actions'),
    h('div', { class: 'row-menu-items' },
      act('Contacted today', () => request('PATCH', `/api/engagements/${e.id}`, { last_contact_on: today() })),
      SIGNED_STAGES.includes(e.stage) ? act('Renewed', () => request('POST', `/api/engagements/${e.id}/renewals`, { outcome: 'renewed', decided_on: today() })) : null,
      SIGNED_STAGES.includes(e.stage) ? act('Churned', () => request('POST', `/api/engagements/${e.id}/renewals`, { outcome: 'churned', decided_on: today() })) : null,
      act(e.shared ? 'Stop sharing' : 'Share', () => request('PATCH', `/api/engagements/${e.id}`, { shared: !e.shared })),
      act('Delete', () => request('DELETE', `/api/engagements/${e.id}`))));
  return h('tr', { 'data-id': e.id },
    h('th', { scope: 'row', class: 'client-label' }, e.label, isQuiet(e) ? h('span', { class: 'quiet-flag', title: 'Not contacted for six weeks' }, ' quiet') : null),
    h('td', { 'data-label': 'Stage' }, badge(named(e.stage), `stage-${e.stage}`)),
    h('td', { 'data-label': 'Days in stage' }, String(e.days_in_stage)),
    h('td', { 'data-label': 'Tier' }, named(e.tier)),
    h('td', { 'data-label': 'Amount / year' }, `${e.annual_amount.toLocaleString()} ${e.currency}`),
    h('td', { 'data-label': 'Next renewal' }, e.next_renewal_on ? formatDay(e.next_renewal_on) : '—'),
    h('td', { 'data-label': 'Sharing' }, e.shared ? 'Shared' : 'Private'),
    h('td', { class: 'cell-actions' }, menu));
}

export default async function renderPipeline(view) {
  const list = h('div', { class: 'pipeline-list' });
  const side = h('div', { class: 'pipeline-side' });
  const status = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const report = (message) => { status.textContent = message; status.hidden = !message; };
  const begin = newestLoad();
  const refresh = async () => {
    const newest = begin();
    report('');
    const items = await fetchAll((cursor) => request('GET', `/api/engagements?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    if (!newest()) return;
    if (!items.length) {
      mount(list, emptyState('Your pipeline is empty.', 'Add the clients you are talking to; only you see them.'));
    } else {
      mount(list, h('table', { class: 'table pipeline-table', 'aria-label': 'My engagements' },
        h('thead', {}, h('tr', {}, ['Client', 'Stage', 'Days in stage', 'Tier', 'Amount / year', 'Next renewal', 'Sharing', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((e) => engagementRow(e, refresh, report)))));
    }
    const soon = addDays(today(), 90);
    const renewals = items.filter((e) => e.next_renewal_on && e.next_renewal_on <= soon)
      .sort((a, b) => a.next_renewal_on.localeCompare(b.next_renewal_on));
    const quiet = items.filter(isQuiet);
    mount(side,
      card('Renewals in the next 90 days', renewals.length
        ? h('ul', { class: 'renewal-list', 'aria-label': 'Upcoming renewals' }, renewals.map((e) => h('li', {}, `${formatDay(e.next_renewal_on)}: ${e.label}`)))
        : emptyState('No renewal due soon.')),
      card('Quiet clients', quiet.length
        ? h('ul', { class: 'quiet-list', 'aria-label': 'Quiet clients' }, quiet.map((e) => h('li', {}, `${e.label}: last contact ${formatDay(e.last_contact_on || e.first_contact_on)}`)))
        : emptyState('Everyone heard from you recently.', 'A client that never hears from you may not renew.')));
  };
  mount(view,
    pageHeader('Pipeline', 'Your private engagements. Tick “Share anonymously” to count one in the published rates.'),
    status,
    h('div', { class: 'pipeline-layout' }, card('Engagements', list), side),
    card('Add an engagement', newEngagementForm(refresh)));
  await refresh();
}
