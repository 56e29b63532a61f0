// /unsubscribe?token=… — the page behind a message's unsubscribe link; works without logging in.
// Opening it changes nothing (mail scanners open links); the button turns that one kind of mail off.
import { h, mount } from '../dom.js';
import { request } from '../api.js';
import { pageHeader, card, notice } from '../layout.js';
import { errorMessage } from '../form.js';

const NAMES = {
  digest: 'your digest', mentions: 'mail when someone mentions you',
  review_requests: 'mail when a proposal awaits your review',
  reviews: 'the proposals awaiting your review in your digest',
  renewals: 'renewal reminders', mentees: 'the weekly mentee summary',
};

export default async function renderUnsubscribe(view) {
  const token = new URLSearchParams(location.search).get('token') || '';
  const status = h('div', { 'aria-live': 'polite' });
  mount(view, pageHeader('Unsubscribe'), card(null, status));
  let info;
  try {
    info = await request('GET', `/api/unsubscribe?token=${encodeURIComponent(token)}`);
  } catch (err) {
    mount(status, notice('error', errorMessage(err)));
    return;
  }
  const what = NAMES[info.kind] || info.kind;
  if (info.used) {
    mount(status, notice('success', `You are already unsubscribed from ${what}.`));
    return;
  }
  const button = h('button', { type: 'button', class: 'btn btn-primary' }, `Stop ${what}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await request('POST', `/api/unsubscribe?token=${encodeURIComponent(token)}`);
      mount(status, notice('success', `Done: you will get no more ${what}. Other mail is unchanged.`));
    } catch (err) {
      button.disabled = false;
      mount(status, notice('error', errorMessage(err)), button);
    }
  });
  mount(status, h('p', { class: 'card-text' }, `Stop ${what}? Other mail from this hub stays as it is.`), button);
}
