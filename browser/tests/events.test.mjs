// The open calendar's forms in the browser: the demo member proposes a
// workshop through the form (first with an error), the host publishes it
// on the hosts' list, another member of the same organisation signs up
// themself and a colleague, the calendar shows it, and the organiser sees
// who signed up on the attendance page; axe-core on every new page.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const {
  launchBrowser, newPage, signIn, assertAccessible, stockholmDate, unique,
} = require('./helpers.js');

const FIGEHOLM = 'Kontorskollektivet Figeholm';
// A second demo member of the member's organisation (Skatteverket).
const COLLEAGUE_LOGIN = 'gustav.nystrom@skatteverket.example';

let browser;

before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a member proposes a workshop, the host publishes it, a colleague signs up with a colleague', async () => {
  const title = `Workshop om AI-verktyg ${unique()}`;
  const date = stockholmDate(6);
  let eventPath;

  // The member proposes the workshop through the form.
  {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'member');
      await page.goto('/calendar');
      await page.locator('header').getByRole('link', { name: 'Föreslå evenemang' }).click();
      await page.waitForURL((u) => u.pathname === '/events/new');
      await assertAccessible(page, 'propose form');

      await page.getByLabel('Rubrik').fill(title);
      await page.getByLabel('Beskrivning').fill('Vi provar verktygen tillsammans och delar erfarenheter.');
      await page.getByLabel('Ämnen').fill('AI, Offentlig sektor');
      await page.getByLabel('Hubb', { exact: true }).selectOption({ label: FIGEHOLM });
      await page.getByLabel('Plats', { exact: true }).selectOption('online');
      await page.getByLabel('Datum', { exact: true }).fill(date);
      await page.getByLabel('Börjar').fill('13:00');
      // The end before the start: refused, translated, values kept.
      await page.getByLabel('Slutar').fill('12:00');
      await page.getByLabel('Antal platser').fill('12');
      await page.getByRole('button', { name: 'Föreslå evenemanget' }).click();
      await page.locator('#f-end-error').waitFor();
      assert.match(await page.locator('#f-end-error').innerText(), /slutar innan det börjar/);
      assert.equal(await page.locator('#f-end').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel('Rubrik').inputValue(), title);
      await assertAccessible(page, 'propose form with an error');

      await page.getByLabel('Slutar').fill('15:00');
      await page.getByRole('button', { name: 'Föreslå evenemanget' }).click();
      await page.waitForURL((u) => /^\/events\/[0-9a-f-]+$/.test(u.pathname));
      eventPath = new URL(page.url()).pathname;
      assert.match(await page.locator('main').innerText(), /väntar på att hubbens värd publicerar det/);
      await assertAccessible(page, 'event page as organiser');
    } finally {
      await context.close();
    }
  }

  // The host publishes it from the hosts' list.
  {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'host');
      await page.goto('/admin');
      await page.locator('main').getByRole('link', { name: 'Evenemang', exact: true }).click();
      await page.waitForURL((u) => u.pathname === '/admin/events');
      await assertAccessible(page, 'admin events');
      const row = page.locator('tr', { has: page.getByRole('link', { name: title }) });
      await row.getByRole('button', { name: /Publicera/ }).click();
      await page.waitForURL((u) => u.pathname === '/admin/events' && u.search.includes('done=published'));
      assert.match(await page.locator('main [role=status]').innerText(), /publicerat/);
    } finally {
      await context.close();
    }
  }

  // Another member of the organisation signs up and brings a colleague.
  {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, COLLEAGUE_LOGIN);
      await page.goto(eventPath);
      await page.getByRole('button', { name: 'Anmäl mig' }).click();
      await page.waitForURL((u) => u.search.includes('done=confirmed'));
      await page.getByLabel('Anmäl en kollega').selectOption({ label: 'Louise Hermansson' });
      await page.getByRole('button', { name: 'Anmäl kollegan' }).click();
      await page.waitForURL((u) => u.search.includes('done=colleague_confirmed'));
      assert.match(await page.locator('main').innerText(), /Din kollega är anmäld/);
      assert.match(await page.locator('#participants').innerText(), /Skatteverket: 2/);
      await assertAccessible(page, 'event page with a colleague signed up');
    } finally {
      await context.close();
    }
  }

  // The calendar shows it to anyone.
  {
    const { context, page } = await newPage(browser);
    try {
      await page.goto('/calendar');
      await page.getByRole('link', { name: title }).waitFor();
    } finally {
      await context.close();
    }
  }

  // The organiser sees who signed up, marks who came, and may invite.
  {
    const { context, page } = await newPage(browser);
    try {
      await signIn(page, 'member');
      await page.goto(eventPath);
      await page.getByRole('link', { name: 'Deltagare, närvaro och inbjudningar' }).click();
      await page.waitForURL((u) => u.pathname === `${eventPath}/attendance`);
      assert.equal((await page.locator('[data-summary=registered]').innerText()).trim(), '2');
      await assertAccessible(page, 'attendance');
      await page.locator('tr', { hasText: 'Gustav' })
        .getByRole('button', { name: /Markera som kom/ }).click();
      await page.waitForURL((u) => u.search.includes('done=marked'));
      assert.equal((await page.locator('[data-summary=attended]').innerText()).trim(), '1');
      // A bad address: nothing sent, the address named.
      await page.getByLabel('E-postadresser').fill('gast@kommun.example\ninte-en-adress');
      await page.getByRole('button', { name: 'Skicka inbjudningar' }).click();
      await page.locator('#invite-problem').waitFor();
      assert.match(await page.locator('#invite-problem').innerText(), /inte-en-adress/);
      await assertAccessible(page, 'attendance with an invitation error');
      // The edit form, as the organiser.
      await page.goto(`${eventPath}/edit`);
      assert.equal(await page.getByLabel('Rubrik').inputValue(), title);
      await assertAccessible(page, 'edit form');
    } finally {
      await context.close();
    }
  }
});
