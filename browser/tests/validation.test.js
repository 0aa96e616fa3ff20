// Invalid input is shown next to its field, the rest of the input is kept,
// and nothing is created.
'use strict';

const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, apiGet, unique, assertAccessible,
} = require('./helpers');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/// Submits the form in <main> and returns the POST's response.
async function submit(page, action) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === action),
    page.locator(`main form[action="${action}"] button[type="submit"]`).click(),
  ]);
  await page.waitForLoadState('load');
  return resp;
}

/// The field's error: shown inside the field's own block, tied to the
/// control with aria-describedby, the control marked aria-invalid, and
/// listed in the summary with a link to the control.
async function assertFieldError(page, fieldId, expected) {
  const control = page.locator(`#${fieldId}`);
  const block = page.locator('main .field').filter({ has: control });
  const error = block.locator(`#${fieldId}-error`);
  assert.match(await error.innerText(), expected);
  assert.equal(await control.getAttribute('aria-invalid'), 'true');
  assert.ok((await control.getAttribute('aria-describedby')).split(/\s+/).includes(`${fieldId}-error`));
  const summary = page.locator('main [role="alert"]');
  assert.match(await summary.getByRole('link').filter({ hasText: expected }).getAttribute('href'), new RegExp(`#${fieldId}$`));
}

test('a latitude of 91 is refused next to the field and no hub is created', async () => {
  const { context, page } = await newPage(browser);
  try {
    const [demoHub] = await apiGet('/api/v1/hubs');
    const hubName = `Felhubben ${unique()}`;
    await signIn(page, 'admin');
    await page.goto('/admin/hubs/new');
    await page.locator('#f-name').fill(hubName);
    await page.locator('#f-municipality_id').selectOption({ label: demoHub.municipality });
    await page.locator('#f-operator_id').selectOption({ label: demoHub.operator });
    await page.locator('#f-street_address').fill('Felgatan 1');
    await page.locator('#f-postal_code').fill('360 65');
    await page.locator('#f-city').fill('Boda glasbruk');
    await page.locator('#f-latitude').fill('91');
    await page.locator('#f-longitude').fill('15.7');

    const resp = await submit(page, '/admin/hubs/new');
    assert.equal(resp.status(), 422);
    assert.equal(new URL(page.url()).pathname, '/admin/hubs/new');
    await assertFieldError(page, 'f-latitude', /utanför det tillåtna intervallet/);
    // Only the latitude is wrong, and what was typed is kept.
    assert.equal(await page.locator('main .field-error').count(), 1);
    assert.equal(await page.locator('#f-name').inputValue(), hubName);
    assert.equal(await page.locator('#f-latitude').inputValue(), '91');
    await assertAccessible(page, 'new hub form with a latitude error');

    const hubs = await apiGet('/api/v1/hubs');
    assert.equal(hubs.filter((h) => h.name === hubName).length, 0, 'no hub was created');
    await page.goto('/admin/hubs');
    assert.equal(await page.locator('main').getByText(hubName).count(), 0);
  } finally {
    await context.close();
  }
});

test('an organisation number with a wrong check digit is refused and nothing is created', async () => {
  const { context, page } = await newPage(browser);
  try {
    const orgName = `Felorganisationen ${unique()}`;
    await signIn(page, 'admin');
    await page.goto('/admin/organisations/new');
    await page.locator('#f-name').fill(orgName);
    await page.locator('#f-org_number').fill('212000-0143');
    await page.locator('#f-kind').selectOption({ label: 'Statlig myndighet' });

    const resp = await submit(page, '/admin/organisations/new');
    assert.equal(resp.status(), 422);
    await assertFieldError(page, 'f-org_number', /Kontrollsiffran stämmer inte/);
    assert.equal(await page.locator('main .field-error').count(), 1);
    assert.equal(await page.locator('#f-org_number').inputValue(), '212000-0143');
    await assertAccessible(page, 'new organisation form with an org number error');

    await page.goto('/admin/organisations');
    assert.equal(await page.locator('main').getByText(orgName).count(), 0, 'no organisation was created');
  } finally {
    await context.close();
  }
});
