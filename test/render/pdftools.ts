import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadImage, createCanvas } from 'canvas';

const run = promisify(execFile);

/** Writes the PDF to a temp file and runs `fn` with its path (poppler tools read files). */
async function withFile<T>(pdf: Buffer, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'psa-render-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    await fs.writeFile(file, pdf);
    return await fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Page count from pdfinfo. */
export function pageCount(pdf: Buffer): Promise<number> {
  return withFile(pdf, async (f) => {
    const { stdout } = await run('pdfinfo', [f]);
    return Number(/Pages:\s+(\d+)/.exec(stdout)![1]);
  });
}

/** Page size in points from pdfinfo. */
export function pageSize(pdf: Buffer): Promise<{ w: number; h: number }> {
  return withFile(pdf, async (f) => {
    const { stdout } = await run('pdfinfo', [f]);
    const m = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(stdout)!;
    return { w: Number(m[1]), h: Number(m[2]) };
  });
}

/** Text of every page, one string per page (pdftotext -f N -l N). */
export function pageTexts(pdf: Buffer): Promise<string[]> {
  return withFile(pdf, async (f) => {
    const { stdout } = await run('pdfinfo', [f]);
    const n = Number(/Pages:\s+(\d+)/.exec(stdout)![1]);
    const out: string[] = [];
    for (let p = 1; p <= n; p++) {
      const { stdout: t } = await run('pdftotext', ['-f', String(p), '-l', String(p), f, '-'], { maxBuffer: 64 << 20 });
      out.push(t);
    }
    return out;
  });
}

/**
 * Images in the PDF: those `pdfimages -list` lists, and every image object (also one hidden in a pattern,
 * which pdfimages does not list). An image is a stream, and streams never sit in compressed object streams,
 * so its dictionary is plain in the file.
 */
export function imageCounts(pdf: Buffer): Promise<{ listed: number; objects: number }> {
  return withFile(pdf, async (f) => {
    const { stdout } = await run('pdfimages', ['-list', f], { maxBuffer: 64 << 20 });
    const listed = stdout.split('\n').slice(2).filter((l) => l.trim()).length;
    const objects = (pdf.toString('latin1').match(/\/Subtype\s*\/Image\b/g) ?? []).length;
    return { listed, objects };
  });
}

/** Text of the whole document. */
export function pdfText(pdf: Buffer): Promise<string> {
  return withFile(pdf, async (f) => (await run('pdftotext', [f, '-'], { maxBuffer: 64 << 20 })).stdout);
}

/** Share of non-white pixels of page `page` rasterised with `pdftoppm -png -r 50`. */
export function inkShare(pdf: Buffer, page: number): Promise<number> {
  return withFile(pdf, async (f) => {
    const prefix = path.join(path.dirname(f), 'page');
    await run('pdftoppm', ['-png', '-r', '50', '-f', String(page), '-l', String(page), '-singlefile', f, prefix]);
    return pngInk(await fs.readFile(`${prefix}.png`));
  });
}

/** Share of non-white pixels of a PNG. */
export async function pngInk(png: Buffer): Promise<number> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, img.width, img.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i]! < 240 || d[i + 1]! < 240 || d[i + 2]! < 240) ink++;
  return ink / (img.width * img.height);
}

/** Text of one page with its layout kept (`pdftotext -layout`), so a line reads as printed. */
export function pageLayoutText(pdf: Buffer, page: number): Promise<string> {
  return withFile(pdf, async (f) => (await run('pdftotext', ['-layout', '-f', String(page), '-l', String(page), f, '-'])).stdout);
}
