// Every page of the foundation issue passes axe-core's WCAG 2.1 A and AA
// rules, in Swedish (the default) and in English.
'use strict';

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, useLanguage, visit, assertAccessible, apiGet,
  stockholmDate,
} = require('./helpers');

const ADMIN_LISTS = ['regions', 'municipalities', 'operators', 'hubs', 'organisations', 'people'];

let browser;
let hubId;

before(async () => {
  browser = await launchBrowser();
  const hubs = await apiGet('/api/v1/hubs');
  assert.ok(hubs.length > 0, 'the demo network has hubs');
  hubId = hubs[0].id;
});

after(async () => {
  await browser?.close();
});

test('the axe-core check is live: a page with known violations fails it', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.setContent('<!doctype html><html><head><title>x</title></head><body><main><img src="data:,"><a href="/x"></a></main></body></html>');
    await assert.rejects(
      assertAccessible(page, 'canary page'),
      (e) => /image-alt/.test(e.message) && /link-name/.test(e.message) && /html-has-lang/.test(e.message),
    );
  } finally {
    await context.close();
  }
});

test('the Content-Security-Policy holds and its check is live: an inline style is blocked and fails it', async () => {
  const { context, page } = await newPage(browser);
  try {
    await visit(page, '/');
    const before = await page.evaluate(() => getComputedStyle(document.body).color);
    const reported = page.waitForEvent('console', (m) => /Content Security Policy/i.test(m.text()));
    await page.evaluate(() => {
      const s = document.createElement('style');
      s.textContent = 'body { color: rgb(1, 2, 3) !important; }';
      document.head.appendChild(s);
    });
    await reported;
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).color), before, 'the inline style must not apply');
    await assert.rejects(assertAccessible(page, 'start page with an inline style'), /Content-Security-Policy/);
  } finally {
    await context.close();
  }
});

/// The href of the first row's link in the first table under `scope`.
async function firstRowHref(page, scope = 'main') {
  const href = await page.locator(`${scope} table tbody tr a`).first().getAttribute('href');
  assert.ok(href, `no row link in ${scope} on ${page.url()}`);
  return href;
}

// The four groups (signed in and out, in each language) each have a browser
// context of their own and run two at a time, the long signed-in ones first:
// much of the time is spent waiting for the renderer and the server, so this
// shortens the suite on a two-core machine. Pages within a group run in turn.
describe('axe-core on every page', { concurrency: 2 }, () => {
  for (const lang of ['sv', 'en']) {
    describe(`axe-core WCAG 2.1 A/AA, lang=${lang}, network admin`, { concurrency: 1 }, () => {
      let context;
      let page;
      const edit = {};
      before(async () => {
        ({ context, page } = await newPage(browser));
        await page.goto('/');
        await useLanguage(page, lang);
        await signIn(page, 'admin');
        // One record of each kind to open its edit form.
        for (const list of ADMIN_LISTS) {
          await visit(page, `/admin/${list}`);
          edit[list] = await firstRowHref(page);
        }
        await visit(page, `/admin/hubs/${hubId}`);
        edit.zones = await firstRowHref(page, 'main section:has(a[href$="/zones/new"])');
        edit.rooms = await firstRowHref(page, 'main section:has(a[href$="/rooms/new"])');
        assert.match(edit.zones, /^\/admin\/zones\//);
        assert.match(edit.rooms, /^\/admin\/rooms\//);
        // Invoicing: an operator that sells (the demo issued last month's
        // invoices), this month's run to preview, and one issued invoice.
        await visit(page, '/admin/invoicing');
        edit.runOperator = await page.locator('#run-operator option').evaluateAll(
          (options) => options.find((o) => /Oskarshamn/.test(o.textContent))?.value,
        );
        assert.ok(edit.runOperator, 'Oskarshamn invoices in the demo');
        await visit(page, '/admin/invoices');
        edit.invoice = await firstRowHref(page);
        assert.match(edit.invoice, /^\/admin\/invoices\//);
        // The demo's pilot (Kalmar län's rural hubs).
        await visit(page, '/admin/pilots');
        edit.pilot = await firstRowHref(page);
        assert.match(edit.pilot, /^\/admin\/pilots\//);
      });
      after(async () => context?.close());

      const pages = [
        ['my account', '/account'],
        ['admin start', '/admin'],
        ...ADMIN_LISTS.map((l) => [`admin list ${l}`, `/admin/${l}`]),
        ...ADMIN_LISTS.map((l) => [`new form ${l}`, `/admin/${l}/new`]),
        ['new form zone', () => `/admin/hubs/${hubId}/zones/new`],
        ['new form room', () => `/admin/hubs/${hubId}/rooms/new`],
        ...ADMIN_LISTS.map((l) => [`edit form ${l}`, () => edit[l]]),
        ['edit form zone', () => edit.zones],
        ['edit form room', () => edit.rooms],
        ['hub page with the edit link', () => `/hubs/${hubId}`],
        ['audit trail', '/admin/audit'],
        ['record of processing', '/admin/processing'],
        // The confirmation step only: the page erases nobody until posted.
        ['erase person confirmation', () => `${edit.people}/erase`],
        ['privacy page, signed in', '/privacy'],
        ['retention settings', '/admin/retention'],
        ['invoice run', '/admin/invoicing'],
        ['invoice run, this month previewed',
          () => `/admin/invoicing?operator=${edit.runOperator}&month=${stockholmDate(0).slice(0, 7)}`],
        ['invoices', '/admin/invoices'],
        ['an issued invoice', () => edit.invoice],
        ['payments to resolve and the bank file upload', '/admin/payments'],
        // The demo leaves some of the month before last's invoices unpaid.
        ['payment reminders of overdue invoices', '/admin/invoices/reminders'],
        // Last month's statement between operators (the demo has one).
        ['settlement between operators', '/admin/settlement'],
        ['settlement between operators, a month without use', '/admin/settlement?month=2020-01'],
        ['a hub\'s invoiced lines', '/admin/invoicing/hub'],
        ['pilots', '/admin/pilots'],
        ['new pilot form', '/admin/pilots/new'],
        ['a pilot\'s evaluation with its verdicts', () => edit.pilot],
        ['a pilot\'s evaluation over a chosen period', () => `${edit.pilot}?from=2026-01-01&to=2026-03-31`],
        ['edit pilot form', () => `${edit.pilot}/edit`],
      ];
      for (const [name, path] of pages) {
        test(name, async () => {
          const p = typeof path === 'function' ? path() : path;
          assert.equal(await visit(page, p), 200, `${p} answers 200`);
          assert.equal(await page.locator('html').getAttribute('lang'), lang);
          await assertAccessible(page, name);
        });
      }

      // The same pages on a phone: wide tables scroll sideways there, and a
      // scrolling region must be reachable by keyboard and named
      // (`scrollable-region-focusable`), which a desktop width never shows.
      describe('at 390 px wide', { concurrency: 1 }, () => {
        before(async () => page.setViewportSize({ width: 390, height: 844 }));
        after(async () => page.setViewportSize({ width: 1280, height: 900 }));
        for (const [name, path] of pages) {
          test(`${name} (390 px)`, async () => {
            const p = typeof path === 'function' ? path() : path;
            assert.equal(await visit(page, p), 200, `${p} answers 200`);
            await assertAccessible(page, `${name} (390 px)`);
          });
        }
      });

      test('new pilot form re-shown with its problems', async () => {
        await visit(page, '/admin/pilots/new');
        await page.locator('#f-goals\\[0\\]\\.indicator').selectOption('people_with_access');
        await page.locator('#f-goals\\[0\\]\\.target').fill('tjugo');
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/pilots/new')),
          page.locator('main form[action="/admin/pilots/new"] button[type="submit"]').click(),
        ]);
        assert.equal(resp.status(), 422, 'an empty pilot is not saved');
        await page.waitForLoadState('load');
        await page.locator('#f-goals\\[0\\]\\.target[aria-invalid="true"]').waitFor();
        await page.locator('#f-name[aria-invalid="true"]').waitFor();
        await assertAccessible(page, 'new pilot form with errors');
      });

      test('erase person confirmation re-shown without a reason', async () => {
        const path = `${edit.people}/erase`;
        await visit(page, path);
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(path)),
          page.locator(`main form[action="${path}"] button[type="submit"]`).click(),
        ]);
        assert.equal(resp.status(), 422, 'an empty reason erases nobody');
        await page.waitForLoadState('load');
        await page.locator('#f-reason[aria-invalid="true"]').waitFor();
        await assertAccessible(page, 'erase person confirmation with an error');
      });

      test('new hub form re-shown with validation errors', async () => {
        await visit(page, '/admin/hubs/new');
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/hubs/new')),
          page.locator('main form[action="/admin/hubs/new"] button[type="submit"]').click(),
        ]);
        assert.equal(resp.status(), 422);
        await page.waitForLoadState('load');
        await page.locator('main .alert.error').waitFor();
        assert.ok(await page.locator('.field-error').count() > 0, 'field errors are shown');
        await assertAccessible(page, 'new hub form with errors');
      });
    });

    describe(`axe-core WCAG 2.1 A/AA, lang=${lang}, anonymous`, { concurrency: 1 }, () => {
      let context;
      let page;
      before(async () => {
        ({ context, page } = await newPage(browser));
        await page.goto('/');
        await useLanguage(page, lang);
      });
      after(async () => context?.close());

      test('start page /', async () => {
        assert.equal(await visit(page, '/'), 200);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await assertAccessible(page, 'start page');
      });

      test('hub page /hubs/{id}', async () => {
        assert.equal(await visit(page, `/hubs/${hubId}`), 200);
        await assertAccessible(page, 'hub page');
      });

      test('calendar /calendar', async () => {
        assert.equal(await visit(page, '/calendar'), 200);
        assert.equal(await page.locator('html').getAttribute('lang'), lang);
        await assertAccessible(page, 'calendar');
      });

      test('calendar month view /calendar?view=month', async () => {
        assert.equal(await visit(page, '/calendar?view=month'), 200);
        assert.equal(await page.locator('main table.month caption').count(), 1);
        await assertAccessible(page, 'calendar month view');
      });

      test('calendar month view on a phone', async () => {
        await page.setViewportSize({ width: 375, height: 800 });
        try {
          assert.equal(await visit(page, '/calendar?view=month'), 200);
          await assertAccessible(page, 'calendar month view (phone)');
        } finally {
          await page.setViewportSize({ width: 1280, height: 900 });
        }
      });

      test('an event page /events/{id}', async (t) => {
        await visit(page, '/calendar');
        const link = page.locator('main ul.events h2 a').first();
        if ((await link.count()) === 0) {
          t.skip('the demo network has no upcoming public events');
          return;
        }
        const href = await link.getAttribute('href');
        assert.equal(await visit(page, href), 200);
        await assertAccessible(page, 'event page');
      });

      test('sign-in page /login', async () => {
        assert.equal(await visit(page, '/login'), 200);
        await assertAccessible(page, 'sign-in page');
      });

      test('sign-in page with an error', async () => {
        await visit(page, '/login');
        await page.locator('#email').fill('nobody@demo.example');
        await page.locator('#password').fill('wrong password');
        await Promise.all([
          page.waitForLoadState('load'),
          page.locator('main form[action="/login"] button[type="submit"]').click(),
        ]);
        await page.locator('main [role="alert"]').waitFor();
        await assertAccessible(page, 'sign-in page with an error');
      });

      test('forgotten password /access/forgot, and the answer', async () => {
        assert.equal(await visit(page, '/access/forgot'), 200);
        await assertAccessible(page, 'forgotten password');
        await page.locator('#email').fill(`nobody-${lang}@nowhere.example`);
        await Promise.all([
          page.waitForLoadState('load'),
          page.locator('main button[type="submit"]').click(),
        ]);
        await page.locator('main [role="status"]').waitFor();
        await assertAccessible(page, 'reset link asked for');
      });

      test('a forged reset link gets a clear page', async () => {
        assert.equal(await visit(page, '/access/reset/not-a-real-secret'), 404);
        assert.equal(await page.locator('main [role="alert"]').count(), 1);
        await assertAccessible(page, 'forged reset link');
      });

      for (const [name, path] of [['privacy page', '/privacy'], ['accessibility statement', '/accessibility']]) {
        test(`${name} ${path}`, async () => {
          assert.equal(await visit(page, path), 200);
          assert.equal(await page.locator('html').getAttribute('lang'), lang);
          await assertAccessible(page, name);
        });
      }

      test('404 page', async () => {
        assert.equal(await visit(page, '/no-such-page'), 404);
        await assertAccessible(page, '404 page');
      });

      test('404 page for an unknown hub', async () => {
        assert.equal(await visit(page, '/hubs/00000000-0000-7000-8000-000000000000'), 404);
        await assertAccessible(page, '404 page (unknown hub)');
      });
    });
  }
});
