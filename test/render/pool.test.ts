import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { BrowserPool } from '../../src/render/browser.js';
import type { PoolEvent } from '../../src/render/browser.js';
import { createRenderer, footerTemplate, htmlToPdf, preparePrintPage } from '../../src/render/pdf.js';
import { systemClock } from '../../src/types.js';
import { bigTableReport, kpiReport } from './fixtures.js';

const run = promisify(execFile);
const chromiumPath = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
let seq = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0)) await c(); });

/** A unique user-data-dir prefix per test, so process counts see only this test's browsers. */
function uniquePrefix(): string {
  return path.join(os.tmpdir(), `psa-render-pool-${process.pid}-${++seq}-`);
}

/** Pids whose command line mentions the prefix (the browser processes started with that user-data-dir). */
async function pgrep(prefix: string): Promise<number[]> {
  try {
    const { stdout } = await run('pgrep', ['-f', prefix]);
    return stdout.split('\n').filter(Boolean).map(Number).filter((p) => p !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Every process of the given process groups (renderers and zygotes do not name the user-data-dir). */
async function groupMembers(pgids: number[]): Promise<number[]> {
  if (!pgids.length) return [];
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,stat=']);
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f.length === 3 && pgids.includes(Number(f[1])) && !f[2]!.startsWith('Z')).map((f) => Number(f[0]));
}

function leftoverDirs(prefix: string): string[] {
  const dir = path.dirname(prefix);
  return fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(prefix)));
}

describe('browser pool', () => {
  it('a browser killed mid-render fails that render cleanly; the next render gets a new browser', async () => {
    const prefix = uniquePrefix();
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 100, userDataDirPrefix: prefix });
    cleanups.push(() => pool.close());
    const { html } = await createRenderer({ chromiumPath, paper: 'A4', renderTimeoutMs: 30_000, recycleAfter: 1, timezone: 'UTC', mspName: 'M' }).html([bigTableReport(300)]);
    const footer = footerTemplate('M', 't', 'g');

    const first = await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    expect(first.subarray(0, 5).toString()).toBe('%PDF-');
    const [pid1] = pool.pids;
    expect(pid1).toBeGreaterThan(0);

    // The death is noticed, not waited out: RENDER (the browser is gone), not RENDER_TIMEOUT at the deadline.
    // How soon is a bench figure (render section).
    const err = await pool.withPage(async (page) => {
      await page.setContent('<p>about to die</p>');
      process.kill(pid1!, 'SIGKILL');
      await page.setContent(html, { waitUntil: 'load', timeout: 15_000 });
      return page.pdf();
    }, { deadline: systemClock.now() + 20_000 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('RENDER');

    const next = await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    expect(next.subarray(0, 5).toString()).toBe('%PDF-');
    // The dead browser's clean-up (temp folder, process reaping) may still be finishing on a busy machine.
    await pool.idle();
    expect(pool.pids).toHaveLength(1);
    expect(pool.pids[0]).not.toBe(pid1);
    expect(pool.launchCount).toBe(2);
    await pool.close();
    expect(await pgrep(prefix)).toEqual([]);
    expect(leftoverDirs(prefix)).toEqual([]);
  });

  it('the renderer survives its browser being killed while a PDF is being made', async () => {
    const prefix = uniquePrefix();
    let killed = false;
    const onPoolEvent = (e: PoolEvent): void => {
      // Kill the first browser the moment it is up: the render that launched it is in flight.
      if (e.type === 'launch' && !killed && e.pid) { killed = true; process.kill(e.pid, 'SIGKILL'); }
    };
    const r = createRenderer({ chromiumPath, paper: 'A4', renderTimeoutMs: 20_000, recycleAfter: 100, timezone: 'UTC', mspName: 'M', userDataDirPrefix: prefix, onPoolEvent });
    cleanups.push(() => r.close());
    const err = await r.pdf([kpiReport()]).then(() => null, (e: unknown) => e);
    expect(killed).toBe(true);
    expect(err).toBeInstanceOf(AppError);
    expect(['RENDER', 'RENDER_TIMEOUT']).toContain((err as AppError).code);
    const ok = await r.pdf([kpiReport()]);
    expect(ok.content.subarray(0, 5).toString()).toBe('%PDF-');
    await r.close();
    expect(await pgrep(prefix)).toEqual([]);
  });

  it('a page that never becomes ready fails within its deadline with RENDER_TIMEOUT, and nothing is produced', async () => {
    const prefix = uniquePrefix();
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 100, userDataDirPrefix: prefix });
    cleanups.push(() => pool.close());
    // Warm the pool so the deadline measures the page, not Chromium's start.
    await pool.withPage(async (p) => p.setContent('<p>warm</p>'), { deadline: systemClock.now() + 20_000 });
    // The page waits forever: only the deadline can end this render (were it ignored, the test's own
    // timeout would end it). How far past the deadline it ends is a bench figure (render section).
    const t0 = performance.now();
    let produced = false;
    const err = await pool.withPage(async (page) => {
      await page.setContent('<p>never ready</p>');
      await page.waitForSelector('#ready-signal-that-never-comes', { timeout: 0 });
      produced = true;
      return page.pdf();
    }, { deadline: systemClock.now() + 700 }).then(() => null, (e: unknown) => e);
    const took = performance.now() - t0;
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('RENDER_TIMEOUT');
    // Not given up early (a lower bound: a busy machine can only make it later).
    expect(took).toBeGreaterThanOrEqual(690);
    expect(produced).toBe(false);
    // The browser is still usable afterwards.
    expect(await pool.withPage(async (p) => { await p.setContent('<p>x</p>'); return 'ok'; }, { deadline: systemClock.now() + 20_000 })).toBe('ok');
    const r = createRenderer({ chromiumPath, paper: 'A4', renderTimeoutMs: 20_000, recycleAfter: 100, timezone: 'UTC', mspName: 'M', userDataDirPrefix: prefix });
    cleanups.push(() => r.close());
    const e2 = await r.pdf([kpiReport()], { deadline: systemClock.now() + 1 }).then(() => null, (e: unknown) => e);
    expect((e2 as AppError).code).toBe('RENDER_TIMEOUT');
    const ac = new AbortController();
    ac.abort(new Error('run deadline'));
    const e3 = await r.pdf([kpiReport()], { signal: ac.signal }).then(() => null, (e: unknown) => e);
    expect((e3 as AppError).code).toBe('RENDER_TIMEOUT');
  }, 30_000);

  // Its time and memory (Node and Chromium RSS after forced timeouts) are bench figures (render section).
  it('300 renders with forced timeouts leave no Chromium, page or profile folder beyond the pool', async () => {
    const prefix = uniquePrefix();
    const events: PoolEvent[] = [];
    // As the renderer builds it: pages are prepared ahead (one kept ready) and closed behind each render.
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 60, userDataDirPrefix: prefix, onEvent: (e) => events.push(e), preparePage: preparePrintPage });
    cleanups.push(() => pool.close());
    const { html } = await createRenderer({ chromiumPath, paper: 'A4', renderTimeoutMs: 30_000, recycleAfter: 1, timezone: 'UTC', mspName: 'M' }).html([bigTableReport(200)]);
    const footer = footerTemplate('M', 't', 'g');
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    await pool.idle();
    // The browser's first tab and the page kept ready for the next render.
    const pagesAtRest = await pool.pageCount();
    expect(pagesAtRest).toBeLessThanOrEqual(2);

    let timeouts = 0;
    for (let i = 0; i < 300; i++) {
      // Deadlines from 1 to 60 ms land in every phase: acquiring, opening the page, loading, printing.
      const deadline = systemClock.now() + 1 + ((i * 7) % 60);
      const e = i % 3 === 0
        ? await pool.withPage(async (page) => { await page.waitForSelector('#never', { timeout: 0 }); }, { deadline }).then(() => null, (x: unknown) => x)
        : await htmlToPdf(pool, html, { paper: 'A4', footer, deadline }).then(() => null, (x: unknown) => x);
      if (e instanceof AppError && e.code === 'RENDER_TIMEOUT') timeouts++;
      else throw e ?? new Error(`render ${i} finished inside a ${deadline} deadline`);
    }
    expect(timeouts).toBe(300);
    // One more real render: the pool still works.
    const last = await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    expect(last.subarray(0, 5).toString()).toBe('%PDF-');
    // Timed-out renders close their pages behind them; retired browsers exit.
    await pool.idle();

    // Beyond the pool's one browser, nothing with our user-data-dir is alive, and its pages are closed.
    // (None when the last render was the one that reached recycleAfter: its browser is retired behind it.)
    expect(pool.pids.length).toBeLessThanOrEqual(1);
    expect(await pool.pageCount()).toBe(pool.pids.length ? pagesAtRest : 0);
    const live = await pgrep(prefix);
    const group = await groupMembers(pool.pids);
    for (const p of live) expect(group, `pid ${p} outside the pool's process group`).toContain(p);
    expect(events.filter((e) => e.type === 'launch').length).toBeGreaterThanOrEqual(5);
    expect(leftoverDirs(prefix)).toHaveLength(pool.pids.length);

    await pool.close();
    expect(await pgrep(prefix)).toEqual([]);
    expect(await groupMembers(events.flatMap((e) => (e.type === 'launch' && e.pid ? [e.pid] : [])))).toEqual([]);
    expect(leftoverDirs(prefix)).toEqual([]);
  }, 90_000);

  it('a page kept ready is replaced when it is older than spareMaxAgeMs or its tab crashed, and no page is left behind', async () => {
    const prefix = uniquePrefix();
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 100, userDataDirPrefix: prefix, preparePage: preparePrintPage, spareMaxAgeMs: 50 });
    cleanups.push(() => pool.close());
    const footer = footerTemplate('M', 't', 'g');
    const html = '<!DOCTYPE html><html><body><h1>SPARE-TEST</h1></body></html>';
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    await pool.idle();
    const rest = await pool.pageCount();
    // Too old: closed and replaced by a fresh page.
    await new Promise((r) => setTimeout(r, 120));
    expect((await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 })).subarray(0, 5).toString()).toBe('%PDF-');
    await pool.idle();
    expect(await pool.pageCount()).toBe(rest);
    // Crashed while waiting: dropped, and the next render opens a new tab.
    const internal = pool as unknown as { current: { spare: Promise<import('puppeteer').Page | null> | null } | null };
    const spare = await internal.current!.spare!;
    expect(spare).not.toBeNull();
    const crashed = new Promise<void>((resolve) => spare!.once('error', () => resolve()));
    await spare!.goto('chrome://crash').catch(() => undefined);
    await crashed;
    expect(internal.current!.spare).toBeNull();
    expect((await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 })).subarray(0, 5).toString()).toBe('%PDF-');
    await pool.idle();
    expect(await pool.pageCount()).toBe(rest);
  }, 60_000);
  it('closes its browser after idleCloseMs without a render, and the next render starts a new one', async () => {
    const prefix = uniquePrefix();
    const events: PoolEvent[] = [];
    const pool = new BrowserPool({ chromiumPath, recycleAfter: 100, userDataDirPrefix: prefix, preparePage: preparePrintPage, idleCloseMs: 300, onEvent: (e) => events.push(e) });
    cleanups.push(() => pool.close());
    const footer = footerTemplate('M', 't', 'g');
    const html = '<!DOCTYPE html><html><body><h1>IDLE-TEST</h1></body></html>';
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    // Renders closer together than idleCloseMs keep the same browser.
    await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 });
    expect(pool.launchCount).toBe(1);
    const first = pool.pids[0]!;
    const waitUntil = performance.now() + 10_000;
    while (pool.pids.length && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
    expect(pool.pids).toEqual([]);
    expect(events).toContainEqual({ type: 'retire', pid: first, reason: 'idle' });
    expect(await pgrep(prefix)).toEqual([]);
    expect(leftoverDirs(prefix)).toEqual([]);
    expect((await htmlToPdf(pool, html, { paper: 'A4', footer, deadline: systemClock.now() + 20_000 })).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pool.launchCount).toBe(2);
  }, 60_000);

  /** A program at `name` in a fresh folder running `body` (sh); it writes its pid to `pid` first. */
  function fakeChromium(name: string, body: string): { file: string; pid: () => number; dir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-fake-chromium-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\necho $$ > ${dir}/pid\n${body}\n`, { mode: 0o755 });
    return { file, dir, pid: () => Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8')) };
  }
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const goneWithin = async (pid: number, ms: number): Promise<boolean> => {
    for (let waited = 0; waited < ms && alive(pid); waited += 50) await new Promise((r) => setTimeout(r, 50));
    return !alive(pid);
  };

  it('a Chromium path that is not executable, a folder or missing fails the render with RENDER naming the path and render.chromiumPath; nothing is thrown at the process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-no-chromium-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const plain = path.join(dir, 'chromium');
    fs.writeFileSync(plain, 'not a program', { mode: 0o644 });
    const cases: [string, RegExp][] = [[plain, /it is not executable/], [dir, /it is a folder, not a program/], [path.join(dir, 'nothing'), /it does not exist/]];
    for (const [p, why] of cases) {
      const pool = new BrowserPool({ chromiumPath: p, recycleAfter: 100, userDataDirPrefix: uniquePrefix() });
      cleanups.push(() => pool.close());
      const e = await pool.withPage(async () => 1, { deadline: Date.now() + 20_000 }).then(() => null, (x: unknown) => x as AppError);
      expect(e).toBeInstanceOf(AppError);
      expect(e!.code).toBe('RENDER');
      expect(e!.message).toContain(`Chromium could not be started from ${p}: `);
      expect(e!.message).toMatch(why);
      expect(e!.message).toContain('render.chromiumPath');
    }
  }, 30_000);

  it('a program that exits at once (not Chromium) fails the render with RENDER naming the path', async () => {
    const fake = fakeChromium('not-chromium', 'exit 3');
    const pool = new BrowserPool({ chromiumPath: fake.file, recycleAfter: 100, userDataDirPrefix: uniquePrefix() });
    cleanups.push(() => pool.close());
    const e = await pool.withPage(async () => 1, { deadline: Date.now() + 20_000 }).then(() => null, (x: unknown) => x as AppError);
    expect(e).toBeInstanceOf(AppError);
    expect(e!.code).toBe('RENDER');
    expect(e!.message).toContain(`Chromium could not be started from ${fake.file}: it did not start as Chromium does`);
  }, 30_000);

  it('a program that never answers: the render fails at its deadline and closing the pool kills it at once (no wait for a launch timeout)', async () => {
    const fake = fakeChromium('hung-chromium', 'exec sleep 600');
    const pool = new BrowserPool({ chromiumPath: fake.file, recycleAfter: 100, userDataDirPrefix: uniquePrefix(), launchTimeoutMs: 120_000 });
    const e = await pool.withPage(async () => 1, { deadline: Date.now() + 1_000 }).then(() => null, (x: unknown) => x as AppError);
    expect(e).toBeInstanceOf(AppError);
    expect(e!.code).toBe('RENDER_TIMEOUT');
    const pid = fake.pid();
    expect(alive(pid)).toBe(true);
    await pool.close(); // before: waited for puppeteer's protocol timeout (3 min), the program still running
    // Killed: gone once Node has reaped it (a killed child stays a zombie until the next turn of the event loop).
    expect(await goneWithin(pid, 3_000)).toBe(true);
  }, 20_000);

  it('a program that never answers fails the launch after launchTimeoutMs, killed', async () => {
    const fake = fakeChromium('hung-chromium', 'exec sleep 600');
    const pool = new BrowserPool({ chromiumPath: fake.file, recycleAfter: 100, userDataDirPrefix: uniquePrefix(), launchTimeoutMs: 1_000 });
    cleanups.push(() => pool.close());
    const e = await pool.withPage(async () => 1, { deadline: Date.now() + 60_000 }).then(() => null, (x: unknown) => x as AppError);
    expect(e).toBeInstanceOf(AppError);
    expect(e!.code).toBe('RENDER');
    expect(e!.message).toContain(`Chromium could not be started from ${fake.file}: it did not answer as Chromium does (no answer within 1000 ms)`);
    expect(await goneWithin(fake.pid(), 3_000)).toBe(true);
  }, 20_000);
});
