// Browser tests of the zeropark web UI: headless Debian Chromium driven by playwright-core.
// Run by scripts/browser-tests.sh, which starts a server on a seeded demo database and sets
// ZP_URL (server), ZP_LOGINS (the JSON printed by `zeropark demo --json`), ZP_ARTIFACTS
// (screenshot folder) and ZP_CHROMIUM (browser binary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.ZP_URL.replace(/\/$/, '');
const demo = JSON.parse(fs.readFileSync(process.env.ZP_LOGINS, 'utf8'));
const ART = process.env.ZP_ARTIFACTS;
fs.mkdirSync(ART, { recursive: true });
const login = name => demo.logins.find(l => l.username === name);
const PARK = login('park').scope;
const ENTERPRISE = login('enterprise').scope;

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
// Polls from Node with page.evaluate: page.waitForFunction compiles its predicate with
// `new Function` inside the page, which the Content-Security-Policy (script-src 'self')
// rightly refuses.
const waitFor = async (page, fn, arg, timeout = 15000) => {
  const until = Date.now() + timeout;
  while (!(await page.evaluate(fn, arg))) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeout} ms: ${fn}`);
    await new Promise(r => setTimeout(r, 100));
  }
};
const chartDrawn = (page, id) => waitFor(page, el => {
  const c = window.echarts && window.echarts.getInstanceByDom(document.getElementById(el));
  return !!c && !!document.querySelector(`#${el} canvas`);
}, id);

test('a wrong password is refused', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('#username', 'park');
  await page.fill('#password', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.alert');
  assert.match(await page.textContent('.alert'), /用户名或密码错误/);
  await shot(page, '00-login-refused');
  await context.close();
});

test('failed sign-ins slow down one account from one source, with the wait shown; other accounts sign in', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const ghost = `ghost-${process.pid}`;
  let text = '';
  // Five free attempts per account and source, then a growing wait (hardening issue, 9).
  for (let i = 0; i < 8 && !/秒/.test(text); i++) {
    await page.goto(`${BASE}/login`);
    await page.fill('#username', ghost);
    await page.fill('#password', 'wrong');
    await Promise.all([page.waitForURL(/\/login/), page.click('button[type=submit]')]);
    text = await page.textContent('.alert');
  }
  assert.match(text, /登录尝试次数过多，请稍后再试 \(\d+ 秒\)/);
  await shot(page, '00a-login-slowed');
  await context.close();
  // Nobody is locked out by another's name: a real account signs in from the same source.
  const other = await session('officer');
  assert.doesNotMatch(other.page.url(), /\/login/);
  await other.context.close();
});

test('park admin sees the park overview and switches language', async () => {
  const { context, page } = await session('park');
  assert.equal((await page.textContent('#park-name')).trim(), PARK);
  await chartDrawn(page, 'trend');
  await chartDrawn(page, 'industry');
  const energy = await page.textContent('#kpi-energy .value');
  assert.match(energy, /[0-9],[0-9]{3}/, 'energy in tce with thousands separators');
  assert.equal(await page.locator('#members tbody tr').count(), 30);
  assert.match(await page.textContent('nav.mainnav'), /园区总览/);
  await shot(page, '01-overview-zh');
  await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
  assert.match(await page.textContent('nav.mainnav'), /Park overview/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await chartDrawn(page, 'trend');
  await shot(page, '02-overview-en');
  // The choice sticks across pages until switched back.
  await page.goto(`${BASE}/factors`);
  assert.match(await page.textContent('h1'), /Factor catalog/);
  await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
  assert.match(await page.textContent('h1'), /排放因子库/);
  await context.close();
});

test('every data table exports what it shows: CSV opened and parsed, Excel a workbook', async () => {
  const { context, page } = await session('park');
  await page.goto(`${BASE}/`);
  const bar = page.locator('#members').locator('xpath=ancestor::*[contains(@class,"table-wrap")][1]/following-sibling::p[contains(@class,"table-exports")][1]');
  assert.equal(await bar.count(), 1, 'the members table has its export buttons');
  const [csv] = await Promise.all([page.waitForEvent('download'), bar.locator('[data-export=csv]').click()]);
  assert.match(csv.suggestedFilename(), /\.csv$/);
  const text = fs.readFileSync(await csv.path(), 'utf8');
  assert.equal(text.charCodeAt(0), 0xFEFF, 'a BOM, so Excel reads the Chinese');
  const lines = text.slice(1).trim().split(/\r\n/);
  const header = (await page.locator('#members thead th').allTextContents()).map(h => h.replace(/\s+/g, ' ').trim());
  assert.equal(lines[0], header.map(h => (/[",]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(','));
  assert.equal(lines.length - 1, await page.locator('#members tbody tr').count());
  const [xlsx] = await Promise.all([page.waitForEvent('download'), bar.locator('[data-export=xlsx]').click()]);
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  const bytes = fs.readFileSync(await xlsx.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an .xlsx (zip) workbook');
  // Every page's data tables have the buttons.
  await page.goto(`${BASE}/imports`);
  assert.equal(await page.locator('p.table-exports').count(), await page.locator('table.data thead').count());
  await context.close();
});

test('the audit log filters by action and object, shows actions in the page language, and pages back', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/audit`);
  const ids = async () => (await page.locator('#audit tbody tr').evaluateAll(rs => rs.map(r => Number(r.dataset.id))));
  const first = await ids();
  assert.equal(first.length, 100, 'a page of 100');
  await Promise.all([page.waitForNavigation(), page.click('#audit-older')]);
  const older = await ids();
  assert.ok(older.length > 0 && Math.max(...older) < Math.min(...first), 'the next page is older');
  await page.goto(`${BASE}/audit`);
  await page.fill('#audit-filter [name=action]', 'create');
  await page.fill('#audit-filter [name=object]', 'org');
  await Promise.all([page.waitForNavigation(), page.click('#audit-filter button[type=submit]')]);
  const rows = page.locator('#audit tbody tr');
  assert.ok(await rows.count() > 0);
  for (const text of await rows.locator('td:nth-child(4)').allTextContents()) assert.equal(text.trim(), '创建');
  for (const text of await rows.locator('td:nth-child(5)').allTextContents()) assert.match(text, /^org /);
  assert.equal(await page.inputValue('#audit-filter [name=object]'), 'org', 'the form keeps the filter');
  await shot(page, '09a-audit-filtered');
  await context.close();
});

test('navigation: grouped menus fit at 1,366 px in both languages; the active group shows; a menu opens to its pages', async () => {
  const { context, page } = await session('admin');
  await page.setViewportSize({ width: 1366, height: 800 });
  for (const lang of ['zh', 'en']) {
    await page.goto(`${BASE}/imports?lang=${lang}`);
    const groups = page.locator('nav.mainnav details.navgroup > summary');
    assert.equal(await groups.count(), 6, 'the admin sees all six menus');
    // Every menu label is fully visible, left of the language switch and user.
    const who = await page.locator('header .who').boundingBox();
    for (let i = 0; i < 6; i++) {
      const b = await groups.nth(i).boundingBox();
      assert.ok(b && b.width > 0 && b.x + b.width <= who.x, `${lang}: menu ${i} fits (${JSON.stringify(b)} vs ${who.x})`);
    }
    // The page's menu is marked active; its entries are hidden until it is opened.
    const data = page.locator('details.navgroup[data-group="data"]');
    assert.match(await data.getAttribute('class'), /active/);
    assert.equal(await page.locator('details.navgroup.active').count(), 1);
    assert.ok(!(await data.locator('a[href="/quarantine"]').isVisible()));
    await data.locator('summary').click();
    assert.ok(await data.locator('a[href="/quarantine"]').isVisible());
    await shot(page, `03-navigation-${lang}`);
    // Opening another menu closes this one.
    await page.locator('details.navgroup[data-group="monitor"] summary').click();
    assert.equal(await data.getAttribute('open'), null);
    await Promise.all([page.waitForNavigation(), page.locator('details.navgroup[data-group="monitor"] a[href="/map"]').click()]);
    assert.match(await page.locator('details.navgroup.active').getAttribute('data-group'), /monitor/);
  }
  await context.close();
});

test('carbon map: drill down from China to region, park, enterprise and meter; time slider', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/map`);
  await chartDrawn(page, 'map-chart');
  await page.waitForSelector('a[data-region="CQ"]');
  await shot(page, '03-map-china');
  await page.click('a[data-region="CQ"]');
  await page.waitForSelector('a[data-park]');
  await page.click(`a[data-park="${PARK}"]`);
  await page.waitForSelector('#map-orgs tbody tr');
  assert.equal(await page.locator('#map-orgs tbody tr').count(), 30);
  assert.match(await page.textContent('#crumbs'), new RegExp(PARK));
  await shot(page, '04-map-park');
  // Time slider: July.
  const first = await page.textContent('#map-orgs tbody tr:first-child td.num');
  await page.locator('#month-slider').evaluate(el => { el.value = '7'; el.dispatchEvent(new Event('input')); });
  await waitFor(page, () => document.getElementById('month-label').textContent.endsWith('-07'));
  await waitFor(page, f => document.querySelector('#map-orgs tbody tr:first-child td.num')?.textContent !== f, first);
  await page.click('#map-orgs tbody tr:first-child');
  await page.waitForSelector('#crumbs button.current[data-level="org"]');
  await page.waitForSelector('#meter-list');
  await waitFor(page, () => !document.getElementById('meter-list').textContent.includes('…'));
  const meters = await page.locator('#map-meters tr[data-meter]').count();
  if (meters > 0) {
    assert.match(await page.textContent('#map-meters tr[data-meter] td:nth-child(2)'), /^(用电|发电|储能充电|储能放电)$/, 'meter kinds in the page language');
    await page.click('#map-meters tr[data-meter]');
    await page.waitForSelector('#crumbs button.current[data-level="meter"]');
  }
  assert.ok((await page.textContent('#heatmap-note')).length > 0, 'the heatmap says what it shows');
  await shot(page, '05-map-enterprise');
  // Back up through the breadcrumbs.
  await page.click('#crumbs button[data-level="country"]');
  await page.waitForSelector('#crumbs button.current[data-level="country"]');
  await context.close();
});

// The map's figures: `data-value` holds the exact number a panel shows.
const figure = (page, name) => page.evaluate(n => {
  const b = document.querySelector(`#side-panel [data-figure="${n}"], #heatmap-note [data-figure="${n}"]`);
  return b ? Number(b.dataset.value) : null;
}, name);
const near = (a, b, what) => assert.ok(a !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: shown ${a}, API ${b}`);
const slide = async (page, month) => {
  await page.locator('#month-slider').evaluate((el, m) => { el.value = String(m); el.dispatchEvent(new Event('input')); }, month);
  await waitFor(page, m => document.getElementById('month-label').textContent.endsWith(m ? `-${String(m).padStart(2, '0')}` : ''), month);
};
// Waits until the panel shows `want` (the API's figure) for `name`, then checks it.
const shows = async (page, name, want, what) => {
  await waitFor(page, ([n, w]) => {
    const b = document.querySelector(`#side-panel [data-figure="${n}"], #heatmap-note [data-figure="${n}"]`);
    return b && Math.abs(Number(b.dataset.value) - w) <= 1e-9 * Math.max(1, Math.abs(w));
  }, [name, want]).catch(() => {});
  near(await figure(page, name), want, what);
};
// The map's park level as drawn: the outline registered for the geo component, the
// enterprises' points and the label each one's graphic carries.
const parkDrawn = page => page.evaluate(() => {
  const c = echarts.getInstanceByDom(document.getElementById('map-chart'));
  const o = c.getOption();
  if (!o.geo || !o.geo.length) return null;
  const map = echarts.getMap(o.geo[0].map);
  const gj = map && (map.geoJSON || map.geoJson);
  const i = o.series.findIndex(x => x.type === 'scatter');
  const data = c.getModel().getSeriesByIndex(i).getData();
  return {
    ring: gj.features[0].geometry.coordinates[0],
    points: o.series[i].data.map((d, k) => {
      // A scatter point's graphic is a group; its symbol carries the label.
      const g = data.getItemGraphicEl(k);
      const label = g && ((g.getTextContent && g.getTextContent()) || (g.childAt && g.childAt(0) && g.childAt(0).getTextContent()));
      return { name: d.name, lon: d.value[0], lat: d.value[1], label: label && !label.ignore && !label.invisible ? label.style.text : null };
    }),
  };
});
const insideRing = (ring, [x, y]) => {
  let r = false;
  for (let i = 1; i < ring.length; i++) {
    const [x1, y1] = ring[i - 1], [x2, y2] = ring[i];
    if ((y1 > y) !== (y2 > y) && x < x1 + (y - y1) * (x2 - x1) / (y2 - y1)) r = !r;
  }
  return r;
};

test('carbon map: a park is its outline (illustrative, else the hull of its sites) with its enterprises named at their sites', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/map?park=${encodeURIComponent(PARK)}`);
  const year = await page.evaluate(() => JSON.parse(document.getElementById('map-data').textContent).year);
  const api = async p => (await page.request.get(BASE + p)).json();
  const regions = await api(`/api/v1/carbon-map/regions?year=${year}`);
  const other = regions.regions.flatMap(r => r.parks).find(p => p !== PARK);
  assert.ok(other, 'the demo has a second park');
  for (const [park, kind, words] of [[PARK, 'illustrative', '示意边界'], [other, 'sites_hull', '企业厂址外包范围']]) {
    await page.goto(`${BASE}/map?park=${encodeURIComponent(park)}`);
    await page.waitForSelector('#map-boundary');
    await waitFor(page, () => { const c = echarts.getInstanceByDom(document.getElementById('map-chart')); return c && c.getOption().geo?.length; });
    const want = await api(`/api/v1/carbon-map/parks/${encodeURIComponent(park)}?year=${year}`);
    assert.equal(want.boundary.kind, kind);
    assert.equal(await page.getAttribute('#map-boundary', 'data-kind'), kind);
    assert.match(await page.textContent('#map-boundary'), new RegExp(words), 'the outline says what it is');
    const drawn = await parkDrawn(page);
    assert.deepEqual(drawn.ring, want.boundary.ring, `${park}: the outline drawn is the API's`);
    const sites = want.orgs.filter(o => o.lon !== null);
    assert.ok(sites.length > 0);
    assert.deepEqual(drawn.points.map(p => [p.name, p.lon, p.lat]), sites.map(o => [o.name, o.lon, o.lat]), 'every enterprise at its site');
    for (const p of drawn.points) {
      assert.ok(p.label && p.name.includes(p.label), `${p.name} is labelled (${p.label})`);
      assert.ok(insideRing(drawn.ring, [p.lon, p.lat]), `${p.name} inside the outline`);
    }
    await shot(page, `04-map-park-${kind}`);
  }
  await context.close();
});

test('carbon map: the month slider moves every level\'s panel (country, region, park, enterprise, meter) to the API\'s figures', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/map`);
  const year = await page.evaluate(() => JSON.parse(document.getElementById('map-data').textContent).year);
  const api = async p => (await page.request.get(BASE + p)).json();
  const regions = (await api(`/api/v1/carbon-map/regions?year=${year}`)).regions;
  const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
  await page.waitForSelector('#map-figures');
  // Country: the visible enterprises of every province.
  near(await figure(page, 'emissions_market'), sum(regions, r => Number(r.emissions_market_tco2)), 'country, year');
  await slide(page, 7);
  await shows(page, 'emissions_market', sum(regions, r => Number(r.monthly_emissions_market_tco2[6])), 'country, July');
  await shows(page, 'energy', sum(regions, r => Number(r.monthly_energy_tce[6])), 'country, July energy');
  // Region: Chongqing, the slider kept.
  const cq = regions.find(r => r.code === 'CQ');
  await page.click('a[data-region="CQ"]');
  await page.waitForSelector('#crumbs button.current[data-level="region"]');
  await shows(page, 'emissions_market', Number(cq.monthly_emissions_market_tco2[6]), 'region, July');
  await slide(page, 3);
  await shows(page, 'emissions_market', Number(cq.monthly_emissions_market_tco2[2]), 'region, March');
  // Park.
  const park = await api(`/api/v1/carbon-map/parks/${encodeURIComponent(PARK)}?year=${year}`);
  await page.click(`a[data-park="${PARK}"]`);
  await page.waitForSelector('#map-orgs tbody tr');
  await shows(page, 'emissions_market', sum(park.orgs, o => Number(o.monthly_emissions_market_tco2[2])), 'park, March');
  await slide(page, 8);
  await shows(page, 'emissions_market', sum(park.orgs, o => Number(o.monthly_emissions_market_tco2[7])), 'park, August');
  // Enterprise: its energy, market-based emissions and intensity of the month.
  const o = park.orgs.find(x => Number(x.monthly_energy_tce[7]) !== Number(x.monthly_energy_tce[0]));
  await page.click(`#map-orgs tr[data-org="${o.credit_code}"]`);
  await page.waitForSelector('#crumbs button.current[data-level="org"]');
  await shows(page, 'energy', Number(o.monthly_energy_tce[7]), 'enterprise, August energy');
  await shows(page, 'emissions_market', Number(o.monthly_emissions_market_tco2[7]), 'enterprise, August emissions');
  near(await figure(page, 'intensity'), Number(o.monthly_emissions_market_tco2[7]) / Number(o.monthly_energy_tce[7]), 'enterprise, August intensity');
  await slide(page, 1);
  await shows(page, 'energy', Number(o.monthly_energy_tce[0]), 'enterprise, January energy');
  await slide(page, 0);
  await shows(page, 'energy', Number(o.energy_tce), 'enterprise, the year');
  near(await figure(page, 'intensity'), Number(o.intensity_market_tco2_per_tce), 'enterprise, the year\'s intensity');
  // Meter: the heatmap and its caption follow the month; the enterprise's total beside it.
  await waitFor(page, () => !document.getElementById('meter-list').textContent.includes('…'));
  if (await page.locator('#map-meters tr[data-meter]').count()) {
    await page.click('#map-meters tr[data-meter]');
    await page.waitForSelector('#crumbs button.current[data-level="meter"]');
  }
  await slide(page, 5);
  await waitFor(page, () => document.getElementById('heatmap-title').textContent.endsWith('-05'));
  await shows(page, 'energy', Number(o.monthly_energy_tce[4]), 'enterprise panel under the meter, May');
  const heat = await api(`/api/v1/carbon-map/orgs/${o.credit_code}/heatmap?year=${year}&month=5` +
    (await page.evaluate(() => (window.zpMap.meter ? `&meter=${encodeURIComponent(window.zpMap.meter)}` : ''))));
  if (heat.available) {
    assert.equal(await page.textContent('#heatmap-caption'), '热力图为外购电力的碳排放（范围二，逐时电网因子）');
    await shows(page, 'heatmap', heat.heatmap.total_tco2, 'heatmap, May');
    await shows(page, 'org_total', Number(o.monthly_location_tco2[4]), 'the enterprise\'s total beside the heatmap, May');
  } else {
    assert.match(await page.textContent('#heatmap-note'), /计量读数/);
  }
  await context.close();
});

const hourSlide = async (page, h) => {
  await page.locator('#hour-slider').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }, h);
  await waitFor(page, v => document.getElementById('hour-label').textContent.startsWith(v ? `${String(v - 1).padStart(2, '0')}:00` : ''), h);
};

test('carbon map: the hour slider moves every level (country, region, park, enterprise, heatmap) to the hour profile\'s figures', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/map`);
  const year = await page.evaluate(() => JSON.parse(document.getElementById('map-data').textContent).year);
  const api = async p => (await page.request.get(BASE + p)).json();
  const H = 10; // 10:00-11:00, slider position 11
  const hourSum = (p, keep) => p.orgs.filter(keep || (() => true)).reduce((a, o) => a + Number(o.emissions_tco2[H]), 0);
  const gridSum = p => p.orgs.reduce((a, o) => a + Number(o.grid_import_mwh[H]), 0);
  await page.waitForSelector('#map-figures');
  await slide(page, 7);
  await hourSlide(page, H + 1);
  assert.equal(await page.textContent('#hour-label'), '10:00–11:00');
  // Country: every visible enterprise's 10:00 in July; provinces with hourly factors coloured by the hour's mean.
  const all = await api(`/api/v1/carbon-map/hours?year=${year}&month=7`);
  assert.ok(all.orgs.length > 0, 'the demo has interval readings');
  await shows(page, 'hour_tco2', hourSum(all), 'country, July 10:00');
  await shows(page, 'hour_grid_mwh', gridSum(all), 'country, July 10:00 grid import');
  const regions = (await api(`/api/v1/carbon-map/regions?year=${year}`)).regions;
  const coloured = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('map-chart')).getOption().series[0].data
    .map(d => [d.name, d.value]));
  // (The map also lists areas without a region of ours, e.g. 香港: they are left out.)
  for (const region of regions) {
    const [name, value] = coloured.find(([n]) => n === region.name_zh);
    const hourly = all.regions.find(r => r.region === region.code);
    const want = hourly && hourly.grid_tco2_per_mwh[H] !== null ? hourly.grid_tco2_per_mwh[H]
      : (region.grid_tco2_per_mwh === null ? null : Number(region.grid_tco2_per_mwh));
    assert.equal(value, want, `${name} coloured by ${value}, want ${want}`);
  }
  // The demo's Chongqing has hourly factors: coloured by the hour, not the year.
  const cqHourly = all.regions.find(r => r.region === 'CQ');
  if (cqHourly) assert.notEqual(coloured.find(([n]) => n === '重庆').at(1), Number(regions.find(r => r.code === 'CQ').grid_tco2_per_mwh));
  // Region: Chongqing.
  await page.click('a[data-region="CQ"]');
  await page.waitForSelector('#crumbs button.current[data-level="region"]');
  const cq = await api(`/api/v1/carbon-map/hours?year=${year}&month=7&region=CQ`);
  await shows(page, 'hour_tco2', hourSum(cq), 'region, July 10:00');
  const cqFactor = cq.regions.find(r => r.region === 'CQ');
  if (cqFactor && cqFactor.grid_tco2_per_mwh[H] !== null) {
    assert.equal(Number(await page.textContent('#map-hour-factor')), cqFactor.grid_tco2_per_mwh[H]);
  } else {
    assert.match(await page.textContent('#map-hour-factor'), /年均因子/);
  }
  // Park: the total and each enterprise's row are their 10:00.
  await page.click(`a[data-park="${PARK}"]`);
  await page.waitForSelector('#map-orgs tbody tr');
  const park = await api(`/api/v1/carbon-map/hours?year=${year}&month=7&park=${encodeURIComponent(PARK)}`);
  await shows(page, 'hour_tco2', hourSum(park), 'park, July 10:00');
  const top = park.orgs.slice().sort((a, b) => Number(b.emissions_tco2[H]) - Number(a.emissions_tco2[H]))[0];
  assert.equal(await page.getAttribute('#map-orgs tbody tr:first-child', 'data-org'), top.credit_code);
  assert.match(await page.textContent('#map-orgs thead'), /10:00–11:00/);
  await page.screenshot({ path: path.join(ART, 'map-hour-park.png'), fullPage: true });
  // Enterprise, then another hour: the panel and the heatmap's framed row follow.
  await page.click(`#map-orgs tr[data-org="${top.credit_code}"]`);
  await page.waitForSelector('#crumbs button.current[data-level="org"]');
  await shows(page, 'hour_tco2', Number(top.emissions_tco2[H]), 'enterprise, July 10:00');
  await shows(page, 'heatmap_hour', Number(top.emissions_tco2[H]), 'the heatmap\'s 10:00 row');
  await hourSlide(page, 20);
  await shows(page, 'hour_tco2', Number(top.emissions_tco2[19]), 'enterprise, July 19:00');
  await shows(page, 'heatmap_hour', Number(top.emissions_tco2[19]), 'the heatmap\'s 19:00 row');
  const framed = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('heatmap')).getOption().series[0].markArea.data[0][0].yAxis);
  assert.equal(framed, '19');
  // The whole day again: no hour figures.
  await hourSlide(page, 0);
  await waitFor(page, () => !document.getElementById('map-hour-figures'));
  await context.close();
});

test('enterprise page: click a figure to see its input rows and factors', async () => {
  const { context, page } = await session('enterprise');
  assert.match(page.url(), new RegExp(`/orgs/${ENTERPRISE}$`), 'an enterprise user lands on their enterprise');
  await chartDrawn(page, 'trend');
  await page.click('#lineage .fig >> nth=0');
  const panel = page.locator('.lineage-detail:not([hidden])');
  await panel.waitFor();
  assert.ok(await panel.locator('table.inputs tbody tr').count() >= 1, 'input rows');
  assert.ok(await panel.locator('table.factors tbody tr').count() >= 1, 'factors');
  assert.match(await panel.locator('table.inputs').textContent(), /\.csv:\d+/);
  await shot(page, '06-enterprise-lineage');
  // Another enterprise is not visible.
  const other = demo.logins.length && (await (await page.request.get(`${BASE}/api/v1/orgs`)).json()).orgs;
  assert.equal(other.length, 1);
  await context.close();
});

test('a part year is marked as such; pages open on the latest complete year', async () => {
  const { context, page } = await session('enterprise');
  // The demo enterprise has all of 2023 and January to June of 2024: it opens on 2023.
  await page.goto(`${BASE}/orgs/${ENTERPRISE}`);
  assert.equal(await page.inputValue('select[name=year]'), '2023');
  assert.equal(await page.locator('#year-coverage').count(), 0, 'a complete year has no mark');
  assert.equal((await page.textContent('#meters tbody td:nth-child(2)')).trim(), '用电', 'meter kinds in the page language');
  await page.goto(`${BASE}/orgs/${ENTERPRISE}?year=2024`);
  assert.equal((await page.textContent('#year-coverage')).trim(), '6/12 个月');
  assert.match(await page.textContent('#kpi-intensity'), /不完整年度，6\/12 个月/);
  // 同比 over the same six months of 2023, 环比 June against May, from the API's figures.
  const monthly = async y => (await (await page.request.get(`${BASE}/api/v1/orgs/${ENTERPRISE}/monthly?year=${y}`)).json()).months;
  const [m24, m23] = [await monthly(2024), await monthly(2023)];
  const energy = (ms, mm) => ms.filter(m => mm.includes(m.period.slice(5))).reduce((a, m) => a + Number(m.energy_tce), 0);
  const first6 = ['01', '02', '03', '04', '05', '06'];
  const pct = (a, b) => ((a - b) / b * 100).toFixed(1);
  const yoy = pct(energy(m24, first6), energy(m23, first6));
  const mom = pct(energy(m24, ['06']), energy(m24, ['05']));
  const sign = v => (Number(v) > 0 ? `+${v}` : v);
  assert.equal((await page.textContent('#kpi-energy .change')).trim(), `同比 ${sign(yoy)}%（01-06 月） · 2024-06 环比 ${sign(mom)}%`);
  await shot(page, '06a-enterprise-part-year');
  await page.goto(`${BASE}/orgs/${ENTERPRISE}?year=2024&lang=en`);
  assert.equal((await page.textContent('#year-coverage')).trim(), '6/12 months');
  await context.close();
});

test('month pickers: a range of months narrows the trend and sums its months, 同比 over the same months', async () => {
  const { context, page } = await session('enterprise');
  await page.goto(`${BASE}/orgs/${ENTERPRISE}?year=2024`);
  assert.equal(await page.locator('#range').count(), 0, 'the whole year has no range tiles');
  await Promise.all([page.waitForURL(/from=2024-03/), page.fill('#range-from', '2024-03')]);
  await Promise.all([page.waitForURL(/to=2024-05/), page.fill('#range-to', '2024-05')]);
  assert.equal(await page.inputValue('#range-from'), '2024-03');
  assert.equal(await page.inputValue('#range-to'), '2024-05');
  // The tiles sum March to May of the API's monthly figures and compare them with the
  // same months of 2023.
  const monthly = async y => (await (await page.request.get(`${BASE}/api/v1/orgs/${ENTERPRISE}/monthly?year=${y}`)).json()).months;
  const [m24, m23] = [await monthly(2024), await monthly(2023)];
  const months = ['03', '04', '05'];
  const energy = ms => ms.filter(m => months.includes(m.period.slice(5))).reduce((a, m) => a + Number(m.energy_tce), 0);
  const shown = v => v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  assert.equal((await page.textContent('#kpi-range-energy .value')).trim(), `${shown(energy(m24))} 吨标准煤`);
  const yoy = ((energy(m24) - energy(m23)) / energy(m23) * 100).toFixed(1);
  assert.match(await page.textContent('#kpi-range-energy .change'), new RegExp(`^同比 ${Number(yoy) > 0 ? '\\+' : ''}${yoy.replace('.', '\\.')}%（03-05 月）`));
  assert.match(await page.textContent('#kpi-range-energy .note'), /2024-03 – 2024-05 · 3 个月有数据/);
  // The trend shows the three months; the year's tiles still show the year.
  await chartDrawn(page, 'trend');
  const categories = await page.evaluate(() => window.echarts.getInstanceByDom(document.getElementById('trend')).getOption().xAxis[0].data);
  assert.deepEqual(categories, months);
  assert.match(await page.textContent('#kpi-intensity'), /6\/12 个月/);
  await shot(page, '06b-enterprise-month-range');
  // 整年 clears the range.
  await Promise.all([page.waitForURL(u => !u.search.includes('from=')), page.click('#range-clear')]);
  assert.equal(await page.locator('#range').count(), 0);
  await context.close();
});

test('upload a ledger file with progress and review the quarantined row', async () => {
  const { context, page } = await session('park');
  await page.goto(`${BASE}/imports`);
  const file = path.join(os.tmpdir(), `zp-browser-${process.pid}.csv`);
  fs.writeFileSync(file, `credit_code,period,carrier,quantity,unit\n${ENTERPRISE},2025-01,electricity,1500.5,MWh\n${ENTERPRISE},2025-02,electricity,lots,MWh\n`);
  await page.selectOption('#upload-kind', 'activity');
  await page.setInputFiles('#upload-file', file);
  await page.click('#upload-submit');
  // A ledger is previewed first: one new row, one that would be quarantined.
  await page.waitForSelector('#upload-preview:not([hidden])');
  assert.equal(await page.textContent('#preview-new'), '1');
  assert.equal(await page.textContent('#preview-quarantined'), '1');
  await page.click('#preview-confirm');
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-read'), '2');
  assert.equal(await page.textContent('#count-accepted'), '1');
  assert.equal(await page.textContent('#count-quarantined'), '1');
  assert.match(await page.textContent('#result-rejected'), /quantity/);
  await shot(page, '07-upload-result');
  await page.goto(`${BASE}/quarantine`);
  assert.match(await page.textContent('#quarantine'), /lots/);
  await shot(page, '08-quarantine');
  await page.goto(`${BASE}/audit`);
  assert.match(await page.textContent('#audit'), /user:park/);
  await shot(page, '09-audit');
  fs.unlinkSync(file);
  await context.close();
});

test('an upload\'s quarantined reasons are in the page\'s language: a bad production row in Chinese, values as code', async () => {
  const { context, page } = await session('park');
  await page.goto(`${BASE}/imports?lang=zh`);
  const file = path.join(os.tmpdir(), `zp-browser-production-${process.pid}.csv`);
  fs.writeFileSync(file, `credit_code,period,product,cn_code,quantity_t,route\n${ENTERPRISE},2025-01,水泥熟料,2523 10 00,-5,\n`);
  await page.selectOption('#upload-kind', 'production');
  await page.setInputFiles('#upload-file', file);
  await page.click('#upload-submit');
  // Each reason cell: its prose (outside code) and its code.
  const reasons = table => page.$$eval(`${table} td.bad`, tds => tds.map(td => ({
    prose: [...td.childNodes].filter(n => n.nodeName !== 'CODE').map(n => n.textContent).join(''),
    code: [...td.querySelectorAll('code')].map(c => c.textContent),
  })));
  const inChinese = (shown, where) => {
    assert.equal(shown.length, 1, `${where}: one quarantined row`);
    assert.match(shown[0].prose, /为负数/, `${where}: the reason in Chinese`);
    const latin = (shown[0].prose.match(/[A-Za-z]+/g) || []).filter(w => !LATIN_ALLOWED.has(w));
    assert.deepEqual(latin, [], `${where}: no English outside code in "${shown[0].prose}"`);
    assert.doesNotMatch(shown[0].prose, /is negative/);
  };
  // Uploads that are previewed show the rows that would be quarantined first.
  await page.waitForSelector('#upload-preview:not([hidden]), #upload-result:not([hidden])');
  if (await page.isVisible('#upload-preview')) {
    inChinese(await reasons('#preview-rejected'), 'preview');
    await page.click('#preview-confirm');
  }
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-quarantined'), '1');
  inChinese(await reasons('#result-rejected'), 'result');
  await shot(page, '07b-upload-reason-zh');
  // The quarantine page writes the stored English reason in Chinese too.
  await page.goto(`${BASE}/quarantine?lang=zh&kind=production`);
  assert.match(await page.textContent('#quarantine'), /-5 t 为负数/);
  fs.unlinkSync(file);
  await context.close();
});

test('a restating upload is previewed (old -> new, large swings marked), confirmed, then reverted to the old values', async () => {
  const { context, page } = await session('park');
  const api = async p => (await page.request.get(BASE + p)).json();
  const electricity = async () => (await api(`/api/v1/inventory?org=${ENTERPRISE}&year=2023`)).electricity_mwh;
  // The enterprise's largest current 2023 electricity line, restated to a tenth of it.
  const rows = (await api(`/api/v1/orgs/${ENTERPRISE}/history`)).rows
    .filter(r => r.superseded_by === null && r.carrier === 'electricity' && r.period.startsWith('2023'));
  assert.ok(rows.length > 0, 'the demo enterprise has 2023 electricity lines');
  const line = rows.reduce((a, b) => (Number(b.quantity.value) > Number(a.quantity.value) ? b : a));
  const before = await electricity();
  const tenth = (Number(line.quantity.value) / 10).toFixed(3);
  const file = path.join(os.tmpdir(), `zp-browser-restate-${process.pid}.csv`);
  fs.writeFileSync(file, `credit_code,period,carrier,quantity,unit,site\n${ENTERPRISE},${line.period},electricity,${tenth},${line.quantity.unit},${line.site}\n`);
  await page.goto(`${BASE}/imports`);
  await page.selectOption('#upload-kind', 'activity');
  await page.setInputFiles('#upload-file', file);
  await page.click('#upload-submit');
  await page.waitForSelector('#upload-preview:not([hidden])');
  assert.equal(await page.textContent('#preview-restated'), '1');
  assert.equal(await page.textContent('#preview-new'), '0');
  const change = page.locator('#preview-changes tbody tr');
  assert.equal(await change.count(), 1);
  assert.match(await change.getAttribute('class'), /swing/, 'a -90 % change is highlighted');
  assert.match(await change.textContent(), /-90(\.0)?%/);
  assert.equal(await electricity(), before, 'a preview stores nothing');
  await shot(page, '07a-upload-preview');
  await page.click('#preview-confirm');
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-restated'), '1');
  const restated = await electricity();
  assert.notEqual(restated, before);
  if (line.quantity.unit === 'MWh') {
    assert.ok(Math.abs(before - restated - 0.9 * Number(line.quantity.value)) < 1e-6, `${before} -> ${restated}`);
  }
  // Revert it from the list: the old value is back.
  await page.goto(`${BASE}/imports`);
  const row = page.locator('#batches tbody tr', { hasText: `zp-browser-restate-${process.pid}` }).first();
  page.once('dialog', d => d.accept());
  await row.locator('button.revert').click();
  await row.locator('.good').waitFor();
  assert.equal(await electricity(), before, 'reverted to the old value');
  fs.unlinkSync(file);
  await context.close();
});

test('a meters upload is previewed (the moved meter old -> new), then imported', async () => {
  const { context, page } = await session('park');
  const meter = `ZP-BROWSER-M-${process.pid}`;
  const meters = async () => (await (await page.request.get(`${BASE}/api/v1/orgs/${ENTERPRISE}/meters`)).json());
  const registered = async () => JSON.stringify(await meters()).includes(meter);
  const files = [];
  const upload = async (name, site) => {
    const file = path.join(os.tmpdir(), `zp-browser-meters-${name}-${process.pid}.csv`);
    fs.writeFileSync(file, `meter,credit_code,kind,source,site\n${meter},${ENTERPRISE},consumption,,${site}\nBAD METER,${ENTERPRISE},steam,,\n`);
    await page.goto(`${BASE}/imports`);
    await page.selectOption('#upload-kind', 'meters');
    await page.setInputFiles('#upload-file', file);
    await page.click('#upload-submit');
    await page.waitForSelector('#upload-preview:not([hidden])');
    files.push(file); // sent again on confirmation
  };
  // A new meter: previewed first (one new row, one that would be quarantined), nothing stored.
  await upload('new', '一厂');
  assert.equal(await page.textContent('#preview-new'), '1');
  assert.equal(await page.textContent('#preview-quarantined'), '1');
  assert.equal(await page.isHidden('#preview-rejected'), false, 'the refused row is shown');
  assert.equal(await registered(), false, 'a preview stores nothing');
  await page.click('#preview-confirm');
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-accepted'), '1');
  assert.equal(await registered(), true);
  // The same meter moved to another site: the preview shows the change, old -> new.
  await upload('moved', '二厂');
  assert.equal(await page.textContent('#preview-restated'), '1');
  const change = page.locator('#preview-changes tbody tr');
  assert.equal(await change.count(), 1);
  const cells = await change.locator('td').allTextContents();
  assert.ok(cells.includes(meter), `the meter is named: ${cells}`);
  assert.ok(cells.includes('site: 一厂') && cells.includes('site: 二厂'), `old -> new: ${cells}`);
  assert.equal(await change.locator('td code').first().textContent(), 'site', 'the column name as code');
  assert.equal(await page.isHidden('#preview-changes th[data-col="carrier"]'), true, 'no carrier column for meters');
  await shot(page, '07b-meters-preview');
  const sites = async () => (await meters()).meters.filter(m => m.meter === meter).map(m => m.site);
  assert.notDeepEqual(await sites(), ['二厂'], 'not moved before confirming');
  await page.click('#preview-confirm');
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-restated'), '1');
  assert.deepEqual(await sites(), ['二厂']);
  files.forEach(f => fs.unlinkSync(f));
  await context.close();
});

test('climate finance: the project library filters, the MRV chart flags a project behind, banks match', async () => {
  const { context, page } = await session('park');
  await page.goto(`${BASE}/finance`);
  assert.equal(await page.locator('#projects tbody tr').count(), 2);
  await page.selectOption('#f-kind', 'distributed_pv');
  await Promise.all([page.waitForNavigation(), page.click('#library-filters button[type=submit]')]);
  assert.match(page.url(), /kind=distributed_pv/);
  assert.equal(await page.locator('#projects tbody tr').count(), 1);
  assert.equal(await page.getAttribute('#projects tbody tr', 'data-id'), 'JL-PV-2024');
  await shot(page, '20-finance-library');
  await Promise.all([page.waitForNavigation(), page.click('#projects tbody tr a')]);
  await chartDrawn(page, 'mrv-chart');
  assert.match(await page.textContent('#mrv-alert'), /behind since 2024-02/);
  assert.ok(Number(await page.getAttribute('#mrv-chart', 'data-behind')) > 0, 'months behind are highlighted');
  assert.match(await page.textContent('#applications'), /CQB-LOW-02/);
  await shot(page, '21-finance-mrv');
  await page.goto(`${BASE}/finance/projects/FH-2023-01?lang=en`);
  await chartDrawn(page, 'mrv-chart');
  assert.match(await page.textContent('#mrv-ok'), /On track/);
  assert.match(await page.textContent('#kpi-monitored'), /Meters \(monthly readings\) · [0-9A-Z]+-L1/);
  await context.close();
  const bank = await session('bank');
  await bank.page.goto(`${BASE}/matching`);
  // A bank sees only its applicants' projects (hardening issue, item 12): the demo bank's
  // one applicant, FH-2023-01.
  assert.equal(await bank.page.locator('#match-matrix tbody tr').count(), 1);
  assert.match(await bank.page.textContent('#match-matrix tbody tr'), /FH-2023-01/);
  assert.match(await bank.page.textContent('#product-CQB-CRL-01'), /✓|✗/);
  await shot(bank.page, '22-finance-matching');
  await bank.context.close();
});

test('certificates: issue, match and transfer through the forms; hourly match chart with summary and evidence', async () => {
  const { context, page } = await session('admin');
  const DAY = '2023-07-10';
  await page.goto(`${BASE}/certs`);
  const act = async (form, fill) => {
    await fill(page.locator(`#${form}`));
    await Promise.all([page.waitForNavigation(), page.click(`#${form} button[type=submit]`)]);
  };
  await act('form-issue', async f => { await f.locator('[name=from]').fill(DAY); await f.locator('[name=to]').fill(DAY); });
  const producer = await page.getAttribute('#bundles tr[data-bundle]', 'data-owner');
  assert.ok(producer, 'issued bundles are listed');
  await act('form-match', async f => {
    await f.locator('[name=consumer]').selectOption(producer);
    await f.locator('[name=from]').fill(DAY);
    await f.locator('[name=to]').fill(DAY);
  });
  // Transfer 1 kWh of an active bundle to the enterprise login's company: the row fills the form.
  const row = page.locator('#bundles tr[data-bundle]').first();
  const owner = await row.getAttribute('data-owner');
  await row.click();
  assert.equal(await page.inputValue('#form-transfer [name=as]'), owner);
  await act('form-transfer', async f => { await f.locator('[name=to]').fill(ENTERPRISE); await f.locator('[name=wh]').fill('1000'); });
  await page.goto(`${BASE}/certs?org=${producer}&from=${DAY}&to=${DAY}`);
  await chartDrawn(page, 'match-chart');
  const figure = async id => Number((await page.textContent(`#${id} .value`)).replace(/[^0-9.]/g, ''));
  assert.ok(await figure('match-load') > 0, 'load MWh shown');
  assert.ok(await figure('match-matched') > 0, 'matched MWh shown');
  assert.ok(await figure('match-matched') <= await figure('match-load'));
  assert.match(await page.textContent('#match-cfe .value'), /%/);
  assert.match(await page.getAttribute('#evidence-pdf', 'href'), /format=pdf/);
  const pdf = await page.request.get(BASE + await page.getAttribute('#evidence-pdf', 'href'));
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await shot(page, '30-certs-hourly-match');
  await context.close();
  // The enterprise received the transferred kWh and sees its own matching chart.
  const ent = await session('enterprise');
  await ent.page.goto(`${BASE}/certs`);
  assert.match(await ent.page.textContent('#bundles'), new RegExp(ENTERPRISE));
  await chartDrawn(ent.page, 'match-chart');
  await shot(ent.page, '31-certs-enterprise');
  await ent.context.close();
});

test('an enterprise uploads meter readings; rows of meters outside its scope are quarantined', async () => {
  const { context, page } = await session('enterprise');
  await page.goto(`${BASE}/imports`);
  const file = path.join(os.tmpdir(), `zp-browser-readings-${process.pid}.csv`);
  fs.writeFileSync(file, `meter,ts,kwh\n${ENTERPRISE}-L1,2025-01-01T00:00:00+08:00,12.5\n${ENTERPRISE}-L1,2025-01-01T00:15:00+08:00,13.25\nOTHER-L1,2025-01-01T00:00:00+08:00,9\n`);
  await page.selectOption('#upload-kind', 'readings');
  await page.setInputFiles('#upload-file', file);
  await page.click('#upload-submit');
  // Previewed first, like every upload (the readings staged and discarded), then confirmed.
  await page.waitForSelector('#upload-preview:not([hidden])');
  assert.equal(await page.textContent('#preview-new'), '2');
  assert.equal(await page.textContent('#preview-quarantined'), '1');
  await page.click('#preview-confirm');
  await page.waitForSelector('#upload-result:not([hidden])');
  assert.equal(await page.textContent('#count-read'), '3');
  assert.equal(await page.textContent('#count-accepted'), '2');
  assert.equal(await page.textContent('#count-quarantined'), '1');
  // The reason in the page's language (zh), the meter as code.
  assert.match(await page.textContent('#result-rejected'), /未登记在您范围内的企业名下/);
  assert.equal(await page.textContent('#result-rejected td.bad code'), '"OTHER-L1"');
  await shot(page, '10-upload-readings');
  fs.unlinkSync(file);
  await context.close();
});

test('evaluations page: scorecard, trajectory, cost curve and abatement plan', async () => {
  const { context, page } = await session('park');
  await page.goto(`${BASE}/evaluate?kind=zero-carbon-park&park=${encodeURIComponent(PARK)}&target=0.20`);
  await page.waitForSelector('#indicators tbody tr');
  await page.waitForSelector('#trajectory tbody tr');
  await chartDrawn(page, 'mac-chart');
  await chartDrawn(page, 'trajectory-chart');
  assert.ok(await page.locator('#plan-status').count() === 1, 'plan status');
  assert.match(await page.textContent('#plan-after'), /tCO2\/tce/);
  await shot(page, '11-evaluate-plan');
  await context.close();
});

test('flexibility page: the demo battery\'s metered day against its plan, with the chart', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/flex`);
  // The default is the enterprise with battery meters on its latest metered day.
  assert.equal(await page.inputValue('#flex-form [name=date]'), '2023-07-18');
  assert.equal(await page.locator('#flex-hours tbody tr').count(), 24);
  assert.equal(await page.locator('#flex-plan-only').count(), 0, 'metered, so verified rather than planned only');
  assert.match(await page.textContent('#kpi-realised-cost'), /\d/);
  await chartDrawn(page, 'flex-chart');
  // A second objective is a new plan of the same metered day.
  await page.locator('#flex-form [name=objective]').selectOption('carbon');
  await Promise.all([page.waitForURL(/objective=carbon/), page.click('#flex-form button[type=submit]')]);
  assert.equal(await page.locator('#flex-hours tbody tr').count(), 24);
  await chartDrawn(page, 'flex-chart');
  await shot(page, '12-flex-verify');
  await context.close();
});

test('buildings league table and the project register with its budget bar', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/buildings?year=2023`);
  const rows = page.locator('#buildings tbody tr');
  assert.ok(await rows.count() >= 1, 'the demo data centres are buildings');
  const first = await rows.first().locator('td.num').nth(1).textContent();
  assert.match(first, /\d/, 'an intensity in kWh/m2');
  assert.equal(await rows.first().locator('[data-rating]').getAttribute('data-rating'), 'bld.rating.none',
    'no standard values are shipped, and the page says so');
  await shot(page, '13-buildings');
  await Promise.all([page.waitForURL(/\/projects$/), page.click('#to-projects')]);
  const project = page.locator('#projects tbody tr').first();
  assert.match(await project.textContent(), /两江数据中心扩建项目/);
  assert.ok(await project.locator('.progress > div').count() === 2, 'energy and carbon budget bars');
  await shot(page, '14-projects');
  await context.close();
});

test('energy centre: the energy flow with master-meter balances, the month\'s bill, the budget', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/centre`);
  // The default is the first metered enterprise: the demo gives it sub-meters.
  const balances = page.locator('#centre-balances tbody tr');
  assert.equal(await balances.count(), 1);
  assert.match(await balances.first().locator('td.num').nth(3).textContent(), /^\d+(\.\d)? %$/);
  assert.match(await page.textContent('#kpi-total-tce'), /\d/);
  assert.match(await page.textContent('#kpi-unmetered'), /\d/);
  await chartDrawn(page, 'centre-flow');
  await chartDrawn(page, 'centre-bill');
  await shot(page, '17-centre');
  // Another month of the same year: a new bill.
  await page.fill('#centre-form [name=month]', '2023-07');
  await Promise.all([page.waitForURL(/month=2023-07/), page.click('#centre-form button[type=submit]')]);
  assert.match(await page.textContent('#centre-bill-note'), /kWh/);
  await chartDrawn(page, 'centre-bill');
  await context.close();
});

test('trading venue: an order rests, a crossing order trades, the daily candlestick draws, an order is cancelled', async () => {
  const { context, page } = await session('admin');
  const orgs = (await (await page.request.get(`${BASE}/api/v1/orgs`)).json()).orgs.map(o => o.credit_code);
  const buyer = orgs.find(c => c !== ENTERPRISE);
  // The registry operator issues 20 t of CCER 2024 to the demo enterprise.
  await page.goto(`${BASE}/carbon-assets`);
  await page.selectOption('#form-issue [name=kind]', 'ccer');
  await page.fill('#form-issue [name=vintage]', '2024');
  await page.fill('#form-issue [name=org]', ENTERPRISE);
  await page.fill('#form-issue [name=units]', '20');
  await Promise.all([page.waitForURL(/\/carbon-assets$/), page.click('#form-issue button[type=submit]')]);
  await Promise.all([page.waitForURL(/\/market$/), page.click('#to-market')]);
  const order = async (org, side, units, price) => {
    await page.fill('#form-order [name=org]', org);
    await page.selectOption('#form-order [name=side]', side);
    await page.selectOption('#form-order [name=kind]', 'ccer');
    await page.fill('#form-order [name=vintage]', '2024');
    await page.fill('#form-order [name=units]', String(units));
    await page.fill('#form-order [name=price_yuan]', price);
    await Promise.all([page.waitForURL(/\/market\?kind=ccer&vintage=2024$/), page.click('#form-order button[type=submit]')]);
  };
  // A sell order rests: one ask level of 20 t.
  await order(ENTERPRISE, 'sell', 20, '58.50');
  assert.equal(await page.locator('#book tbody tr').count(), 1);
  assert.equal((await page.textContent('#book tbody tr .ask-units')).trim(), '20');
  // A buy order crosses it: 5 t trade at the resting price, 15 t rest.
  await order(buyer, 'buy', 5, '60');
  assert.equal(await page.locator('#trades tbody tr').count(), 1);
  assert.match(await page.textContent('#trades tbody tr'), /58\.50/);
  assert.equal((await page.textContent('#book tbody tr .ask-units')).trim(), '15');
  await chartDrawn(page, 'market-chart');
  await shot(page, '15-market');
  // The resting order is cancelled: the book is empty.
  const rest = page.locator('#orders tbody tr', { hasText: ENTERPRISE });
  assert.equal(await rest.count(), 1);
  await Promise.all([page.waitForURL(/\/market\?kind=ccer&vintage=2024$/), rest.locator('.cancel-order').click()]);
  assert.equal(await page.locator('#book tbody tr').count(), 0);
  assert.equal(await page.locator('#book-empty').count(), 1);
  await context.close();
});

test('carbon inclusion page: the demo participants, credits by methodology, parameters with sources, illustrative marked', async () => {
  const { context, page } = await session('enterprise');
  await page.goto(`${BASE}/carbon-assets`);
  await Promise.all([page.waitForURL(/\/inclusion$/), page.click('#to-inclusion')]);
  assert.equal(await page.locator('#participants tbody tr').count(), 3, 'the three demo participants of the enterprise');
  assert.match(await page.textContent('#participants'), /演示/);
  const credits = await page.locator('#by-methodology tbody tr[data-methodology=sme-saving] td.num').nth(2).textContent();
  assert.ok(Number(credits) >= 1, `whole tonnes issued for the shop's saving: ${credits}`);
  assert.equal(await page.locator('#parameters tbody tr.illustrative').count(), 3, 'three example values, marked');
  assert.match(await page.textContent('#parameters tbody tr.illustrative'), /示意/);
  assert.match(await page.textContent('#parameters'), /fuel-combustion-defaults\.csv 汽油行/);
  assert.match(await page.textContent('#issuances tbody tr'), /CQ\/2023/, 'each issuance names its grid factor version');
  await shot(page, '16-inclusion');
  await context.close();
});

// Latin words a Chinese page may show: units, names and the language switch. Codes are
// allowed by shape (acronyms in capitals, anything with a digit), and text the page marks
// as not to be translated (`translate="no"`, monospace identifiers, code) is skipped.
const LATIN_ALLOWED = new Set(['Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'kW', 'MW', 'MWp', 'GW', 'tCO2', 'tCO2e', 'kgCO2',
  'kgCO2e', 'tC', 'tce', 'kgce', 'kg', 'km', 'Nm', 'GJ', 'MJ', 'kJ', 'TJ', 'yr', 'zeropark', 'Excel', 'Parquet', 'English',
  'Apache', 'ECharts', 't', 'h', 'm', 'L']);
// Pages that still show English from the use-case layer, each with what it is (docs/web.md,
// "2. One language per page"). The check fails when a page leaves this list's state: a page
// listed here must still show some English (take it off the list when it is clean), a page
// not listed must show none.
// The evaluation with a scorecard, its reasons, gaps and a plan.
const EVALUATED = `/evaluate?kind=zero-carbon-park&park=${encodeURIComponent(PARK)}&target=0.20`;
const LATIN_PENDING = {};
async function latinWords(page) {
  return page.evaluate(() => {
    const out = [];
    const skip = el => ['SCRIPT', 'STYLE', 'CODE', 'KBD', 'NOSCRIPT', 'svg'].includes(el.tagName) ||
      el.getAttribute('translate') === 'no' || el.classList.contains('mono') ||
      getComputedStyle(el).display === 'none';
    const walk = node => {
      if (node.nodeType === Node.TEXT_NODE) {
        const text = node.textContent.replace(/[\w.-]+\.(csv|toml|xlsx|parquet|json|pdf)\b/g, ' ');
        for (const w of text.match(/[A-Za-z][A-Za-z0-9_\-/.]*/g) || []) out.push([w, node.textContent.trim().slice(0, 120)]);
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || skip(node)) return;
      for (const c of node.childNodes) walk(c);
    };
    walk(document.body);
    return out;
  }).then(words => words.filter(([w]) => {
    const bare = w.replace(/[./-]+$/, '');
    const allowed = part => LATIN_ALLOWED.has(part) || /\d/.test(part) || /^[A-Z][A-Z0-9_-]*$/.test(part);
    // A compound unit (GWh/yr, tCO2/tce) is allowed when each of its parts is.
    return !bare.split('/').every(part => part === '' || allowed(part));
  }));
}

test('every page in Chinese shows no English outside units, codes and names (the pages still pending are listed)', async () => {
  const { context, page } = await session('admin');
  await page.goto(`${BASE}/?lang=zh`);
  const nav = await page.$$eval('nav.mainnav a', as => as.map(a => a.getAttribute('href')));
  const pages = [...new Set(nav.concat([`/orgs/${ENTERPRISE}`, '/market', '/inclusion', '/projects', EVALUATED]))];
  assert.ok(pages.length >= 20, `pages: ${pages}`);
  const failures = [];
  for (const href of pages) {
    await page.goto(`${BASE}${href}${href.includes('?') ? '&' : '?'}lang=zh`);
    await page.waitForTimeout(300);
    const words = await latinWords(page);
    const pending = LATIN_PENDING[href];
    if (pending && words.length === 0) failures.push(`${href} is clean now: take it off LATIN_PENDING`);
    if (!pending && words.length > 0) {
      failures.push(`${href}: ${words.slice(0, 5).map(([w, t]) => `${w} in "${t}"`).join('; ')}`);
    }
    if (pending) console.log(`  pending ${href} (${pending}): ${words.length} English words`);
  }
  assert.deepEqual(failures, []);
  await context.close();
});

test('no script errors on any page', () => {
  assert.deepEqual(errors, []);
});
