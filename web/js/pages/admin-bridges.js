// /admin/bridges — admins mirror hub channels into Matrix rooms and Slack channels, and watch
// each mapping: the last change each way, how far behind it is, errors, and parked messages.
import { h, mount } from '../dom.js';
import { request, fetchAll, newestLoad } from '../api.js';
import { pageHeader, card, notice, emptyState, badge, confirmButton } from '../layout.js';
import { textField, selectField, createForm, requireFilled, errorMessage } from '../form.js';
import { isAdmin } from '../session.js';
import { dataTable } from '../table.js';
import { formatDateTime, plural } from '../format.js';

const NETWORKS = [{ value: 'matrix', label: 'Matrix' }, { value: 'slack', label: 'Slack' }];
const networkName = (n) => (NETWORKS.find((x) => x.value === n) || { label: n }).label;

function when(timestamp) {
  return timestamp ? formatDateTime(timestamp) : 'never';
}

function lagText(seconds) {
  if (!seconds) return 'up to date';
  if (seconds < 120) return `${seconds} s behind`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min behind`;
  return `${Math.round(seconds / 3600)} h behind`;
}

function mappingForm(channels, onCreated) {
  const fields = {
    channel_id: selectField({
      label: 'Hub channel', name: 'channel_id',
      options: channels.map((c) => ({ value: String(c.id), label: `#${c.name}` })),
      value: channels.length ? String(channels[0].id) : '',
    }),
    network: selectField({ label: 'Network', name: 'network', options: NETWORKS, value: 'matrix' }),
    remote_id: textField({
      label: 'Room or channel id', name: 'remote_id', required: true, maxlength: 255,
      hint: 'A Matrix room id such as !abc123:example.org (room settings → Advanced), or a Slack channel id such as C0123ABCD (channel details → About).',
    }),
  };
  const status = h('div', { 'aria-live': 'polite' });
  const form = createForm({
    fields,
    submitLabel: 'Mirror this channel',
    busyLabel: 'Saving…',
    async onSubmit(values) {
      requireFilled(values, { remote_id: 'Give the room or channel id to mirror into.' });
      const { mapping } = await request('POST', '/api/bridge/mappings', {
        channel_id: Number(values.channel_id), network: values.network, remote_id: values.remote_id.trim(),
      });
      fields.remote_id.input.value = '';
      mount(status, notice('success', `#${mapping.channel_name} is now mirrored into ${networkName(mapping.network)} ${mapping.remote_id}.`));
      await onCreated();
    },
  });
  return h('div', {}, form.el, status);
}

function parkedList(mapping, reload, status) {
  const retry = (p) => {
    const b = h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-label': `Retry message ${p.seq} to ${mapping.remote_id}` }, 'Retry');
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await request('POST', `/api/bridge/parked/${encodeURIComponent(p.id)}/retry`);
        mount(status, notice('success', `Message ${p.seq} will be sent to ${mapping.remote_id} again.`));
        await reload();
      } catch (err) {
        b.disabled = false;
        mount(status, notice('error', errorMessage(err)));
      }
    });
    return b;
  };
  return dataTable({
    caption: `Parked messages for #${mapping.channel_name} → ${networkName(mapping.network)}`,
    columns: [
      { label: 'Event', cell: (p) => String(p.seq) },
      { label: 'Attempts', cell: (p) => String(p.attempts) },
      { label: 'Last error', cell: (p) => p.error },
      { label: 'Actions', className: 'cell-actions', cell: retry },
    ],
    rows: mapping.parked,
    rowKey: (p) => p.id,
  }).el;
}

export default async function renderAdminBridges(view, { user }) {
  if (!isAdmin(user)) {
    mount(view, pageHeader('Bridges'), card(null, emptyState('Bridges are for admins.',
      'An admin chooses which channels are mirrored into Matrix rooms or Slack channels.')));
    return;
  }
  const channels = await fetchAll((cursor) => request('GET', cursor ? `/api/channels?cursor=${encodeURIComponent(cursor)}` : '/api/channels'));
  const status = h('div', { 'aria-live': 'polite' });
  const warnings = h('div', {});
  const list = h('div', {});
  const parked = h('div', {});

  const begin = newestLoad();
  async function reload() {
    const newest = begin();
    const { items, warnings: fixes = [] } = await request('GET', '/api/bridge/mappings');
    if (!newest()) return;
    // What the hub's operator should fix, e.g. server.public_origin unset: messages cut for
    // length in Matrix or Slack then carry no link back to the hub.
    mount(warnings, ...fixes.map((w) => notice('warning', `${w.charAt(0).toUpperCase()}${w.slice(1)}.`)));
    if (!items.length) {
      mount(list, emptyState('No channel is mirrored yet.',
        'Mirror a channel into a Matrix room or a Slack channel, and members there take part without leaving their chat app.'));
      mount(parked);
      return;
    }
    const remove = (m) => confirmButton('Stop', 'Confirm stop', `mirroring #${m.channel_name} to ${m.remote_id}`, async () => {
      try {
        await request('DELETE', `/api/bridge/mappings/${m.id}`);
        mount(status, notice('success', `#${m.channel_name} is no longer mirrored into ${m.remote_id}.`));
        await reload();
      } catch (err) {
        mount(status, notice('error', errorMessage(err)));
      }
    });
    const columns = [
      { label: 'Channel', cell: (m) => `#${m.channel_name}` },
      { label: 'Network', cell: (m) => networkName(m.network) },
      { label: 'Room', cell: (m) => h('code', {}, m.remote_id) },
      { label: 'Last in', cell: (m) => when(m.last_in) },
      { label: 'Last out', cell: (m) => when(m.last_out) },
      { label: 'Waiting', cell: (m) => `${m.pending} · ${lagText(m.lag)}` },
      {
        label: 'Health',
        cell: (m) => (m.status || m.parked_count
          ? h('span', {}, badge(`${m.parked_count} parked`, 'warning'), m.status ? h('span', { class: 'cell-note' }, ` ${m.status}`) : null)
          : badge('OK', 'success')),
      },
      { label: 'Actions', className: 'cell-actions', cell: remove },
    ];
    mount(list, dataTable({ caption: 'Mirrored channels', columns, rows: items, rowKey: (m) => m.id }).el);
    const troubled = items.filter((m) => m.parked_count > 0);
    const details = await Promise.all(troubled.map((m) => request('GET', `/api/bridge/mappings/${m.id}/status`)));
    if (!newest()) return;
    mount(parked, ...details.map((d) => parkedList(d, reload, status)),
      details.length ? null : h('p', { class: 'card-text' }, 'No parked messages: everything sent, or on its way.'));
  }

  mount(view,
    pageHeader('Bridges', `Mirror hub channels into Matrix rooms and Slack channels. ${plural(channels.length, 'channel')} on this hub.`),
    card('Mirror a channel', channels.length
      ? mappingForm(channels, reload)
      : emptyState('No channel yet.', 'Create a channel on the Discussion page first.', h('a', { href: '/channels', class: 'btn btn-primary' }, 'Go to Discussion'))),
    card('Mirrored channels', warnings, status, list),
    card('Parked messages', parked));
  await reload();
}
