// Payment reminders (/admin/invoices/reminders): the demo leaves some of the
// month before last's invoices unpaid past their due date. A network admin
// finds them listed with what is left to pay, sends the reminders only after
// ticking the confirmation, and a second send sends nothing more.
'use strict';

const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, useLanguage, visit, assertAccessible,
} = require('./helpers');

let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a network admin reminds the customers of overdue invoices, once', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto('/');
    await useLanguage(page, 'sv');
    await signIn(page, 'admin');
    await visit(page, '/admin/invoices');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/admin/invoices/reminders'),
      page.locator('main').getByRole('link', { name: 'Påminnelser' }).first().click(),
    ]);
    const rows = page.locator('main table tbody tr');
    const overdue = await rows.count();
    assert.ok(overdue >= 2, `the demo has overdue invoices, found ${overdue}`);
    // Each row: a number linking to the invoice, an amount left to pay.
    assert.match(await rows.first().locator('td').nth(4).innerText(), /\d\skr$/);
    const send = page.getByRole('button', { name: /^Skicka påminnelser \((\d+)\)$/ });
    const ready = Number((await send.innerText()).match(/\((\d+)\)/)[1]);
    assert.ok(ready >= 1 && ready <= overdue, `${ready} of ${overdue} may go`);
    // Nothing goes without the confirmation.
    const confirm = page.getByLabel('Ja, skicka påminnelserna');
    assert.equal(await confirm.getAttribute('required'), '');
    await confirm.check();
    await send.click();
    await page.getByRole('status').getByText(`Påminnelser i utkorgen: ${ready}.`).waitFor();
    // Each sent one shows today's reminder with its count, and none may go again.
    assert.equal(await page.getByText('Ingen påminnelse kan skickas just nu.').count(), 1);
    assert.equal(await page.locator('main table tbody tr td', { hasText: '(1)' }).count(), ready);
    assert.equal(await page.getByRole('button', { name: /^Skicka påminnelser/ }).count(), 0);
    await assertAccessible(page, 'reminders after sending');
  } finally {
    await context.close();
  }
});
