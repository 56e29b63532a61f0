// The top bar and shared page pieces (headers, cards, empty states, notices).
import { h, mount } from './dom.js';
import { canInvite } from './session.js';

function navLink(href, label, path) {
  const current = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
  return h('a', { href, class: 'nav-link', 'aria-current': current ? 'page' : false }, label);
}

export function renderTopbar(bar, user, path, onLogout) {
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
    h('nav', { class: 'nav', 'aria-label': 'Main' },
      navLink('/', 'Cohort', path),
      navLink('/channels', 'Discussion', path),
      navLink('/pipeline', 'Pipeline', path),
      navLink('/rates', 'Rates', path),
      navLink('/success', 'Success', path),
      navLink('/playbooks', 'Playbooks', path),
      navLink('/templates', 'Templates', path),
      canInvite(user) ? navLink('/mentoring', 'Mentoring', path) : navLink('/assignments', 'Checklists', path),
      canInvite(user) ? navLink('/admin', 'Admin', path) : null,
      navLink('/account', 'Account', path)),
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
