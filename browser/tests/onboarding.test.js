// Getting people in: a network admin registers Skatteverket's OpenID
// provider (oidc/provider.mjs, a real certified provider run by run.sh); the
// organisation admin buys three seats and gives them to three members of
// staff from a CSV list; the invitations arrive by SMTP in the suite's
// mailbox; one person activates with a password, one signs in through the
// organisation's provider, and the third is still shown as invited. axe-core
// on every page of the way, in Swedish and in English.
'use strict';

const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const {
  BASE_URL, launchBrowser, newPage, signIn, useLanguage, visit, assertAccessible, mailTo, linkIn,
} = require('./helpers');

const ORG = 'Skatteverket';
const DOMAIN = 'skatteverket.example';
/// A plan Skatteverket can buy seats of.
const PLAN = 'Regionkort Kalmar län';
const PEOPLE = [
  { first: 'Petra', last: 'Lind', email: `petra.lind@${DOMAIN}` },
  // The provider's one account (run.sh): sub "sigrid-ek".
  { first: 'Sigrid', last: 'Ek', email: `sigrid.ek@${DOMAIN}`, sub: 'sigrid-ek' },
  { first: 'Tove', last: 'Berg', email: `tove.berg@${DOMAIN}` },
];
const [PETRA, SIGRID, TOVE] = PEOPLE;
const INVITATION = '/access/invitation/';

const ISSUER = process.env.THIRDPLACE_OIDC_ISSUER;
const CLIENT_ID = process.env.THIRDPLACE_OIDC_CLIENT_ID;
const CLIENT_SECRET = process.env.THIRDPLACE_OIDC_CLIENT_SECRET;

let browser;
before(async () => {
  assert.ok(ISSUER && CLIENT_ID && CLIENT_SECRET, 'run.sh starts the OpenID provider');
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); });

/// A form field by the start of its label (labels may go on with a hint).
function field(scope, label) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return scope.getByLabel(new RegExp(`^${escaped}(\\s|$)`));
}

/// Clicks `locator` and waits for the page it leads to.
async function submit(page, locator) {
  await Promise.all([page.waitForEvent('load'), locator.click()]);
}

/// The seats page of the organisation admin's organisation, reached from /admin.
async function openSeats(page) {
  assert.equal(await visit(page, '/admin'), 200);
  await submit(page, page.locator('main').getByRole('link', { name: 'Platser och medlemskap', exact: true }));
  await page.getByRole('heading', { level: 1, name: `Platser – ${ORG}` }).waitFor();
  return new URL(page.url()).pathname;
}

/// The "Konto" (account) cell of `name`'s row in the seats list.
function accountState(page, name) {
  return page.locator('main section[aria-labelledby="seats-h"] tbody tr')
    .filter({ has: page.getByRole('cell', { name, exact: true }) })
    .locator('td')
    .nth(5);
}

let seatsPath;

test('a network admin registers the organisation\'s OpenID provider', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'admin');
    assert.equal(await visit(page, '/admin/sso'), 200);
    await assertAccessible(page, 'single sign-on providers');
    const form = page.locator('main form[action="/admin/sso"]');
    await form.locator('#organisation_id').selectOption({ label: ORG });
    await form.locator('#issuer_url').fill(ISSUER);
    await form.locator('#client_id').fill(CLIENT_ID);
    await form.locator('#client_secret').fill(CLIENT_SECRET);
    await form.locator('#domains').fill(DOMAIN);
    await form.locator('#enabled').check();
    await submit(page, form.getByRole('button', { name: 'Spara', exact: true }));
    const main = page.locator('main');
    assert.equal(await main.getByText(ISSUER).count() > 0, true, 'the provider is listed');
    assert.equal(await main.getByText(DOMAIN).count() > 0, true, 'with its domain');
    assert.equal(await page.content().then((html) => html.includes(CLIENT_SECRET)), false,
      'the client secret is never shown back');
    await assertAccessible(page, 'single sign-on providers, one registered');
  } finally {
    await context.close();
  }
});

test('an organisation admin gives seats to three people from a CSV list', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'orgadmin');
    seatsPath = await openSeats(page);

    // Three free seats to give.
    const buy = page.locator('main form').filter({ has: page.getByRole('button', { name: 'Köp', exact: true }) });
    const plan = field(buy, 'Plan');
    const planValue = await plan.locator('option').evaluateAll(
      (options, name) => options.find((o) => o.textContent.startsWith(`${name} (`))?.value,
      PLAN,
    );
    assert.ok(planValue, `the plan "${PLAN}" is offered`);
    await plan.selectOption(planValue);
    await field(buy, 'Antal platser').fill('3');
    await submit(page, buy.getByRole('button', { name: 'Köp', exact: true }));
    const confirm = page.getByRole('region', { name: 'Bekräfta köpet' });
    await submit(page, confirm.getByRole('button', { name: /^Bekräfta köp \(/ }));
    assert.match(await page.getByRole('status').first().innerText(), /Köpta platser: 3/);

    // The list, as Excel saves it: semicolons and a header row.
    await submit(page, page.locator('main').getByRole('link', { name: 'Ge platser till många från en lista (CSV)' }));
    assert.equal(new URL(page.url()).pathname, `${seatsPath}/bulk`);
    await assertAccessible(page, 'seats from a list');
    const csv = ['Förnamn;Efternamn;E-post', ...PEOPLE.map((p) => `${p.first};${p.last};${p.email}`)].join('\n');
    await page.getByLabel('Klistra in listan', { exact: true }).fill(csv);
    await submit(page, page.getByRole('button', { name: 'Förhandsgranska', exact: true }));

    // The preview says what will happen to each line; nothing is saved yet.
    const rows = page.locator('main section[aria-labelledby="result-h"] tbody tr');
    assert.equal(await rows.count(), 3);
    for (const p of PEOPLE) {
      const row = rows.filter({ hasText: p.email });
      assert.match(await row.innerText(), /Läggs till, får en plats och en inbjudan/);
    }
    assert.match(await page.locator('main p[role="status"]').innerText(), /3 av 3 rader kommer att få en plats/);
    await assertAccessible(page, 'seats from a list, preview');

    await submit(page, page.getByRole('button', { name: 'Bekräfta och ge platserna', exact: true }));
    assert.match(await page.locator('main p[role="status"]').innerText(), /3 av 3 rader fick en plats/);
    for (const p of PEOPLE) {
      const row = page.locator('main section[aria-labelledby="result-h"] tbody tr').filter({ hasText: p.email });
      assert.match(await row.innerText(), /Tillagd, fick en plats och en inbjudan/);
    }
    await assertAccessible(page, 'seats from a list, done');

    // The seats list shows each of them as invited.
    assert.equal(await visit(page, seatsPath), 200);
    for (const p of PEOPLE) {
      assert.equal((await accountState(page, `${p.first} ${p.last}`).innerText()).trim(), 'Inbjuden');
    }
  } finally {
    await context.close();
  }
});

test('one invited person chooses a password and lands on their card', async () => {
  const mail = await mailTo(PETRA.email, /\/access\/invitation\//);
  assert.match(mail.text, /Petra/);
  const { context, page } = await newPage(browser);
  try {
    assert.equal(await visit(page, linkIn(mail, INVITATION)), 200);
    await assertAccessible(page, 'invitation');
    const form = page.locator('main form').filter({ has: page.locator('#password') });
    await form.locator('#password').fill('en lång och hemlig fras');
    await form.locator('#password_again').fill('en lång och hemlig fras');
    await form.locator('#accept').check();
    await submit(page, form.getByRole('button', { name: 'Spara lösenordet', exact: true }));
    assert.equal(new URL(page.url()).pathname, '/account/card');
    await page.locator('header form[action="/logout"] button').waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(`${PLAN}\\s+${ORG}`), 'the card shows the seat');
    await assertAccessible(page, 'the card, just activated');

    // The link works once.
    assert.equal(await visit(page, linkIn(mail, INVITATION)) >= 400, true, 'a used link is refused');
    await assertAccessible(page, 'a used invitation link');
  } finally {
    await context.close();
  }
});

test('one invited person signs in through the organisation\'s provider', async () => {
  const mail = await mailTo(SIGRID.email, /\/access\/invitation\//);
  const { context, page } = await newPage(browser);
  try {
    assert.equal(await visit(page, linkIn(mail, INVITATION)), 200);
    const sso = page.locator('main form[action="/sso/start"]');
    await sso.locator('#accept_sso').check();
    await sso.getByRole('button', { name: `Logga in med ${ORG}`, exact: true }).click();
    // A page of the app's sends the browser on to the provider by itself.

    // At the provider (oidc-provider's own sign-in page): sign in as Sigrid,
    // and allow thirdplace if it asks.
    await page.waitForURL((u) => u.href.startsWith(ISSUER));
    await page.locator('input[name="login"]').fill(SIGRID.sub);
    await page.locator('input[name="password"]').fill('whatever the provider checks');
    const atLogin = page.url();
    await Promise.all([
      page.waitForURL((u) => u.href !== atLogin),
      page.locator('button[type="submit"]').click(),
    ]);
    // A consent page, if the provider asks (this one grants it itself).
    if (page.url().startsWith(ISSUER)) await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.href.startsWith(`${BASE_URL}/account/card`));
    await page.locator('header form[action="/logout"] button').waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(`${PLAN}\\s+${ORG}`), 'the card shows the seat');
    await assertAccessible(page, 'the card, signed in through the provider');
  } finally {
    await context.close();
  }
});

test('the organisation admin sees who has activated and who is still invited', async () => {
  const { context, page } = await newPage(browser);
  try {
    await signIn(page, 'orgadmin');
    assert.equal(await visit(page, seatsPath), 200);
    assert.equal((await accountState(page, 'Petra Lind').innerText()).trim(), 'Aktiverat');
    assert.equal((await accountState(page, 'Sigrid Ek').innerText()).trim(), 'Aktiverat');
    assert.equal((await accountState(page, 'Tove Berg').innerText()).trim(), 'Inbjuden');
    await assertAccessible(page, 'seats with invitation states');
  } finally {
    await context.close();
  }
});

test('the same pages in English', async () => {
  // The third person's invitation, opened in an English browser.
  const mail = await mailTo(TOVE.email, /\/access\/invitation\//);
  const guest = await newPage(browser);
  try {
    await useLanguage(guest.page, 'en');
    assert.equal(await visit(guest.page, linkIn(mail, INVITATION)), 200);
    assert.equal(await guest.page.locator('html').getAttribute('lang'), 'en');
    await guest.page.getByRole('button', { name: `Sign in with ${ORG}`, exact: true }).waitFor();
    await assertAccessible(guest.page, 'invitation, in English');
  } finally {
    await guest.context.close();
  }

  const org = await newPage(browser);
  try {
    await useLanguage(org.page, 'en');
    await signIn(org.page, 'orgadmin');
    assert.equal(await visit(org.page, `${seatsPath}/bulk`), 200);
    await org.page.getByLabel('Paste the list', { exact: true }).fill(`${TOVE.first},${TOVE.last},${TOVE.email}\nNo,Address,not-an-address`);
    await submit(org.page, org.page.getByRole('button', { name: 'Preview', exact: true }));
    const rows = org.page.locator('main section[aria-labelledby="result-h"] tbody tr');
    assert.match(await rows.filter({ hasText: TOVE.email }).innerText(), /Already a member/);
    assert.match(await rows.filter({ hasText: 'not-an-address' }).innerText(), /Invalid e-mail address/);
    await assertAccessible(org.page, 'seats from a list, preview, in English');
    assert.equal(await visit(org.page, seatsPath), 200);
    assert.equal((await accountState(org.page, 'Tove Berg').innerText()).trim(), 'Invited');
    await assertAccessible(org.page, 'seats with invitation states, in English');
  } finally {
    await org.context.close();
  }

  const admin = await newPage(browser);
  try {
    await useLanguage(admin.page, 'en');
    await signIn(admin.page, 'admin');
    assert.equal(await visit(admin.page, '/admin/sso'), 200);
    await assertAccessible(admin.page, 'single sign-on providers, in English');
  } finally {
    await admin.context.close();
  }
});
