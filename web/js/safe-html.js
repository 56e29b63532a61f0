// The one way server-rendered HTML (cmark-gfm in safe mode, search snippets) enters the page, never
// innerHTML: the markup is parsed inert by DOMParser and copied element by element through an
// allow-list, text as text nodes. Anything not on the list keeps only its text; attributes are
// rebuilt from the few each tag may carry, URLs checked again.
import { h } from './dom.js';

// Rendered Markdown: messages and playbooks.
export const MARKDOWN_TAGS = new Set(['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
  'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'mark', 'img', 'input']);
// Search snippets and titles: escaped text with the matches in <mark>.
export const SNIPPET_TAGS = new Set(['mark']);

function safeUrl(href, schemes) {
  try {
    const url = new URL(href, window.location.origin);
    return schemes.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

// The attributes `el` keeps, or null when the element itself is dropped (keeping its text).
function allowedAttributes(tag, el) {
  const get = (name) => el.getAttribute(name) || '';
  switch (tag) {
    case 'a': {
      const href = safeUrl(get('href'), ['http:', 'https:', 'mailto:']);
      const internal = href && new URL(href).origin === window.location.origin;
      return { href, title: get('title') || null, rel: 'noopener noreferrer nofollow', target: internal ? null : '_blank' };
    }
    case 'img': {
      const src = safeUrl(get('src'), ['http:', 'https:']);
      return src ? { src, alt: get('alt'), title: get('title') || null } : null;
    }
    case 'input': // a task list's box: shown, never editable
      return get('type') === 'checkbox' ? { type: 'checkbox', disabled: true, checked: el.hasAttribute('checked') } : null;
    case 'ol':
      return { start: /^\d+$/.test(get('start')) ? get('start') : null };
    case 'th': case 'td':
      return { align: ['left', 'center', 'right'].includes(get('align')) ? get('align') : null };
    case 'pre':
      return { class: get('class') === 'markdown-plain' ? 'markdown-plain' : null };
    case 'code':
      return { class: /^language-[\w+-]{1,40}$/.test(get('class')) ? get('class') : null };
    default:
      return {};
  }
}

function copy(node, into, allowed) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      into.append(document.createTextNode(child.textContent));
    } else if (child.nodeType === Node.ELEMENT_NODE) {
      const tag = child.tagName.toLowerCase();
      const attrs = allowed.has(tag) ? allowedAttributes(tag, child) : null;
      if (!attrs) {
        copy(child, into, allowed);
        continue;
      }
      const el = h(tag, attrs);
      copy(child, el, allowed);
      into.append(el);
    }
  }
  return into;
}

// Appends the part of `html` made of `allowed` tags (the rest as text) to `into`; returns `into`.
export function appendSafeHtml(into, html, allowed = MARKDOWN_TAGS) {
  const doc = new DOMParser().parseFromString(`<body>${html || ''}</body>`, 'text/html');
  return copy(doc.body, into, allowed);
}

// A <div class="message-body"> holding `html`.
export function messageBody(html) {
  return appendSafeHtml(h('div', { class: 'message-body' }), html);
}
