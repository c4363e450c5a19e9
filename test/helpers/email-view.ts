import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'puppeteer';
import { decodeBody, parseMime, type Part } from '../render/mime.js';

/** The parts of one .eml a reader sees: the HTML body with its CID images inlined, and the attachments. */
export interface EmailView {
  /** HTML as sent. */
  html: string;
  /** HTML with `cid:` images replaced by data URIs, for a browser. */
  page: string;
  /** Plain-text body. */
  text: string;
  /** Attached files (not inline images): name and content type. */
  attachments: { filename: string; contentType: string }[];
  /** Size of the whole message in bytes. */
  bytes: number;
}

function leaves(p: Part): Part[] {
  return p.children.length ? p.children.flatMap(leaves) : [p];
}

/** Reads a raw message into what a mail client shows. */
export function viewEmail(raw: Buffer): EmailView {
  const root = parseMime(raw.toString('latin1'));
  let html = '';
  let text = '';
  const images = new Map<string, string>();
  const attachments: EmailView['attachments'] = [];
  for (const p of leaves(root)) {
    const disp = p.headers.get('content-disposition') ?? '';
    const cid = p.headers.get('content-id')?.replace(/^<|>$/g, '');
    if (p.contentType === 'text/html' && !disp.startsWith('attachment')) html = decodeBody(p).toString('utf8');
    else if (p.contentType === 'text/plain' && !disp.startsWith('attachment')) text = decodeBody(p).toString('utf8');
    else if (cid && !disp.startsWith('attachment')) images.set(cid, `data:${p.contentType};base64,${decodeBody(p).toString('base64')}`);
    else attachments.push({ filename: /filename="?([^";]+)"?/.exec(disp)?.[1] ?? p.params.name ?? '?', contentType: p.contentType });
  }
  const page = html.replace(/cid:([^"'\s)]+)/g, (m, id: string) => images.get(id) ?? m);
  return { html, page, text, attachments, bytes: raw.length };
}

/** Renders an email page at `width` px; returns the document's scroll width and optionally a full-page PNG. */
export async function renderEmailAt(browser: Browser, page: string, width: number, png?: string): Promise<{ scrollWidth: number }> {
  const tab = await browser.newPage();
  try {
    await tab.setViewport({ width, height: 900 });
    await tab.setContent(page, { waitUntil: 'load' });
    const scrollWidth = await tab.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    if (png) {
      fs.mkdirSync(path.dirname(png), { recursive: true });
      await tab.screenshot({ path: png as `${string}.png`, fullPage: true });
    }
    return { scrollWidth };
  } finally {
    await tab.close();
  }
}
