import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserPool } from '../../src/render/browser.js';
import { createRenderer, footerTemplate, htmlToPdf, preparePrintPage } from '../../src/render/pdf.js';
import type { Renderer } from '../../src/render/pdf.js';
import { hostileReport, hostileStrings } from './fixtures.js';
import { inkShare, pdfText } from './pdftools.js';

const chromiumPath = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
const prefix = path.join(os.tmpdir(), `psa-render-hostile-${process.pid}-`);

describe('hostile data renders as text and fetches nothing', () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];
  let r: Renderer;

  beforeAll(async () => {
    server = http.createServer((req, res) => { hits.push(req.url ?? ''); res.end('trap'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    r = createRenderer({ chromiumPath, paper: 'A4', renderTimeoutMs: 30_000, recycleAfter: 100, timezone: 'UTC', mspName: '<b>MSP</b> {{constructor}}', userDataDirPrefix: prefix });
  });
  afterAll(async () => {
    await r.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('escapes every field in the HTML: no tag, template or style break-out survives', async () => {
    const h = hostileStrings(port);
    const { html } = await r.html([hostileReport(port)]);
    expect(html).not.toContain(`<img src=http`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/<link/i);
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('&lt;img src&#x3D;http://127.0.0.1');
    expect(html).toContain('{{constructor}}');
    expect(html).toContain('&lt;b&gt;MSP&lt;/b&gt;');
    expect(html).toContain(h.rtl);
    expect(html).toContain(h.cjk);
    expect(html).toContain(h.emoji);
    // The chart id "../../etc/passwd" cannot become a path or a header value.
    expect(html).not.toContain('../');
  });

  it('prints the hostile strings as text in the PDF and the trap server hears nothing', async () => {
    const h = hostileStrings(port);
    const pdf = await r.pdf([hostileReport(port)]);
    const text = (await pdfText(pdf.content)).replace(/\u200b/g, '');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(`<img src=http://127.0.0.1:${port}/x onerror=alert(1)>`);
    expect(flat).toContain('<script>');
    expect(flat).toContain('{{constructor}}');
    expect(flat).toContain('</style>');
    expect(flat).toContain('<b>MSP</b>');
    expect(text).toContain('LONGTITLE');
    expect(text).toContain('after-long');
    expect(text).toContain('打印机离线');
    expect(text).toMatch(/שלום|םולש/);
    expect(text).toContain('Server down');
    expect(h.emoji).toContain('🔥');
    // The 10,000-character title wraps instead of running off the page, and is cut with a note, not silently.
    expect((text.match(/x/g) ?? []).length).toBeGreaterThanOrEqual(590);
    expect(flat).toMatch(/9,410 more characters; the CSV has the full text/);
    expect(await inkShare(pdf.content, 1)).toBeGreaterThan(0.01);
    expect(hits).toEqual([]);
  });

  it('the ready check needs no page JavaScript: evaluate answers while scripts of the page are off', async () => {
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 10, userDataDirPrefix: prefix });
    try {
      const got = await pool.withPage(async (page) => {
        await page.setJavaScriptEnabled(false);
        await page.setContent('<title>before</title><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"><img src="data:image/png;base64,bm90IGEgcG5n"><script>document.title = "ran"</script>', { waitUntil: 'load' });
        const imgs = await page.evaluate(() => Array.from(document.images).map((i) => i.complete && i.naturalWidth > 0));
        const title = await page.evaluate(() => document.title);
        return { imgs, title };
      }, { deadline: Date.now() + 20_000 });
      // The page's script did not run; the second image (not a PNG) is seen as broken.
      expect(got).toEqual({ imgs: [true, false], title: 'before' });
    } finally {
      await pool.close();
    }
  });

  it('a chart image Chromium cannot decode fails the PDF with a RENDER error instead of an empty frame', async () => {
    const broken = createRenderer({
      chromiumPath, paper: 'A4', renderTimeoutMs: 30_000, recycleAfter: 100, timezone: 'UTC', mspName: 'MSP', userDataDirPrefix: prefix,
      charts: { render: async () => Buffer.from('not a png at all') },
    });
    try {
      const err = await broken.pdf([hostileReport(port)]).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'RENDER' });
      expect(String((err as Error).message)).toMatch(/chart image\(s\) did not load/);
    } finally {
      await broken.close();
    }
  });

  // The pool prepares pages ahead (preparePrintPage on its spare page); htmlToPdf prepares them itself when
  // a pool does not. Both ways, twice in a row so the second print gets the page opened ahead.
  for (const prepared of [false, true]) {
    it(`blocks network and file requests even from raw HTML handed to the printer (${prepared ? 'page prepared ahead by the pool' : 'page prepared at print time'})`, async () => {
      const pool = new BrowserPool({ chromiumPath, recycleAfter: 10, userDataDirPrefix: prefix, ...(prepared ? { preparePage: preparePrintPage } : {}) });
      try {
        const html = `<!DOCTYPE html><html><head>
          <link rel="stylesheet" href="http://127.0.0.1:${port}/css">
          <style>body { background: url(http://127.0.0.1:${port}/bg) } @import url(http://127.0.0.1:${port}/import);</style>
          </head><body><h1>RAW-PAGE</h1>
          <img src="http://127.0.0.1:${port}/img"><img src="file:///etc/passwd">
          <iframe src="http://127.0.0.1:${port}/frame"></iframe>
          <script>document.body.append('SCRIPT-RAN'); fetch('http://127.0.0.1:${port}/fetch')</script>
          </body></html>`;
        for (let i = 0; i < 2; i++) {
          const pdf = await htmlToPdf(pool, html, { paper: 'A4', footer: footerTemplate('m', 't', 'g'), deadline: Date.now() + 20_000 });
          const text = await pdfText(pdf);
          expect(text).toContain('RAW-PAGE');
          expect(text).not.toContain('SCRIPT-RAN');
          await pool.idle();
        }
        expect(hits).toEqual([]);
      } finally {
        await pool.close();
      }
    });
  }
});
