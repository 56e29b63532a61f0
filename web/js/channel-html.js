// Puts a message's server-rendered HTML (cmark-gfm, safe mode) into the page without innerHTML:
// the markup is parsed inert by DOMParser and copied element by element through an allow-list,
// text as text nodes. Anything not on the list keeps only its text.
import { h } from './dom.js';

const ALLOWED = new Set(['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
  'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);

function safeHref(href) {
  try {
    const url = new URL(href, window.location.origin);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function copy(node, into) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.append(document.createTextNode(child.textContent));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const tag = child.tagName.toLowerCase();
      if (!ALLOWED.has(tag)) {
        copy(child, into);
        continue;
      }
      const attrs = {};
      if (tag === 'a') {
        attrs.href = safeHref(child.getAttribute('href') || '');
        attrs.rel = 'noopener noreferrer nofollow';
        attrs.target = '_blank';
      }
      if (tag === 'ol' && /^\d+$/.test(child.getAttribute('start') || '')) attrs.start = child.getAttribute('start');
      const el = h(tag, attrs);
      copy(child, el);
      into.append(el);
    }
  }
  return into;
}

// A <div class="message-body"> holding `html`.
export function messageBody(html) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  return copy(doc.body, h('div', { class: 'message-body' }));
}
