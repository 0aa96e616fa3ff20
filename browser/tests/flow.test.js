// The walk-through: a network admin creates a hub with a zone and a
// room, the public sees it, and the language switch works and is remembered.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, apiGet, unique, assertAccessible,
} = require('./helpers');

const SHOTS = process.env.THIRDPLACE_SCREENSHOT_DIR || '';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/// A form field by the start of its label ("Namn" matches "Namn (obligatoriskt)").
function field(page, label) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.locator('main form').getByLabel(new RegExp(`^${escaped}(\\s|$)`));
}

/// The section of the hub edit page under the heading `title`.
function childSection(page, title) {
  return page.locator('main section').filter({ has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
}

async function save(page) {
  await Promise.all([
    page.waitForLoadState('load'),
    page.locator('main form').getByRole('button', { name: 'Spara', exact: true }).click(),
  ]);
}

async function shot(page, name) {
  if (!SHOTS) return;
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

test('admin creates a hub with a zone and a room; the public page shows it, in both languages', async () => {
  const { context, page } = await newPage(browser);
  try {
    const [demoHub] = await apiGet('/api/v1/hubs');
    const id = unique();
    const hubName = `Testhubben ${id}`;
    const zoneName = `Tysta rummet ${id}`;
    const roomName = `Styrelserummet ${id}`;

    await signIn(page, 'admin');

    // The new-hub form, filled in as a person would, by the labels.
    await page.goto('/admin/hubs');
    await page.locator('main').getByRole('link', { name: 'Lägg till', exact: true }).click();
    await page.waitForURL('**/admin/hubs/new');
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Ny hubb' }).waitFor());
    await field(page, 'Namn').fill(hubName);
    await field(page, 'Beskrivning').fill('En hubb som webbläsartestet skapade. Den har en yta och ett rum.');
    await field(page, 'Kommun').selectOption({ label: demoHub.municipality });
    await field(page, 'Operatör').selectOption({ label: demoHub.operator });
    await field(page, 'Gatuadress').fill('Testgatan 1');
    await field(page, 'Postnummer').fill('360 65');
    await field(page, 'Ort').fill('Boda glasbruk');
    await field(page, 'Latitud').fill('56.7170');
    await field(page, 'Longitud').fill('15.7340');
    await field(page, 'Måndag').fill('08:00-12:00, 13:00-17:00');
    await field(page, 'Lördag').fill('10:00-14:00');
    await save(page);

    // Saved: the edit page of the new hub.
    await page.waitForURL(/\/admin\/hubs\/[0-9a-f-]{36}\?saved=1$/);
    const hubId = page.url().match(/\/admin\/hubs\/([0-9a-f-]{36})/)[1];
    await page.getByRole('status').filter({ hasText: 'Sparat.' }).waitFor();
    assert.equal(await field(page, 'Namn').inputValue(), hubName);

    // A zone, through the "Ny yta" link on the edit page.
    await page.getByRole('link', { name: 'Ny yta', exact: true }).click();
    await page.waitForURL(`**/admin/hubs/${hubId}/zones/new`);
    await field(page, 'Namn').fill(zoneName);
    await field(page, 'Syfte').fill('Tyst arbete');
    await field(page, 'Antal platser').fill('6');
    await save(page);
    await page.waitForURL(`**/admin/hubs/${hubId}?saved=1`);
    await childSection(page, 'Ytor').getByRole('link', { name: zoneName }).waitFor();

    // A room, through "Nytt rum".
    await page.getByRole('link', { name: 'Nytt rum', exact: true }).click();
    await page.waitForURL(`**/admin/hubs/${hubId}/rooms/new`);
    await field(page, 'Namn').fill(roomName);
    await field(page, 'Typ').selectOption({ label: 'Mötesrum' });
    await field(page, 'Antal platser').fill('8');
    await field(page, 'Timpris exkl. moms (kr)').fill('450');
    await field(page, 'Momssats (%)').selectOption({ label: '25 %' });
    await save(page);
    await page.waitForURL(`**/admin/hubs/${hubId}?saved=1`);
    const roomRow = childSection(page, 'Rum').getByRole('row').filter({ hasText: roomName });
    await roomRow.waitFor();
    assert.match(await roomRow.innerText(), /450,00 kr/);
    await shot(page, 'thirdplace-hub-edit.png');
    await assertAccessible(page, 'hub edit form with a zone and a room');

    // Signed out, the public sees the new hub.
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/'),
      page.locator('header').getByRole('button', { name: 'Logga ut', exact: true }).click(),
    ]);
    await page.locator('header').getByRole('link', { name: 'Logga in', exact: true }).waitFor();
    await page.goto('/');
    const card = page.locator('main li.card').filter({ has: page.getByRole('link', { name: hubName, exact: true }) });
    await card.waitFor();
    assert.match(await card.innerText(), new RegExp(demoHub.municipality));
    await shot(page, 'thirdplace-start.png');

    await Promise.all([
      page.waitForURL(`**/hubs/${hubId}`),
      card.getByRole('link', { name: hubName, exact: true }).click(),
    ]);
    await page.getByRole('heading', { level: 1, name: hubName }).waitFor();
    const zones = page.locator('section[aria-labelledby="zones-h"]');
    const rooms = page.locator('section[aria-labelledby="rooms-h"]');
    assert.equal(await zones.getByRole('heading', { level: 2 }).innerText(), 'Aktivitetsytor');
    assert.match(await zones.getByRole('row').filter({ hasText: zoneName }).innerText(), /Tyst arbete\s+6/);
    const room = await rooms.getByRole('row').filter({ hasText: roomName }).innerText();
    assert.match(room, /Mötesrum/);
    assert.match(room, /450,00 kr exkl\. moms/);
    assert.match(room, /562,50 kr inkl\. moms/);
    const saturday = await page.getByRole('row', { name: /^Lördag/ }).innerText();
    assert.match(saturday, /10:00–14:00/);
    const monday = await page.getByRole('row', { name: /^Måndag/ }).innerText();
    assert.match(monday, /08:00–12:00, 13:00–17:00/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');

    // The language switch: the same page, now in English.
    await page.locator('header').getByRole('button', { name: /In English/ }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, `/hubs/${hubId}`, 'the switch stays on the page');
    assert.equal(await zones.getByRole('heading', { level: 2 }).innerText(), 'Activity zones');
    assert.equal(await rooms.getByRole('heading', { level: 2 }).innerText(), 'Rooms to book');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Opening hours' }).count(), 1);
    assert.match(await rooms.getByRole('row').filter({ hasText: roomName }).innerText(), /Meeting room/);
    assert.match(await rooms.getByRole('row').filter({ hasText: roomName }).innerText(), /450,00 kr ex VAT/);
    assert.match(await page.getByRole('row', { name: /^Saturday/ }).innerText(), /10:00–14:00/);
    await page.locator('header').getByRole('button', { name: /På svenska/ }).waitFor();

    // Remembered on the next page load.
    await page.goto('/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('heading', { level: 1, name: 'Hubs in the network' }).waitFor();
    assert.match(await page.locator('main li.card').filter({ hasText: hubName }).innerText(), /Municipality/);

    // And back to Swedish.
    await page.locator('header').getByRole('button', { name: /På svenska/ }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'sv');
    await page.waitForLoadState('load');
    await page.getByRole('heading', { level: 1, name: 'Hubbar i nätverket' }).waitFor();
    await page.reload();
    assert.equal(await page.locator('html').getAttribute('lang'), 'sv');

    // The API agrees.
    const listed = (await apiGet('/api/v1/hubs')).find((h) => h.id === hubId);
    assert.ok(listed, 'the new hub is in GET /api/v1/hubs');
    assert.equal(listed.name, hubName);
  } finally {
    await context.close();
  }
});
