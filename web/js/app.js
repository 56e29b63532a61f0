// Entry point: routes, the signed-in guard, and the top bar.
import { h, mount } from './dom.js';
import { api, ApiError } from './api.js';
import { startRouter, navigate, safeNext } from './router.js';
import { currentUser, refreshUser, forgetUser } from './session.js';
import { renderTopbar, card } from './layout.js';
import { errorMessage } from './form.js';

const routes = {
  '/': { title: 'Cohort', signedIn: true, load: () => import('./pages/home.js') },
  '/channels': { title: 'Discussion', signedIn: true, load: () => import('./pages/channel.js') },
  '/channels/:id': { title: 'Discussion', signedIn: true, load: () => import('./pages/channel.js') },
  '/pipeline': { title: 'Pipeline', signedIn: true, load: () => import('./pages/pipeline.js') },
  '/rates': { title: 'Rates', signedIn: true, load: () => import('./pages/rates.js') },
  '/success': { title: 'Cohort success', signedIn: true, load: () => import('./pages/success.js') },
  '/playbooks': { title: 'Playbooks', signedIn: true, load: () => import('./pages/playbook-list.js') },
  '/playbooks/new': { title: 'New playbook', signedIn: true, load: () => import('./pages/playbook-edit.js') },
  '/playbooks/:slug': { title: 'Playbook', signedIn: true, load: () => import('./pages/playbook-view.js') },
  '/playbooks/:slug/edit': { title: 'Edit playbook', signedIn: true, load: () => import('./pages/playbook-edit.js') },
  '/playbooks/:slug/history': { title: 'History', signedIn: true, load: () => import('./pages/playbook-history.js') },
  '/playbooks/:slug/diff': { title: 'Compare revisions', signedIn: true, load: () => import('./pages/playbook-diff.js') },
  '/playbooks/:slug/proposals': { title: 'Proposals', signedIn: true, load: () => import('./pages/playbook-proposals.js') },
  '/proposals/:id': { title: 'Proposal', signedIn: true, load: () => import('./pages/playbook-proposal.js') },
  '/templates': { title: 'Templates', signedIn: true, load: () => import('./pages/template-gallery.js') },
  '/templates/new': { title: 'New template', signedIn: true, load: () => import('./pages/template-edit.js') },
  '/templates/:slug': { title: 'Template', signedIn: true, load: () => import('./pages/template-view.js') },
  '/templates/:slug/edit': { title: 'Edit template', signedIn: true, load: () => import('./pages/template-edit.js') },
  '/templates/:slug/fill': { title: 'Fill in', signedIn: true, load: () => import('./pages/template-fill.js') },
  '/documents': { title: 'My documents', signedIn: true, load: () => import('./pages/template-documents.js') },
  '/mentoring': { title: 'Mentoring', signedIn: true, load: () => import('./pages/mentor-dashboard.js') },
  '/assignments': { title: 'Checklists', signedIn: true, load: () => import('./pages/assignment-list.js') },
  '/assignments/:id': { title: 'Checklist', signedIn: true, load: () => import('./pages/assignment-checklist.js') },
  '/admin': { title: 'Admin', signedIn: true, load: () => import('./pages/admin.js') },
  '/admin/mail': { title: 'Mail', signedIn: true, load: () => import('./pages/admin-mail.js') },
  '/admin/bridges': { title: 'Bridges', signedIn: true, load: () => import('./pages/admin-bridges.js') },
  '/unsubscribe': { title: 'Unsubscribe', load: () => import('./pages/unsubscribe.js') },
  '/account': { title: 'Account', signedIn: true, load: () => import('./pages/account.js') },
  '/login': { title: 'Log in', signedOut: true, load: () => import('./pages/login.js') },
  '/register': { title: 'Join your cohort', load: () => import('./pages/register.js') },
};
const notFound = { title: 'Not found', load: () => import('./pages/not-found.js') };

// Finds the route for a path; '/x/:name' segments capture into routeParams.
function findRoute(path) {
  if (routes[path]) return { route: routes[path], routeParams: {} };
  const parts = path.split('/');
  for (const [pattern, route] of Object.entries(routes)) {
    const want = pattern.split('/');
    if (want.length !== parts.length || !pattern.includes(':')) continue;
    const routeParams = {};
    const ok = want.every((seg, i) => {
      if (seg.startsWith(':')) {
        if (!parts[i]) return false;
        try {
          routeParams[seg.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          return false;  // a malformed escape matches nothing
        }
        return true;
      }
      return seg === parts[i];
    });
    if (ok) return { route, routeParams };
  }
  return { route: notFound, routeParams: {} };
}

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
let userLoaded = false;
let firstRender = true;

function loginUrl(url) {
  return `/login?next=${encodeURIComponent(url.pathname + url.search + url.hash)}`;  // #message-ID too
}

async function logout() {
  try {
    await api.logout();
  } catch {
    // Already signed out or unreachable: the local state is cleared either way.
  }
  forgetUser();
  await navigate('/login', { replace: true });
}

async function render(url) {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const { route, routeParams } = findRoute(path);
  if (!userLoaded) {
    try {
      await refreshUser();
      userLoaded = true;
    } catch (err) {
      mount(main, card('cohorthub is not answering', errorMessage(err)));
      return;
    }
  }
  const user = currentUser();
  if (route.signedIn && !user) return navigate(loginUrl(url), { replace: true });
  if (route.signedOut && user) return navigate(safeNext(url.searchParams.get('next')), { replace: true });

  renderTopbar(topbar, user, path, logout);
  document.title = `${route.title} · cohorthub`;
  // Each render gets its own view: a slow page that finishes after the user moved on
  // writes into a detached element instead of the current page.
  const view = h('div', { class: 'view' });
  mount(main, view);
  // Where the keyboard focus was when the page began: if the person has moved it by the time the
  // page's data is in (a slow list; their typing already in a field), it stays where they put it.
  const focusAtStart = document.activeElement;
  try {
    const page = await route.load();
    await page.default(view, { user, url, params: url.searchParams, routeParams, navigate, refreshUser });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetUser();
      return navigate(loginUrl(url), { replace: true });
    }
    if (!(err instanceof ApiError)) console.warn(err);
    mount(view, card('This page could not be loaded', errorMessage(err)));
  }
  // A #fragment is the page's to show (the channel page scrolls to #message-ID and focuses it).
  const untouched = document.activeElement === focusAtStart || document.activeElement === document.body;
  if (!firstRender && !url.hash && untouched && view.isConnected) view.querySelector('h1')?.focus({ preventScroll: true });
  firstRender = false;
  if (!url.hash && untouched && view.isConnected) window.scrollTo(0, 0);
}

startRouter(render);
