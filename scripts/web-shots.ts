// Screenshots of the web app for the README, from a demo store: the overview, the board and one report at
// 1280 px (desktop) and 400 px (phone), into docs/screenshots/. Also checks that no page is wider than a
// 400 px phone (the document's scroll width), and exits 1 if one is.
//
//   node bin/psa-reports.js demo --scale small --out /tmp/web-shots-demo
//   npx vite-node scripts/web-shots.ts /tmp/web-shots-demo [docs/screenshots]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer';
import { lastMondaySeven } from '../src/commands/demo.js';
import { loadConfig } from '../src/config.js';
import { CHROMIUM_ARGS } from '../src/render/browser.js';
import { openDb } from '../src/store/db.js';
import { systemClock } from '../src/types.js';
import { startWebServer } from '../src/web/server.js';
import { Users } from '../src/web/users.js';

const [demo, outArg] = process.argv.slice(2) as [string, string | undefined];
if (!demo) throw new Error('usage: vite-node scripts/web-shots.ts <demo folder> [png folder]');
const outDir = path.resolve(outArg ?? 'docs/screenshots');
fs.mkdirSync(outDir, { recursive: true });

const env = { AUTOTASK_WEB_URL: 'https://ww5.autotask.net/' };
// The link builder reads the process's environment (as serve does).
process.env.AUTOTASK_WEB_URL = env.AUTOTASK_WEB_URL;
// The demo runs the schedules.json of the folder it is started in (this repository's): so do the pages.
// Without a settings file of its own the demo writes one (the schedules' time zone) beside its store.
const demoSettings = path.resolve(demo, 'settings.json');
const cfg = loadConfig({ db: path.resolve(demo, 'demo.db'), ...(fs.existsSync(demoSettings) ? { config: demoSettings } : {}) }, env, process.cwd());
const db = openDb(cfg.db);
const users = new Users(db);
const email = 'manager@msp.example';
users.remove(email);
const user = users.add(email, 'manager', crypto.randomBytes(18).toString('base64url'), systemClock.now());
// The demo's store was synced up to its Monday 07:00: the pages are shown as of then, as the demo's e-mails are.
const asOf = lastMondaySeven(systemClock.now(), cfg.settings.timezone);
const clock = { now: () => asOf };
const { token } = users.createSession(user, asOf);
const server = await startWebServer({ cfg, db, io: { out: () => undefined, err: (s) => process.stderr.write(`${s}\n`), isTTY: false, env, cwd: demo }, port: 0, clock });
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
let tooWide = 0;
try {
  const page = await browser.newPage();
  const { hostname } = new URL(server.url);
  await page.setCookie({ name: 'psa_session', value: token, domain: hostname, path: '/', httpOnly: true });
  const shots: [string, string][] = [['overview', '/'], ['board', '/board'], ['report', '/reports/intake/sla-performance']];
  const others = ['/reports', '/schedules', '/history', '/sync', '/scorecard', '/reports/profitability/resource-utilization', '/reports/tech-performance/reopen-rate', '/reports/sales/pipeline'];
  for (const [width, height] of [[1280, 860], [400, 860]] as const) {
    await page.setViewport({ width, height, deviceScaleFactor: 1 });
    for (const [name, url] of [...shots, ...others.map((u) => [null, u] as const)]) {
      const res = await page.goto(`${server.url}${url}`, { waitUntil: 'networkidle0' });
      if (res?.status() !== 200) throw new Error(`${url}: ${res?.status()}`);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > width) {
        tooWide++;
        const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`), width);
        console.log(`${url} at ${width} px: ${scrollWidth} px wide: ${wide.join(', ')}`);
      }
      if (name) {
        const file = path.join(outDir, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: false });
        console.log(`${file}: ${(fs.statSync(file).size / 1000).toFixed(0)} kB, document ${scrollWidth} px wide`);
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  db.close();
}
process.exitCode = tooWide ? 1 : 0;
