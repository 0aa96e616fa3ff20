// Shared helpers for the browser suite: the browser, sign-in, language and
// the axe-core check. Not a test file itself (node --test only picks up
// *.test.js here).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const axe = require('axe-core');

const BASE_URL = (process.env.THIRDPLACE_BASE_URL || '').replace(/\/$/, '');
if (!BASE_URL) {
  throw new Error('THIRDPLACE_BASE_URL is not set: run the suite with `bash browser/run.sh`');
}

const CHROMIUM = process.env.THIRDPLACE_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'demo';
const USERS = {
  admin: 'admin@demo.example',
  host: 'host@demo.example',
  orgadmin: 'orgadmin@demo.example',
  member: 'member@demo.example',
};
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/// Debian's Chromium, headless. `launch()` gives every browser a fresh,
/// temporary profile directory of its own (removed on close), so nothing
/// carries over from a person's profile or an earlier run.
async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/// A fresh context (no cookies) with the base URL, so `page.goto('/x')` works.
async function newPage(browser) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 900 },
    locale: 'sv-SE',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  watchCsp(page);
  return { context, page };
}

/// Signs in through the real sign-in form and waits for the redirect.
///
/// Signing in brings the language kept on the account to this browser. The
/// suite signs in as the same people from several browsers at once, in
/// different languages, so the language this browser was in before signing
/// in is chosen again afterwards with the header's switch (which is what a
/// person would do, and keeps each browser's pages in its own language).
async function signIn(page, who) {
  const email = USERS[who] || who;
  await page.goto('/login');
  const lang = await page.locator('html').getAttribute('lang');
  const t = lang === 'en'
    ? { email: 'E-mail address', password: 'Password', submit: 'Sign in' }
    : { email: 'E-postadress', password: 'Lösenord', submit: 'Logga in' };
  await page.getByLabel(t.email, { exact: true }).fill(email);
  await page.getByLabel(t.password, { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.locator('main').getByRole('button', { name: t.submit, exact: true }).click(),
  ]);
  // Signed in: the header offers the sign-out button.
  await page.locator('header form[action="/logout"] button').waitFor();
  await useLanguage(page, lang);
  // The header offers only the other language. When this browser is already
  // in the one it wants, remember that choice as the switch would (the
  // `tp_lang` cookie), so that a language chosen meanwhile on the same
  // account in another browser does not reach this one.
  const cookies = await page.context().cookies(BASE_URL);
  if (!cookies.some((c) => c.name === 'tp_lang')) {
    await page.context().addCookies([{ name: 'tp_lang', value: lang, url: BASE_URL }]);
  }
}

/// Switches the interface language with the header's switch, if needed.
async function useLanguage(page, lang) {
  if (!page.url().startsWith(BASE_URL)) await page.goto('/');
  const current = await page.locator('html').getAttribute('lang');
  if (current === lang) return;
  const label = lang === 'en' ? 'In English' : 'På svenska';
  await page.locator('header').getByRole('button', { name: label }).click();
  // The switch posts to /lang and is sent back to the same page.
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
  await page.waitForLoadState('load');
}

/// Goes to `path` and returns the HTTP status of the page.
async function visit(page, path) {
  const resp = await page.goto(path);
  assert.ok(resp, `no response for ${path}`);
  return resp.status();
}

/// A readable list of axe violations: rule, impact, help and each failing
/// node's selector with axe's summary of what to fix.
function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    - ${n.target.join(' ')}\n      ${String(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/// Keeps what the browser reports as blocked by the app's
/// Content-Security-Policy (an inline script or style, a resource from
/// elsewhere), for `assertAccessible` to fail on.
function watchCsp(page) {
  page.cspViolations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) page.cspViolations.push(`${page.url()}: ${m.text()}`);
  });
}

/// Runs axe-core on the current page for WCAG 2.1 A and AA and fails the
/// test with an actionable list when anything is found, or when the page
/// broke its Content-Security-Policy.
async function assertAccessible(page, label) {
  assert.deepEqual(page.cspViolations || [], [], `${label}: blocked by the Content-Security-Policy`);
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  // Evaluated through the DevTools protocol, which the page's CSP does not
  // govern (an injected <script> tag would be refused, as it should be).
  if (!loaded) await page.evaluate(axe.source);
  const result = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, AXE_TAGS);
  if (result.length > 0) {
    const where = `${label} (${page.url()})`;
    const text = `axe-core found ${result.length} WCAG 2.1 A/AA violation(s) on ${where}:\n${formatViolations(result)}`;
    assert.fail(text);
  }
}

/// JSON from the public API, outside the browser.
async function apiGet(path) {
  const resp = await fetch(BASE_URL + path, { headers: { accept: 'application/json' } });
  assert.equal(resp.status, 200, `GET ${path} answered ${resp.status}`);
  return resp.json();
}

/// A short unique suffix so that names made by one run never clash.
function unique() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/// The civil date `days` from now in Europe/Stockholm, as YYYY-MM-DD.
function stockholmDate(days) {
  const when = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(when);
}

/// The newest e-mail to `address` that the app sent over SMTP to the
/// suite's mailbox (browser/mailbox.js) and whose text matches `pattern`,
/// waiting for it to arrive: {to, subject, text}.
async function mailTo(address, pattern = /./, timeoutMs = 30_000) {
  const dir = process.env.THIRDPLACE_MAILBOX;
  assert.ok(dir, 'THIRDPLACE_MAILBOX is not set: run the suite with `bash browser/run.sh`');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
    const found = names
      .sort()
      .reverse()
      .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')))
      .find((m) => m.to.includes(address.toLowerCase()) && pattern.test(m.text));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`no e-mail to ${address} matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/// The path of the first link into the app in an e-mail's text that starts
/// with `prefix` ("/access/invitation/").
function linkIn(mail, prefix) {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = mail.text.match(new RegExp(`https?://[^\\s/]+(${escaped}[A-Za-z0-9_-]+)`));
  assert.ok(m, `no ${prefix} link in: ${mail.text}`);
  return m[1];
}

module.exports = {
  BASE_URL,
  USERS,
  launchBrowser,
  newPage,
  signIn,
  useLanguage,
  visit,
  assertAccessible,
  apiGet,
  unique,
  stockholmDate,
  mailTo,
  linkIn,
};
