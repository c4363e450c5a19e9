// Renders every .eml of an outbox at 800 and 400 px in Chromium into PNGs and prints sizes (a look at the
// emails as their readers see them). Usage: npx vite-node scripts/email-shots.ts <outbox> <png-dir>
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer';
import { renderEmailAt, viewEmail } from '../test/helpers/email-view.js';

const [dir, outDir] = process.argv.slice(2) as [string, string];
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.eml')).sort()) {
    const v = viewEmail(fs.readFileSync(path.join(dir, f)));
    const widths: string[] = [];
    for (const w of [800, 400]) {
      const { scrollWidth } = await renderEmailAt(browser, v.page, w, path.join(outDir, `${f.replace(/\.eml$/, '')}-${w}.png`));
      widths.push(`${w}→${scrollWidth}`);
    }
    console.log(`${f}: ${widths.join(' ')} html ${(Buffer.byteLength(v.html) / 1000).toFixed(0)} KB, eml ${(v.bytes / 1e6).toFixed(2)} MB, attached ${v.attachments.map((a) => a.filename).join(', ')}`);
  }
} finally {
  await browser.close();
}
