// Shared by the browser tests: Debian's Chromium with the flags this machine needs, and a guard
// that records every CSP violation, console error, uncaught error and failed load.
import { chromium } from 'playwright-core';

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// Every page of `context` reports problems into the `problems` array, tagged with `who`.
export async function watchContext(context, who, problems, timeout = 10_000) {
  await context.exposeBinding('__reportCspViolation', (_source, v) => problems.push(`${who}: CSP violation ${v}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('page', (page) => {
    page.setDefaultTimeout(timeout);
    page.on('pageerror', (err) => problems.push(`${who}: page error ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // Chromium logs every 4xx API answer as "Failed to load resource"; tests provoke those on
      // purpose (a signed-out probe, a wrong password). Anything else, 5xx included, is a problem.
      if (/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())
        && msg.location().url.includes('/api/')) return;
      problems.push(`${who}: console error ${msg.text()} (${msg.location().url})`);
    });
    page.on('response', (res) => {
      const path = new URL(res.url()).pathname;
      if (res.status() >= 500 || (!path.startsWith('/api/') && res.status() >= 400)) {
        problems.push(`${who}: ${res.status()} for ${res.request().method()} ${path}`);
      }
    });
  });
}

// The main menu's link `name`, made visible first: on a phone the Menu button opens the menu; on a
// desktop the group (drop-down) that holds the link is opened.
export async function menuLink(page, name) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const link = nav.getByRole('link', { name, exact: true });
  if (await link.isVisible()) return link;
  const menu = nav.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible() && (await menu.getAttribute('aria-expanded')) !== 'true') {
    await menu.click();
    if (await link.isVisible()) return link;
  }
  for (const group of await nav.locator('.nav-group-button').all()) {
    if (!(await group.isVisible())) continue;
    await group.click();
    if (await link.isVisible()) return link;
    await group.click();
  }
  return link;
}

// axe-core's serious and critical findings on the page as it stands, as readable lines. The
// script is evaluated through DevTools, so the page's CSP needs no exception for it.
let axeSource = null;
export async function accessibilityProblems(page) {
  if (!axeSource) {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  }
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
  return violations;
}

// Holds back the answer to the first request that `match` (a URL predicate) accepts, and whose
// method is `method` when one is given: the request reaches the hub at once, its answer reaches
// the page only at `deliver()`, as on a slow network. `answered` resolves once the hub answered;
// `deliver()` resolves once the page has the answer and has had 100 ms to draw it. `stop()` ends it.
export async function holdFirstAnswer(page, match, { method } = {}) {
  let release, answered, delivered;
  const held = new Promise((resolve) => { release = resolve; });
  const hubAnswered = new Promise((resolve) => { answered = resolve; });
  const fulfilled = new Promise((resolve) => { delivered = resolve; });
  let first = true;
  const handler = async (route) => {
    if (!first || (method && route.request().method() !== method)) return route.continue();
    first = false;
    const response = await route.fetch();
    answered();
    await held;
    await route.fulfill({ response });
    delivered();
  };
  await page.route(match, handler);
  return {
    answered: hubAnswered,
    async deliver() {
      release();
      await fulfilled;
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    },
    async stop() {
      release();
      await page.unroute(match, handler);
    },
  };
}
