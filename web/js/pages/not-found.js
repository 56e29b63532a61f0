// Any path the app does not know.
import { h, mount } from '../dom.js';
import { pageHeader, emptyState } from '../layout.js';

export default function renderNotFound(view) {
  mount(view,
    pageHeader('Page not found'),
    emptyState('There is nothing at this address.', 'The link may be old or mistyped.',
      h('a', { href: '/', class: 'btn btn-primary' }, 'Go to your cohort')));
}
