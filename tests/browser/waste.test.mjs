// Browser test of the hazardous waste pages: the administrator imports a receiver's permit
// (API, with the session's CSRF token) and submits an application through the page's
// form; the Chongqing officer then sees it in the list, opens it and is offered the
// decision of the exporting side only. Same harness as ui.test.mjs (scripts/browser-tests.sh
// sets ZP_URL, ZP_LOGINS, ZP_ARTIFACTS, ZP_CHROMIUM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.ZP_URL.replace(/\/$/, '');
const demo = JSON.parse(fs.readFileSync(process.env.ZP_LOGINS, 'utf8'));
const ART = process.env.ZP_ARTIFACTS;
fs.mkdirSync(ART, { recursive: true });
const login = name => demo.logins.find(l => l.username === name);
const ENTERPRISE = login('enterprise').scope;
const OFFICER_REGION = login('officer').scope;

let browser;
const errors = [];

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.ZP_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
});

async function session(user) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  const page = await context.newPage();
  page.on('pageerror', e => errors.push(`${user}: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !/status of 404/.test(m.text())) errors.push(`${user}: ${m.text()}`); });
  await page.goto(`${BASE}/`);
  assert.match(page.url(), /\/login\?next=/, 'anonymous visitors are sent to the login page');
  await page.fill('#username', user);
  await page.fill('#password', login(user).password);
  await Promise.all([page.waitForURL(u => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
  return { context, page };
}

const shot = (page, name) => page.screenshot({ path: path.join(ART, `${name}.png`), fullPage: true });

test('an officer sees a waste application submitted through the page', async () => {
  const admin = await session('admin');
  const api = admin.page.request;
  const me = await (await api.get(`${BASE}/api/v1/me`)).json();
  const csrf = me.csrf_token;
  assert.ok(csrf, 'the session has a CSRF token');
  // A receiver outside the officer's province: an enterprise of another province.
  const { orgs } = await (await api.get(`${BASE}/api/v1/orgs`)).json();
  const receiver = orgs.find(o => o.region !== OFFICER_REGION);
  assert.ok(receiver, 'the demo has an enterprise in another province');
  const permits = 'permit_no,holder,province,codes,capacity_t,valid_from,valid_to,source\n'
    + `BROWSER-001,${receiver.credit_code},${receiver.region},HW08,100,2024-01-01,2026-12-31,browser test permit\n`;
  const imported = await api.post(`${BASE}/api/v1/waste/permits`, {
    headers: { 'X-CSRF-Token': csrf },
    multipart: { file: { name: 'permits.csv', mimeType: 'text/csv', buffer: Buffer.from(permits) } },
  });
  assert.equal(imported.status(), 200, await imported.text());
  assert.equal((await imported.json()).accepted, 1);

  await admin.page.goto(`${BASE}/waste`);
  const form = admin.page.locator('#apply-form');
  await form.locator('[name=generator]').fill(ENTERPRISE);
  await form.locator('[name=receiver]').fill(receiver.credit_code);
  await form.locator('[name=code]').fill('900-249-08');
  await form.locator('[name=tonnes]').fill('12.5');
  await form.locator('[name=from_province]').selectOption(OFFICER_REGION);
  await form.locator('[name=to_province]').selectOption(receiver.region);
  await form.locator('[name=submitted]').fill('2025-06-10');
  await Promise.all([admin.page.waitForURL(/\/waste\/\d+$/), form.locator('button[type=submit]').click()]);
  const id = admin.page.url().match(/\/waste\/(\d+)$/)[1];
  assert.equal(await admin.page.getAttribute('#application-status', 'data-status'), 'pending');
  await admin.context.close();

  const { context, page } = await session('officer');
  await page.goto(`${BASE}/waste`);
  const row = page.locator(`#waste-applications tr[data-id="${id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /900-249-08/);
  assert.match(await row.textContent(), /12\.5/);
  assert.equal(await row.getAttribute('data-status'), 'pending');
  await shot(page, '30-waste-list-officer');
  await Promise.all([page.waitForURL(new RegExp(`/waste/${id}$`)), row.locator('a').first().click()]);
  assert.match(await page.textContent('#application-title'), new RegExp(`#${id}`));
  // The officer of the exporting province decides that side only.
  assert.equal(await page.locator('#side-export form.decide-form').count(), 1);
  assert.equal(await page.locator('#side-import form.decide-form').count(), 0);
  assert.equal(await page.locator('#manifests tbody tr').count(), 0);
  await shot(page, '31-waste-application-officer');
  await context.close();
  assert.deepEqual(errors, []);
});
