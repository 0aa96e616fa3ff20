// Who may open which admin page.
'use strict';

const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  launchBrowser, newPage, signIn, visit, assertAccessible,
} = require('./helpers');

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function assertForbiddenPage(page) {
  await page.getByRole('heading', { level: 1, name: 'Något gick fel' }).waitFor();
  assert.match(await page.locator('main [role="alert"]').innerText(), /inte behörighet/);
}

test('a hub host gets 403 on /admin/regions but may open the hub list', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'host');
    assert.equal(await visit(page, '/admin/regions'), 403);
    await assertForbiddenPage(page);
    await assertAccessible(page, '403 page');
    assert.equal(await visit(page, '/admin/regions/new'), 403);
    assert.equal(await visit(page, '/admin/hubs'), 200);
    assert.equal(await page.locator('main').getByRole('link', { name: 'Lägg till' }).count(), 0,
      'a host cannot add hubs');
  } finally {
    await context.close();
  }
});

test('a member gets 403 on /admin and sees no admin link', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'member');
    assert.equal(await page.locator('header').getByRole('link', { name: 'Administration' }).count(), 0);
    assert.equal(await visit(page, '/admin'), 403);
    await assertForbiddenPage(page);
  } finally {
    await context.close();
  }
});

test('signed out, /admin leads to the sign-in page and back', async () => {
  const { context, page } = await newPage(browser);
  try {
    await page.goto('/admin');
    await page.waitForURL('**/login?next=%2Fadmin');
    await page.locator('#email').fill('admin@demo.example');
    await page.locator('#password').fill('demo');
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/admin'),
      page.locator('main form[action="/login"] button[type="submit"]').click(),
    ]);
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  } finally {
    await context.close();
  }
});
