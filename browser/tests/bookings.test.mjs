// Room bookings in the browser: the demo member opens a hub's day view,
// opens the booking form from a free time, previews the price, books, sees
// the booking in the day view and on "Mina bokningar", and cancels it;
// axe-core on the day view, the form with a preview, and My bookings.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  launchBrowser, newPage, signIn, assertAccessible, stockholmDate, apiGet, unique,
} = require('./helpers.js');

const FIGEHOLM = 'Kontorskollektivet Figeholm';

let browser;
let hub;

before(async () => {
  browser = await launchBrowser();
  const hubs = await apiGet('/api/v1/hubs');
  hub = hubs.find((h) => h.name === FIGEHOLM);
  assert.ok(hub, 'the demo network has the hub in Figeholm');
});

after(async () => { await browser?.close(); });

test('a member books a room from the day view with a price preview and cancels it', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'member');

    // From the hub's page to its day view, then a day at least three days
    // ahead (free cancellation) with a free time, chosen with the date picker.
    await page.goto(`/hubs/${hub.id}`);
    await page.getByRole('link', { name: 'Lediga tider i rummen' }).click();
    await page.waitForURL((u) => u.pathname === `/hubs/${hub.id}/rooms`);
    let date;
    let freeLink;
    for (let days = 3; days < 17 && !freeLink; days += 1) {
      date = stockholmDate(days);
      await page.getByLabel('Datum', { exact: true }).fill(date);
      await page.getByRole('button', { name: 'Visa dagen' }).click();
      await page.waitForURL((u) => u.search.includes(`date=${date}`));
      const link = page.locator('section.room-day').first().locator('li.free a').first();
      if (await link.count()) freeLink = link;
    }
    assert.ok(freeLink, 'a free time within two weeks');
    // The week switcher and the blocks in words.
    await page.getByRole('link', { name: /Nästa vecka/ }).waitFor();
    assert.match(await page.locator('ul.blocks').first().innerText(), /ledigt/);
    await assertAccessible(page, 'day view');

    const room = (await page.locator('section.room-day h2').first().innerText()).trim();
    await freeLink.click();
    await page.waitForURL((u) => u.pathname.endsWith('/book'));
    assert.equal(await page.locator('#f-date').inputValue(), date);

    // Without a title: the translated error next to the field, accessible.
    await page.getByRole('button', { name: 'Förhandsgranska pris' }).click();
    await page.locator('#f-title-error').waitFor();
    assert.equal(await page.locator('#f-title').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#f-title-error').innerText(), /Fältet måste fyllas i/);
    await assertAccessible(page, 'booking form with an error');

    // Preview: one hour from the free time's start.
    const title = `Kundmöte ${unique()}`;
    await page.getByLabel('Rubrik').fill(title);
    await page.getByRole('button', { name: 'Förhandsgranska pris' }).click();
    await page.locator('#quote').waitFor();
    const quote = await page.locator('#quote').innerText();
    assert.match(quote, /Att betala/);
    assert.match(quote, /\d+,\d\d kr/);
    await assertAccessible(page, 'booking form with a price preview');

    await page.getByRole('button', { name: 'Boka', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/bookings');
    const upcoming = page.locator('section[aria-labelledby="upcoming-h"]');
    await upcoming.getByRole('heading', { name: title }).waitFor();
    assert.match(await upcoming.innerText(), /Kostnadsfri avbokning till/);
    await assertAccessible(page, 'My bookings');

    // The day view shows the time as booked.
    await page.goto(`/hubs/${hub.id}/rooms?date=${date}`);
    const section = page.locator('section.room-day', { has: page.getByRole('heading', { name: room }) });
    assert.match(await section.locator('li.busy').first().innerText(), /upptaget/);

    // Cancel it from My bookings.
    await page.getByRole('link', { name: 'Mina bokningar' }).click();
    await page.waitForURL((u) => u.pathname === '/bookings');
    const card = page.locator('li.booking', { hasText: title });
    await card.getByRole('button', { name: /Avboka/ }).click();
    await page.waitForURL((u) => u.search.includes('done=cancelled'));
    await page.getByText('Bokningen är avbokad.').waitFor();
    const past = page.locator('section[aria-labelledby="past-h"]');
    assert.match(await past.locator('li.booking', { hasText: title }).innerText(), /Avbokad/);
    await assertAccessible(page, 'My bookings after cancelling');
  } finally {
    await context.close();
  }
});
