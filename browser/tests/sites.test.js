// The site planner for network admins (/admin/sites): found from the admin
// index, the form filled in through its labels, the results with the SVG
// map and the downloads; axe-core on the form, the results and a field error,
// in Swedish and English.
'use strict';

const assert = require('node:assert/strict');
const { describe, test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, useLanguage, visit, assertAccessible,
} = require('./helpers');

const COUNTY = 'Kalmar län';
const RESULTS = '/admin/sites?county=Kalmar+l%C3%A4n&radius_km=15&detour_factor=1&mode=count&site_count=5';

let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a network admin plans five sites in Kalmar län through the form', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto('/');
    await useLanguage(page, 'sv');
    await signIn(page, 'admin');
    await visit(page, '/admin');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/admin/sites'),
      page.locator('main').getByRole('link', { name: 'Planera nya hubbar' }).click(),
    ]);
    await page.getByLabel('Län', { exact: false }).selectOption(COUNTY);
    await page.getByLabel('Antal nya hubbar').fill('5');
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('county') === COUNTY),
      page.getByRole('button', { name: 'Visa förslag' }).click(),
    ]);
    const rows = page.locator('#sites-table tbody tr');
    assert.equal(await rows.count(), 5);
    const map = page.getByRole('img', { name: /Karta över länets orter/ });
    assert.equal(await map.count(), 1);
    assert.equal(await page.locator('svg g[data-rank]').count(), 5);
    await page.getByText('GeoNames').first().waitFor();
    const csvHref = await page.getByRole('link', { name: 'Ladda ner CSV' }).getAttribute('href');
    assert.match(csvHref, /^\/admin\/sites\.csv\?county=Kalmar/);
    const geoHref = await page.getByRole('link', { name: 'Ladda ner GeoJSON' }).getAttribute('href');
    assert.match(geoHref, /^\/admin\/sites\.geojson\?county=Kalmar/);
    // The download, with the session's cookie, names the same first site.
    const resp = await context.request.get(csvHref);
    assert.equal(resp.status(), 200);
    // For Swedish Excel: a byte-order mark and ';' between fields.
    const text = await resp.text();
    assert.ok(text.startsWith('\uFEFF'), 'the CSV starts with a byte-order mark');
    const first = text.split('\n')[1].split(';')[2];
    assert.equal(await rows.first().locator('th').innerText(), first);
  } finally {
    await context.close();
  }
});

describe('axe-core on the site planner', { concurrency: 1 }, () => {
  for (const lang of ['sv', 'en']) {
    describe(`lang=${lang}`, { concurrency: 1 }, () => {
      let session;
      before(async () => {
        session = await newPage(browser);
        await session.page.goto('/');
        await useLanguage(session.page, lang);
        await signIn(session.page, 'admin');
      });
      after(async () => { await session.context.close(); });

      const pages = [
        ['planner form', '/admin/sites', 200],
        ['planner with results', RESULTS, 200],
        ['planner by share, hubs ignored', '/admin/sites?county=Kalmar+l%C3%A4n&radius_km=20&mode=share&target_share=60&ignore_hubs=true', 200],
        ['planner with a field error', '/admin/sites?county=Kalmar+l%C3%A4n&radius_km=0&mode=count&site_count=5', 422],
      ];
      for (const [name, path, status] of pages) {
        test(name, async () => {
          const { page } = session;
          assert.equal(await visit(page, path), status, `${path} answers ${status}`);
          assert.equal(await page.locator('html').getAttribute('lang'), lang);
          await assertAccessible(page, name);
        });
      }
    });
  }
});
