// The top bar and shared page pieces (headers, cards, empty states, notices).
import { h, mount } from './dom.js';
import { canInvite } from './session.js';

function isCurrent(href, path) {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function navLink(href, label, path) {
  return h('a', { href, class: 'nav-link', 'aria-current': isCurrent(href, path) ? 'page' : false }, label);
}

// A group of links behind a button (a disclosure): a drop-down on a desktop, a labelled list in
// the phone menu. Escape or leaving it with the keyboard closes it.
function navGroup(id, label, links, path) {
  const list = h('ul', { class: 'nav-group-list', id }, links.map(([href, text]) => h('li', {}, navLink(href, text, path))));
  const current = links.some(([href]) => isCurrent(href, path));
  const button = h('button', {
    type: 'button', class: `nav-link nav-group-button${current ? ' nav-group-current' : ''}`,
    'aria-expanded': 'false', 'aria-controls': id,
  }, label, h('span', { class: 'nav-caret', 'aria-hidden': 'true' }, '▾'));
  const group = h('li', { class: 'nav-group' }, button, h('span', { class: 'nav-group-label', 'aria-hidden': 'true' }, label), list);
  const setOpen = (open) => button.setAttribute('aria-expanded', open ? 'true' : 'false');
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    group.closest('.nav')?.querySelectorAll('.nav-group-button[aria-expanded="true"]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
    setOpen(open);
  });
  group.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      button.focus();
    }
  });
  group.addEventListener('focusout', (e) => { if (!group.contains(e.relatedTarget)) setOpen(false); });
  return group;
}

// Clicks outside an open drop-down close it (one listener for the page's life).
document.addEventListener('click', (e) => {
  for (const b of document.querySelectorAll('.nav-group-button[aria-expanded="true"]')) {
    if (!b.parentElement.contains(e.target)) b.setAttribute('aria-expanded', 'false');
  }
});

// Whether this hub holds the invented demo community: asked once per page load.
let demoHub = null;
function isDemoHub() {
  demoHub ??= fetch('/api/hub', { headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : {}))
    .then((about) => about.demo === true)
    .catch(() => false);
  return demoHub;
}

// A slim line above the top bar on every page of a demo hub, so nobody mistakes it for real data.
function showDemoBanner(bar) {
  isDemoHub().then((demo) => {
    if (!demo || bar.querySelector('.demo-banner')) return;
    bar.prepend(h('p', { class: 'demo-banner' },
      h('strong', {}, 'Demo data'), ' · every person, client and figure on this hub is invented.'));
  });
}

// The main menu: one row on a desktop, grouped; behind a Menu button on a phone.
function mainNav(user, path) {
  const guide = canInvite(user) ? ['/mentoring', 'Mentoring'] : ['/assignments', 'Checklists'];
  const items = h('ul', { class: 'nav-items', id: 'main-menu' },
    h('li', {}, navLink('/', 'Cohort', path)),
    h('li', {}, navLink('/channels', 'Discussion', path)),
    navGroup('menu-clients', 'Clients', [['/pipeline', 'Pipeline'], ['/rates', 'Rates'], ['/success', 'Success']], path),
    navGroup('menu-knowhow', 'Know-how', [['/playbooks', 'Playbooks'], ['/templates', 'Templates'], guide], path),
    canInvite(user) ? h('li', {}, navLink('/admin', 'Admin', path)) : null,
    h('li', {}, navLink('/account', 'Account', path)));
  const toggle = h('button', {
    type: 'button', class: 'btn btn-secondary btn-small nav-menu-button', 'aria-expanded': 'false', 'aria-controls': 'main-menu',
  }, 'Menu');
  const nav = h('nav', { class: 'nav', 'aria-label': 'Main' }, toggle, items);
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    nav.classList.toggle('nav-open', open);
  });
  return nav;
}

export function renderTopbar(bar, user, path, onLogout) {
  showDemoBanner(bar);
  const brand = h('a', { href: '/', class: 'brand', 'aria-label': 'cohorthub home' },
    h('img', { src: '/favicon.svg', alt: '', width: 28, height: 28 }),
    h('span', {}, 'cohorthub'));
  if (!user) {
    const onAuthPage = path === '/login' || path === '/register';
    mount(bar, h('div', { class: 'topbar-inner' }, brand,
      onAuthPage ? null : h('a', { href: '/login', class: 'btn btn-secondary btn-small' }, 'Log in')));
    return;
  }
  const logout = h('button', { type: 'button', class: 'btn btn-quiet btn-small', onclick: onLogout }, 'Log out');
  mount(bar, h('div', { class: 'topbar-inner' },
    brand,
    mainNav(user, path),
    h('div', { class: 'user-menu' },
      h('span', { class: 'user-name', title: `@${user.handle}` }, user.display_name),
      logout)));
}

export function pageHeader(title, subtitle, ...actions) {
  actions = actions.filter(Boolean);
  return h('div', { class: 'page-header' },
    h('div', {},
      h('h1', { tabindex: '-1' }, title),
      subtitle ? h('p', { class: 'page-subtitle' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function card(title, ...children) {
  return h('section', { class: 'card' },
    title ? h('h2', { class: 'card-title' }, title) : null,
    children);
}

export function emptyState(title, text, action) {
  return h('div', { class: 'empty' },
    h('p', { class: 'empty-title' }, title),
    text ? h('p', { class: 'empty-text' }, text) : null,
    action || null);
}

export function notice(kind, text) {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function badge(text, kind = text) {
  return h('span', { class: `badge badge-${kind}` }, text);
}

// A button that asks once more inline (like Revoke and Restore) before it acts. Its accessible
// name is `${label} ${what}`; `action` is async.
export function confirmButton(label, confirmLabel, what, action) {
  const button = h('button', { type: 'button', class: 'btn btn-quiet btn-small btn-danger-text', 'aria-label': `${label} ${what}` }, label);
  let armed = null;
  const disarm = () => {
    clearTimeout(armed);
    armed = null;
    button.textContent = label;
    button.setAttribute('aria-label', `${label} ${what}`);
    button.classList.remove('btn-danger');
  };
  button.addEventListener('click', () => {
    if (!armed) {
      button.textContent = confirmLabel;
      button.setAttribute('aria-label', `${confirmLabel} ${what}`);
      button.classList.add('btn-danger');
      armed = setTimeout(disarm, 5000);
      return;
    }
    disarm();
    button.disabled = true;
    action().finally(() => { button.disabled = false; });
  });
  return button;
}
