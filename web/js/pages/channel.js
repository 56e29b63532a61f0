// /channels and /channels/:id — discussion: the channel list with unread counts (archived
// channels apart), a channel's messages with threads, a Markdown composer with preview, and live
// updates over /api/live. An archived channel is read-only: no composer, reactions or edits.
// /channels/:id#message-ID (the links back from Matrix and Slack) opens the channel scrolled to
// that message, marked, loading older history until it is found.
import { h, mount } from '../dom.js';
import { request, fetchAll } from '../api.js';
import { pageHeader, card, emptyState, notice, confirmButton } from '../layout.js';
import { errorMessage } from '../form.js';
import { formatDateTime } from '../format.js';
import { messageBody } from '../safe-html.js';
import { LiveConnection } from '../live.js';

const enc = encodeURIComponent;
const chat = {
  channels: () => fetchAll((cursor) => request('GET', `/api/channels${cursor ? `?cursor=${enc(cursor)}` : ''}`)),
  messages: (id, query = '') => request('GET', `/api/channels/${enc(id)}/messages?limit=50${query}`),
  post: (id, body) => request('POST', `/api/channels/${enc(id)}/messages`, body),
  edit: (id, body) => request('PATCH', `/api/messages/${enc(id)}`, { body }),
  remove: (id) => request('DELETE', `/api/messages/${enc(id)}`),
  react: (id, emoji) => request('POST', `/api/messages/${enc(id)}/reactions`, { emoji }),
  unreact: (id, emoji) => request('DELETE', `/api/messages/${enc(id)}/reactions/${enc(emoji)}`),
  read: (id, messageId) => request('PUT', `/api/channels/${enc(id)}/read`, { message_id: messageId }),
  preview: (body) => request('POST', '/api/render-preview', { body }),
  cohorts: () => fetchAll((cursor) => request('GET', `/api/cohorts${cursor ? `?cursor=${enc(cursor)}` : ''}`)),
  createChannel: (body) => request('POST', '/api/channels', body),
  updateChannel: (id, body) => request('PATCH', `/api/channels/${enc(id)}`, body),
};
// The message a URL's #message-ID points at, or null.
const MESSAGE_HASH = /^#message-([1-9][0-9]{0,15})$/;
const STATUS_TEXT = { connecting: 'Connecting…', live: 'Live', offline: 'Offline — will catch up' };
// Each reaction has a name: screen readers say it, and it is shown where no emoji font draws the emoji.
const REACTIONS = [['👍', 'thumbs up'], ['🎉', 'party'], ['❤️', 'heart']];

// True when this browser draws emoji in colour; otherwise reactions show their names instead.
function emojiFontPresent() {
  try {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 20;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.textBaseline = 'top';
    ctx.font = '16px "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif';
    ctx.fillText('👍', 0, 0);
    const px = ctx.getImageData(0, 0, 20, 20).data;
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] > 0 && (Math.abs(px[i] - px[i + 1]) > 30 || Math.abs(px[i + 1] - px[i + 2]) > 30)) return true;
    }
  } catch {
    // No canvas: keep the names.
  }
  return false;
}
let emojiChecked = false;
function markEmojiSupport() {
  if (emojiChecked) return;
  emojiChecked = true;
  if (!emojiFontPresent()) document.documentElement.classList.add('no-emoji-font');
}

// Opening a channel, for admins (hub-wide or any cohort) and mentors (their cohorts).
function newChannelForm(user, cohorts, onCreated) {
  const name = h('input', { id: 'channel-name', name: 'name', class: 'input', required: true, maxlength: 80, autocomplete: 'off' });
  const topic = h('input', { id: 'channel-topic', name: 'topic', class: 'input', maxlength: 500, autocomplete: 'off' });
  const where = h('select', { id: 'channel-where', name: 'cohort', class: 'input' },
    user.role === 'admin' ? h('option', { value: '' }, 'The whole hub') : null,
    cohorts.map((c) => h('option', { value: String(c.id) }, c.name)));
  const status = h('div', {});
  const form = h('form', { class: 'channel-new', novalidate: true, 'aria-label': 'New channel' },
    h('div', { class: 'field' }, h('label', { for: 'channel-name' }, 'Channel name'), name),
    h('div', { class: 'field' }, h('label', { for: 'channel-topic' }, 'Topic (optional)'), topic),
    h('div', { class: 'field' }, h('label', { for: 'channel-where' }, 'Who can read it'), where),
    status,
    h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Create channel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!name.value.trim()) {
      mount(status, notice('error', 'Give the channel a name.'));
      name.focus();
      return;
    }
    const body = { name: name.value.trim(), topic: topic.value.trim() };
    if (where.value) body.cohort_id = Number(where.value);
    try {
      const { channel } = await chat.createChannel(body);
      onCreated(channel);
    } catch (err) {
      mount(status, notice('error', errorMessage(err)));
    }
  });
  return form;
}

// A composer: a textarea with Send and Preview. onSend(body) may throw; the text stays then.
function composer({ label, placeholder, onSend }) {
  const id = `composer-${Math.random().toString(36).slice(2)}`;
  const input = h('textarea', { id, name: 'body', rows: 3, placeholder, class: 'composer-input', maxlength: 10000 });
  const alert = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const preview = h('div', { class: 'composer-preview', hidden: true, 'aria-label': 'Preview' });
  const previewBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-small' }, 'Preview');
  const send = h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Send');
  const form = h('form', { class: 'composer', novalidate: true },
    h('label', { for: id, class: 'visually-hidden' }, label), alert, input, preview,
    h('div', { class: 'composer-actions' }, previewBtn, send));
  const fail = (err) => { alert.textContent = errorMessage(err); alert.hidden = false; };
  previewBtn.addEventListener('click', async () => {
    alert.hidden = true;
    if (!input.value.trim()) return;
    try {
      const { html } = await chat.preview(input.value);
      mount(preview, messageBody(html));
      preview.hidden = false;
    } catch (err) { fail(err); }
  });
  input.addEventListener('input', () => { preview.hidden = true; });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    alert.hidden = true;
    const body = input.value;
    if (!body.trim() || send.disabled) return;
    send.disabled = true;
    try {
      await onSend(body);
      input.value = '';
      preview.hidden = true;
    } catch (err) { fail(err); } finally { send.disabled = false; }
  });
  return form;
}

// Renaming a channel (and its topic), inline in the channel header, for those who moderate it.
function renameControl(channel, onRenamed) {
  const slot = h('div', { class: 'channel-rename' });
  const open = h('button', { type: 'button', class: 'btn btn-quiet btn-small' }, 'Rename');
  const show = () => {
    const name = h('input', { id: 'rename-name', class: 'input', value: channel.name, maxlength: 80, required: true });
    const topic = h('input', { id: 'rename-topic', class: 'input', value: channel.topic || '', maxlength: 500 });
    const status = h('div', {});
    const form = h('form', { class: 'channel-new', novalidate: true, 'aria-label': `Rename # ${channel.name}` },
      h('div', { class: 'field' }, h('label', { for: 'rename-name' }, 'New name'), name),
      h('div', { class: 'field' }, h('label', { for: 'rename-topic' }, 'Topic'), topic),
      status,
      h('div', { class: 'composer-actions' },
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => { mount(slot, open); open.focus(); } }, 'Cancel'),
        h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Save name')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!name.value.trim()) { mount(status, notice('error', 'Give the channel a name.')); name.focus(); return; }
      try {
        await chat.updateChannel(channel.id, { name: name.value.trim(), topic: topic.value.trim() });
        onRenamed();
      } catch (err) {
        mount(status, notice('error', errorMessage(err)));
      }
    });
    mount(slot, form);
    name.focus();
  };
  open.addEventListener('click', show);
  mount(slot, open);
  return slot;
}

// Archiving a channel (read-only, kept) or bringing it back, for those who moderate it.
function archiveControl(channel, onChanged, onError) {
  const archived = channel.archived === true;
  const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `${archived ? 'Unarchive' : 'Archive'} # ${channel.name}` },
    archived ? 'Unarchive' : 'Archive');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await chat.updateChannel(channel.id, { archived: !archived });
      onChanged();
    } catch (err) {
      button.disabled = false;
      onError(err);
    }
  });
  return button;
}

export default async function renderChannels(view, { user, routeParams, navigate }) {
  markEmojiSupport();
  const canCreate = user.role === 'admin' || user.role === 'mentor';
  const [channels, cohorts] = await Promise.all([chat.channels(), canCreate ? chat.cohorts() : []]);
  const header = pageHeader('Discussion', 'Compare notes with your cohort. Messages appear live.');
  const creator = () => (canCreate && (user.role === 'admin' || cohorts.length)
    ? newChannelForm(user, cohorts, (channel) => navigate(`/channels/${channel.id}`))
    : null);
  if (!channels.length) {
    mount(view, header, card(null, emptyState('No channels yet.',
      canCreate ? 'Open the first one below.' : 'A mentor or an admin opens the first channel.')),
    canCreate ? card('New channel', creator()) : null);
    return;
  }
  const current = channels.find((c) => String(c.id) === routeParams.id) || channels.find((c) => !c.archived) || channels[0];
  if (!routeParams.id) return navigate(`/channels/${current.id}`, { replace: true });

  const byId = new Map();   // message id → its <li>
  const known = new Map();  // message id → message
  const status = h('span', { class: 'live-status', role: 'status', 'data-state': 'connecting' }, STATUS_TEXT.connecting);
  const channelLinks = new Map();

  function unreadBadge(n) {
    return n ? h('span', { class: 'channel-unread', 'aria-label': `${n} unread` }, String(n)) : null;
  }
  // Open channels first; archived ones apart, under their own label. Rebuilt when one changes.
  const nav = h('nav', { class: 'channel-list', 'aria-label': 'Channels' });
  function renderNav() {
    channelLinks.clear();
    const item = (c) => {
      const link = h('a', { href: `/channels/${c.id}`, 'aria-current': c.id === current.id ? 'page' : false },
        h('span', { class: 'channel-name' }, `# ${c.name}`), unreadBadge(c.id === current.id ? 0 : c.unread));
      channelLinks.set(c.id, { link, channel: c });
      return h('li', {}, link);
    };
    const open = channels.filter((c) => !c.archived), archived = channels.filter((c) => c.archived);
    mount(nav, h('ul', {}, open.map(item)),
      archived.length ? h('p', { class: 'channel-group', id: 'archived-channels' }, 'Archived') : null,
      archived.length ? h('ul', { 'aria-labelledby': 'archived-channels' }, archived.map(item)) : null);
  }
  renderNav();
  function bumpUnread(channelId) {
    const entry = channelLinks.get(channelId);
    if (!entry || channelId === current.id) return;
    entry.channel.unread = (entry.channel.unread || 0) + 1;
    entry.link.querySelector('.channel-unread')?.remove();
    entry.link.append(unreadBadge(entry.channel.unread));
  }

  const list = h('ol', { class: 'message-list', 'aria-label': `Messages in ${current.name}`, 'aria-live': 'polite' });
  const olderBtn = h('button', { type: 'button', class: 'btn btn-quiet btn-small', hidden: true }, 'Load older messages');
  const threadSlot = h('aside', { class: 'thread-panel', hidden: true, 'aria-label': 'Thread' });
  let thread = null;  // { root, list }
  let olderCursor = null;
  const targetNotice = h('div', {});
  let targetId = null;  // the message #message-ID points at, marked wherever it is drawn

  const canModerate = current.can_moderate === true;  // the server's policy says where
  const readOnly = current.archived === true;          // posting, editing and reacting are refused there

  // A bridged author (a ghost) writes from another network: "via Matrix", "via Slack".
  function viaMark(via) {
    if (!via) return null;
    const name = via === 'matrix' ? 'Matrix' : via === 'slack' ? 'Slack' : via;
    return h('span', { class: 'message-via', title: `Bridged from ${name}` }, ` via ${name}`);
  }

  function messageItem(m) {
    const mine = m.author.id === user.id;
    const li = h('li', { class: `message${m.deleted ? ' message-deleted' : ''}`, 'data-id': m.id });
    if (m.id === targetId && !m.thread_root) {
      li.classList.add('message-target');
      li.setAttribute('aria-current', 'true');
      li.tabIndex = -1;
    }
    const meta = h('div', { class: 'message-meta' },
      h('span', { class: 'message-author' }, m.author.display_name),
      viaMark(m.author.via),
      h('span', { class: 'message-handle' }, ` @${m.author.handle} · `),
      h('time', { datetime: m.created_at }, formatDateTime(m.created_at)),
      m.edited_at && !m.deleted ? h('span', { class: 'message-edited', title: `Edited ${formatDateTime(m.edited_at)}` }, ' (edited)') : null);
    if (m.deleted) {
      mount(li, meta, h('p', { class: 'message-tombstone' }, 'This message was deleted.'));
      return li;
    }
    const actions = h('div', { class: 'message-actions' });
    if (readOnly) {  // reactions as they stand, not as buttons
      for (const r of m.reactions) {
        const name = REACTIONS.find(([e]) => e === r.emoji)?.[1] || r.emoji;
        actions.append(h('span', { class: 'reaction reaction-static', title: r.handles.map((x) => `@${x}`).join(', ') },
          h('span', { class: 'reaction-emoji', 'aria-hidden': 'true' }, r.emoji),
          h('span', { class: 'reaction-name', 'aria-hidden': 'true' }, name),
          h('span', { class: 'reaction-count', 'aria-hidden': 'true' }, String(r.count)),
          h('span', { class: 'visually-hidden' }, `${name}: ${r.count}`)));
      }
    }
    for (const [emoji, name] of readOnly ? [] : REACTIONS) {
      const r = m.reactions.find((x) => x.emoji === emoji);
      const pressed = !!r && r.handles.includes(user.handle);
      actions.append(h('button', {
        type: 'button', class: 'btn btn-quiet btn-small reaction', 'aria-pressed': pressed ? 'true' : 'false',
        'aria-label': `React with ${name}${r ? `: ${r.count} so far` : ''}`,
        title: r ? `${name}: ${r.handles.map((x) => `@${x}`).join(', ')}` : name,
        onclick: () => (pressed ? chat.unreact(m.id, emoji) : chat.react(m.id, emoji)).then(apply).catch(showError),
      }, h('span', { class: 'reaction-emoji', 'aria-hidden': 'true' }, emoji),
      h('span', { class: 'reaction-name', 'aria-hidden': 'true' }, name),
      r ? h('span', { class: 'reaction-count', 'aria-hidden': 'true' }, String(r.count)) : null));
    }
    if (!m.thread_root && (m.reply_count || !readOnly)) {
      actions.append(h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => openThread(m) },
        m.reply_count ? `${m.reply_count} ${m.reply_count === 1 ? 'reply' : 'replies'}` : 'Reply in thread'));
    }
    if (mine && !readOnly) actions.append(h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => startEdit(li, m) }, 'Edit'));
    if (mine || canModerate) {
      actions.append(confirmButton('Delete', 'Confirm delete', `message by ${m.author.display_name}`,
        () => chat.remove(m.id).then(apply).catch(showError)));
    }
    mount(li, meta, messageBody(m.html), actions);
    return li;
  }

  function startEdit(li, m) {
    const input = h('textarea', { class: 'composer-input', rows: 3, 'aria-label': 'Edit message', value: m.body });
    const form = h('form', { class: 'message-edit' }, input,
      h('div', { class: 'composer-actions' },
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => li.replaceWith(messageItem(known.get(m.id))) }, 'Cancel'),
        h('button', { type: 'submit', class: 'btn btn-primary btn-small' }, 'Save')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      chat.edit(m.id, input.value).then(apply).catch(showError);
    });
    li.replaceChildren(form);
    input.focus();
  }

  const errors = h('div', {});
  function showError(err) { mount(errors, notice('error', errorMessage(err))); }

  // Shows a message (new or changed) wherever it belongs.
  function place(m) {
    known.set(m.id, m);
    const fresh = messageItem(m);
    const old = byId.get(m.id);
    byId.set(m.id, fresh);
    if (old && old.isConnected) { old.replaceWith(fresh); }
    else if (m.thread_root === null) { list.append(fresh); }
    if (thread && m.thread_root === thread.root.id) {
      const tOld = thread.items.get(m.id);
      const tFresh = messageItem(m);
      thread.items.set(m.id, tFresh);
      if (tOld) tOld.replaceWith(tFresh); else thread.list.append(tFresh);
    }
    if (thread && m.id === thread.root.id) mount(thread.rootSlot, messageItem(m));
  }
  function apply(res) { if (res && res.message && res.message.channel_id === current.id) place(res.message); }

  async function openThread(root) {
    const items = new Map();
    const tlist = h('ol', { class: 'message-list thread-list', 'aria-label': 'Replies' });
    const rootSlot = h('ol', { class: 'message-list thread-root', 'aria-label': 'Thread start' }, messageItem(root));
    thread = { root, list: tlist, items, rootSlot };
    mount(threadSlot,
      h('div', { class: 'thread-header' }, h('h2', {}, 'Thread'),
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: () => { thread = null; threadSlot.hidden = true; } }, 'Close thread')),
      rootSlot, tlist,
      readOnly ? null : composer({ label: 'Reply in thread', placeholder: 'Reply…', onSend: (body) => chat.post(current.id, { body, thread_root: root.id }).then(apply) }));
    threadSlot.hidden = false;
    const page = await chat.messages(current.id, `&thread=${root.id}`);
    // Replies may have arrived live (or from this user) while the page loaded: merge by id, in
    // order, so none shows twice. A thread closed or switched meanwhile keeps its own list.
    if (!thread || thread.list !== tlist) return;
    for (const m of page.items) if (!items.has(m.id)) items.set(m.id, messageItem(m));
    tlist.replaceChildren(...[...items.entries()].sort((x, y) => x[0] - y[0]).map(([, li]) => li));
  }

  let lastMarked = 0;
  function markRead() {
    const last = [...known.keys()].reduce((a, b) => Math.max(a, b), 0);
    if (last > lastMarked && document.visibilityState !== 'hidden') {
      lastMarked = last;
      chat.read(current.id, last).catch(() => {});
    }
  }

  async function loadLatest() {
    const page = await chat.messages(current.id);
    list.replaceChildren();
    byId.clear();
    for (const m of page.items) place(m);
    olderCursor = page.older;
    olderBtn.hidden = olderCursor === null;
    markRead();
  }
  async function loadOlder() {
    const page = await chat.messages(current.id, `&before=${olderCursor}`);
    const first = list.firstChild;
    for (const m of page.items) {
      known.set(m.id, m);
      const li = messageItem(m);
      byId.set(m.id, li);
      list.insertBefore(li, first);
    }
    olderCursor = page.older;
    olderBtn.hidden = olderCursor === null;
  }
  olderBtn.addEventListener('click', () => { loadOlder().catch(showError); });

  // Scrolls to the message `hash` names and marks it (aria-current, focus), loading older pages
  // until it is there or the channel's start is reached; says so when it is not in the channel.
  async function reveal(hash) {
    const match = MESSAGE_HASH.exec(hash);
    mount(targetNotice);
    if (!match) return;
    const id = Number(match[1]);
    for (const li of list.querySelectorAll('.message-target')) {
      li.classList.remove('message-target');
      li.removeAttribute('aria-current');
    }
    targetId = id;
    while (!byId.get(id)?.isConnected && olderCursor !== null && view.isConnected) await loadOlder();
    const li = byId.get(id);
    if (!view.isConnected || targetId !== id) return;  // left, or another link was followed meanwhile
    if (!li?.isConnected) {
      mount(targetNotice, notice('info', 'That message was deleted or is not in this channel.'));
      return;
    }
    li.classList.add('message-target');
    li.setAttribute('aria-current', 'true');
    li.tabIndex = -1;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    li.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
    li.focus({ preventScroll: true });
  }
  const onHashChange = () => {
    if (!view.isConnected) { window.removeEventListener('hashchange', onHashChange); return; }
    reveal(location.hash).catch(showError);
  };
  window.addEventListener('hashchange', onHashChange);

  const live = new LiveConnection({
    channels: channels.map((c) => c.id),
    onStatus: (state) => { status.dataset.state = state; status.textContent = STATUS_TEXT[state]; },
    onResync: () => { loadLatest().catch(showError); },
    onEvent: (frame) => {
      if (!view.isConnected) { live.stop(); return; }
      if (frame.kind === 'channel.updated') { channelChanged(frame.channel); return; }
      if (frame.channel_id !== current.id) {
        if (frame.kind === 'message.posted' && frame.message.author.id !== user.id && !frame.message.thread_root) bumpUnread(frame.channel_id);
        return;
      }
      place(frame.message);
      markRead();
    },
  });
  // A rename or an archive, here or by someone else: the list follows; the open channel shows its
  // new name at once, and a change to its archive state redraws the page (what may be done changed).
  function channelChanged(changed) {
    const entry = channels.find((c) => c.id === changed.id);
    if (!entry) return;
    const archiveChanged = entry.archived !== changed.archived;
    Object.assign(entry, { name: changed.name, topic: changed.topic, archived: changed.archived, archived_at: changed.archived_at });
    if (changed.id === current.id && archiveChanged) { live.stop(); navigate(`/channels/${current.id}`, { replace: true }); return; }
    renderNav();
    if (changed.id === current.id) {
      title.textContent = `# ${entry.name}`;
      topicLine.textContent = entry.topic || '';
      topicLine.hidden = !entry.topic;
    }
  }
  const watchdog = setInterval(() => { if (!view.isConnected) { live.stop(); clearInterval(watchdog); } }, 1000);

  const title = h('h2', { class: 'channel-title' }, `# ${current.name}`);
  const topicLine = h('p', { class: 'channel-topic', hidden: !current.topic }, current.topic || '');
  const reload = () => { live.stop(); navigate(`/channels/${current.id}`, { replace: true }); };
  const newChannel = canCreate && (user.role === 'admin' || cohorts.length)
    ? h('details', { class: 'channel-new-panel' }, h('summary', {}, 'New channel'), creator())
    : null;
  mount(view, header,
    h('div', { class: 'channels-layout' },
      h('div', { class: 'channel-side' }, nav, newChannel),
      h('section', { class: 'channel-main', 'aria-label': `# ${current.name}` },
        h('div', { class: 'channel-header' },
          title, topicLine,
          readOnly ? h('span', { class: 'badge badge-archived' }, 'Archived') : null,
          status,
          canModerate ? renameControl(current, reload) : null,
          canModerate ? archiveControl(current, reload, showError) : null),
        errors, targetNotice, olderBtn, list,
        readOnly
          ? notice('info', 'This channel is archived: its history stays here to read, but nobody can post, edit or react in it.')
          : composer({ label: `Message # ${current.name}`, placeholder: `Message # ${current.name} (Markdown)`,
            onSend: (body) => chat.post(current.id, { body }).then(apply) })),
      threadSlot));
  await loadLatest();
  await reveal(location.hash);
}
