// Screenshots of every page in both languages, as a platform administrator sees them on a
// 1,366 x 900 screen, for docs/screenshots/ (refreshed by scripts/screenshots.sh; not a
// test). Pages: every navigation entry, then an enterprise, the market, carbon inclusion,
// the project register. Writes OUT/{zh,en}/NN-name.jpg and OUT/README.md.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const BASE = process.env.ZP_URL.replace(/\/$/, '');
const OUT = process.env.ZP_SHOTS;
const demo = JSON.parse(fs.readFileSync(process.env.ZP_LOGINS, 'utf8'));
const login = name => demo.logins.find(l => l.username === name);

const browser = await chromium.launch({ executablePath: process.env.ZP_CHROMIUM });
const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
const page = await context.newPage();
await page.goto(`${BASE}/login`);
await page.fill('#username', 'admin');
await page.fill('#password', login('admin').password);
await Promise.all([page.waitForURL(u => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);

const nav = await page.$$eval('nav.mainnav a', as => as.map(a => [a.getAttribute('href'), a.textContent.trim()]));
const pages = nav.map(([href]) => href).concat([`/orgs/${login('enterprise').scope}`, '/market', '/inclusion', '/projects',
  // An evaluation with its scorecard, gaps and plan; an enterprise's chosen months.
  '/evaluate?kind=zero-carbon-park&target=0.20', `/orgs/${login('enterprise').scope}?year=2024&from=2024-03&to=2024-05`]);
const slug = href => (href === '/' ? 'overview' : href.replace(/^\//, '').replace(/[0-9A-Z]{18}/, 'enterprise').replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, ''));
const index = ['# Screenshots', '', 'Every page as the platform administrator sees it on a 1,366 x 900 screen, in both', 'languages, from the demo park. Refreshed by `scripts/screenshots.sh`.', '', '| Page | 中文 | English |', '|---|---|---|'];
for (const lang of ['zh', 'en']) fs.mkdirSync(path.join(OUT, lang), { recursive: true });
for (const [i, href] of pages.entries()) {
  const name = `${String(i + 1).padStart(2, '0')}-${slug(href)}.jpg`;
  for (const lang of ['zh', 'en']) {
    await page.goto(`${BASE}${href}${href.includes('?') ? '&' : '?'}lang=${lang}`);
    // Charts draw after the page's scripts run.
    await page.waitForTimeout(900);
    await page.screenshot({ path: path.join(OUT, lang, name), type: 'jpeg', quality: 70 });
  }
  const title = (await page.title()).split(' · ')[0];
  index.push(`| ${title} (\`${href.replace(/[0-9A-Z]{18}/, '{code}')}\`) | [zh](zh/${name}) | [en](en/${name}) |`);
}
fs.writeFileSync(path.join(OUT, 'README.md'), index.join('\n') + '\n');
await browser.close();
console.log(`screenshots: ${pages.length} pages x 2 languages in ${OUT}`);
