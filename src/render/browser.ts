import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer';
import type { Browser, Page } from 'puppeteer';
import { AppError } from '../errors.js';
import { systemClock, type Clock } from '../types.js';
import { executableProblem } from '../files.js';

/** Chromium flags: no sandbox (containers), no GPU, no background traffic of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--headless',
];

/** What the pool reports about its browsers (for logs and tests). */
export type PoolEvent =
  | { type: 'launch'; pid: number | undefined; userDataDir: string }
  | { type: 'retire'; pid: number | undefined; reason: 'recycle' | 'disconnected' | 'hung' | 'close' | 'idle' }
  | { type: 'closed'; pid: number | undefined };

/** Options of the browser pool. */
export interface BrowserPoolOptions {
  /** Chromium binary. */
  chromiumPath: string;
  /** Replace the browser after this many renders. */
  recycleAfter: number;
  /** How long Chromium may take to start. */
  launchTimeoutMs?: number;
  /** Prefix of the temporary user-data-dir (a fresh directory per browser; removed when it closes). */
  userDataDirPrefix?: string;
  /** How long a page or browser may take to close before it is killed. */
  closeGraceMs?: number;
  /** Receives pool events. */
  onEvent?: (e: PoolEvent) => void;
  /**
   * Prepares every page before it is handed out (for reports: JS off, requests refused). The pool keeps
   * one such page ready on its current browser, so a render does not wait for a tab to open.
   */
  preparePage?: (page: Page) => Promise<void>;
  /**
   * A page kept ready longer than this (ms, default 60 s) is replaced rather than used: between a daemon's
   * weekly runs its tab could have been discarded, and a fresh tab costs less than a failed render.
   */
  spareMaxAgeMs?: number;
  /**
   * Close the browser after this long without a render (ms, default 5 min; 0 keeps it): a daemon renders a
   * few times a week and need not hold Chromium's memory in between. The next render starts a new one.
   */
  idleCloseMs?: number;
  /**
   * The run's time base: deadlines are instants of this clock (a run's deadline comes from the same
   * clock), and a kept page's age is measured on it. Waits themselves are timers.
   */
  clock?: Clock;
}

/** Options of one page session. */
export interface PageRunOptions {
  /** Epoch ms by which the work must be done; past it the run fails with RENDER_TIMEOUT. */
  deadline: number;
  /** Aborts the run (same outcome as a timeout, with the abort's reason). */
  signal?: AbortSignal;
}

interface Slot {
  browser: Browser;
  pid: number | undefined;
  dir: string;
  uses: number;
  inFlight: number;
  retiring: boolean;
  /** Resolves when the browser disconnects (crash, kill or close). */
  dead: Promise<void>;
  closing: Promise<void> | null;
  /** A fresh, prepared page waiting for the next render (null while none is made; resolves null on failure). */
  spare: Promise<Page | null> | null;
  /** When the spare was opened (epoch ms). */
  spareAt: number;
}



function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => { t = setTimeout(resolve, Math.max(0, ms)); });
  return { promise, cancel: () => clearTimeout(t) };
}

function timeoutError(deadline: number, started: number): AppError {
  return new AppError(`The render did not finish within its deadline (${Math.max(0, deadline - started)} ms).`, 'RENDER_TIMEOUT', {
    details: { deadline: new Date(deadline).toISOString() },
  });
}

/**
 * One Chromium reused across renders. The browser is replaced after `recycleAfter` renders, when it
 * disconnects (crash or kill), or when a page of it will not close after a timeout (a hung browser).
 * A page that merely timed out is closed and the browser kept: closing it proves the browser answers,
 * and relaunching on every slow page would turn a burst of timeouts into a burst of launches.
 * Every browser gets a fresh temporary user-data-dir, removed with it; on close the process group is
 * killed so no renderer or zygote process outlives the pool.
 */
export class BrowserPool {
  private current: Slot | null = null;
  private launching: Promise<Slot> | null = null;
  private readonly slots = new Set<Slot>();
  private closed = false;
  private launches = 0;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly opts: Required<Omit<BrowserPoolOptions, 'onEvent' | 'preparePage' | 'clock'>> & Pick<BrowserPoolOptions, 'onEvent' | 'preparePage'>;
  private readonly clock: Clock;

  constructor(opts: BrowserPoolOptions) {
    this.opts = {
      launchTimeoutMs: 30_000,
      userDataDirPrefix: path.join(os.tmpdir(), 'psa-reports-chromium-'),
      closeGraceMs: 2_000,
      spareMaxAgeMs: 60_000,
      idleCloseMs: 300_000,
      ...opts,
    };
    this.clock = opts.clock ?? systemClock;
  }

  /** Number of browsers launched so far. */
  get launchCount(): number {
    return this.launches;
  }

  /** Pages open in the pool's live browsers, the one kept ready included (for leak checks). */
  async pageCount(): Promise<number> {
    const counts = await Promise.all([...this.slots].map((s) => (s.browser.connected ? s.browser.pages().then((p) => p.length, () => 0) : 0)));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Process ids of the browsers alive now. */
  get pids(): number[] {
    return [...this.slots].flatMap((s) => (s.pid === undefined ? [] : [s.pid]));
  }

  /**
   * Runs `fn` on a fresh page of the pooled browser, within the deadline. On timeout or abort the run
   * fails at once with RENDER_TIMEOUT and the page is closed behind it; if the browser dies during the
   * run, the run fails with RENDER and the next run gets a new browser.
   */
  async withPage<T>(fn: (page: Page, remainingMs: () => number) => Promise<T>, opts: PageRunOptions): Promise<T> {
    const started = this.clock.now();
    if (opts.signal?.aborted) throw new AppError('The render was cancelled.', 'RENDER_TIMEOUT', { cause: opts.signal.reason });
    if (started >= opts.deadline) throw timeoutError(opts.deadline, started);

    const state: { stopped: boolean; slot: Slot | null; page: Page | null } = { stopped: false, slot: null, page: null };
    const remaining = (): number => Math.max(1, opts.deadline - this.clock.now());
    const work = (async (): Promise<T> => {
      const slot = await this.acquire();
      state.slot = slot;
      try {
        if (state.stopped) throw new AppError('stopped', 'RENDER_TIMEOUT');
        const page = await Promise.race([this.takePage(slot, state), slot.dead.then(() => null)]);
        if (!page) throw this.crashError();
        state.page = page;
        if (state.stopped) throw new AppError('stopped', 'RENDER_TIMEOUT');
        let crashed = false;
        const result = await Promise.race([
          fn(page, remaining),
          slot.dead.then(() => { crashed = true; return undefined as never; }),
        ]);
        if (crashed) throw this.crashError();
        return result;
      } catch (e) {
        if (!slot.browser.connected || (e instanceof Error && /Target closed|Session closed|Connection closed/i.test(e.message) && !state.stopped)) {
          throw this.crashError(e);
        }
        // Puppeteer's own timeouts are set to the same deadline; they mean the same thing as ours.
        if (e instanceof Error && e.name === 'TimeoutError') throw timeoutError(opts.deadline, started);
        throw e;
      } finally {
        // The page closes behind the result (idle() and close() still wait for it).
        this.track(this.releasePage(slot, state.page));
      }
    })();
    this.track(work);

    let abortListener: (() => void) | undefined;
    const timer = delay(opts.deadline - this.clock.now());
    const stop = new Promise<never>((_, reject) => {
      void timer.promise.then(() => reject(timeoutError(opts.deadline, started)));
      if (opts.signal) {
        abortListener = () => reject(new AppError('The render was cancelled.', 'RENDER_TIMEOUT', { cause: opts.signal?.reason }));
        opts.signal.addEventListener('abort', abortListener, { once: true });
      }
    });
    try {
      return await Promise.race([work, stop]);
    } catch (e) {
      if (!state.stopped && e instanceof AppError && e.code === 'RENDER_TIMEOUT') this.stopLate(state, work);
      throw e;
    } finally {
      timer.cancel();
      if (abortListener) opts.signal?.removeEventListener('abort', abortListener);
      work.catch(() => undefined);
    }
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.then(() => undefined, () => undefined);
    this.pending.add(tracked);
    void tracked.then(() => this.pending.delete(tracked));
  }

  /** A fresh page, prepared: the slot's spare when there is one, else a new one. */
  private async takePage(slot: Slot, state: { page: Page | null }): Promise<Page> {
    const spare = slot.spare;
    const stale = this.clock.now() - slot.spareAt > this.opts.spareMaxAgeMs;
    slot.spare = null;
    const ready = spare ? await spare : null;
    if (ready && !ready.isClosed() && !stale) return ready;
    if (ready && !ready.isClosed()) void ready.close().catch(() => undefined);
    // Known at once, so that a timeout during the preparation closes it too.
    return this.openPrepared(slot, (page) => { state.page = page; });
  }

  /** A new page of the slot's browser, prepared; closed again when the preparation fails. */
  private async openPrepared(slot: Slot, opened?: (page: Page) => void): Promise<Page> {
    const page = await slot.browser.newPage();
    opened?.(page);
    try {
      await this.opts.preparePage?.(page);
    } catch (e) {
      await page.close().catch(() => undefined);
      throw e;
    }
    return page;
  }

  /** Opens and prepares the next page ahead of time, on the current browser only. */
  private makeSpare(slot: Slot): void {
    if (slot.spare || slot.retiring || this.closed || !slot.browser.connected) return;
    slot.spareAt = this.clock.now();
    const spare: Promise<Page | null> = (async () => {
      const page = await this.openPrepared(slot);
      // A tab that crashes while it waits is dropped; the next render opens a new one.
      page.once('error', () => {
        if (slot.spare !== spare) return; // in use: the render fails and closes it
        slot.spare = null;
        void page.close().catch(() => undefined);
      });
      return page;
    })().catch(() => null);
    slot.spare = spare;
  }

  /** After a timeout: close the page so the work unwinds; a browser that cannot do even that is killed. */
  private stopLate(state: { stopped: boolean; slot: Slot | null; page: Page | null }, work: Promise<unknown>): void {
    state.stopped = true;
    if (state.page) void state.page.close().catch(() => undefined);
    const grace = delay(this.opts.closeGraceMs);
    let settled = false;
    void work.then(() => undefined, () => undefined).then(() => { settled = true; grace.cancel(); });
    void grace.promise.then(() => {
      if (!settled && state.slot) void this.retire(state.slot, 'hung');
    });
  }

  private crashError(cause?: unknown): AppError {
    return new AppError('Chromium exited during the render; the pool starts a new browser for the next one.', 'RENDER', { cause });
  }

  private async releasePage(slot: Slot, page: Page | null): Promise<void> {
    try {
      if (page && slot.browser.connected && !page.isClosed()) {
        const grace = delay(this.opts.closeGraceMs);
        const closed = await Promise.race([page.close().then(() => true, () => true), grace.promise.then(() => false)]);
        grace.cancel();
        if (!closed) void this.retire(slot, 'hung');
      }
    } finally {
      slot.inFlight--;
      if (slot.retiring && slot.inFlight <= 0) void this.destroy(slot, false);
      else this.makeSpare(slot);
      this.armIdleClose();
    }
  }

  private idleTimer: NodeJS.Timeout | null = null;

  private disarmIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** After the last render, closes the browser once it has had nothing to do for `idleCloseMs`. */
  private armIdleClose(): void {
    this.disarmIdleClose();
    if (!this.opts.idleCloseMs || this.closed) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const s = this.current;
      if (!s || this.launching || [...this.slots].some((x) => x.inFlight > 0)) return;
      s.retiring = true;
      this.current = null;
      this.opts.onEvent?.({ type: 'retire', pid: s.pid, reason: 'idle' });
      void this.destroy(s, false);
    }, this.opts.idleCloseMs);
    this.idleTimer.unref();
  }

  private async acquire(): Promise<Slot> {
    this.disarmIdleClose();
    for (;;) {
      if (this.closed) throw new AppError('The renderer is closed.', 'RENDER');
      const s = this.current;
      if (s && !s.retiring && s.browser.connected) {
        s.uses++;
        s.inFlight++;
        if (s.uses >= this.opts.recycleAfter) {
          // Retired now, closed when its last page is done.
          s.retiring = true;
          this.current = null;
          this.opts.onEvent?.({ type: 'retire', pid: s.pid, reason: 'recycle' });
        }
        return s;
      }
      if (!this.launching) {
        this.launching = this.launch().finally(() => { this.launching = null; });
      }
      const slot = await this.launching;
      if (this.closed) {
        await this.destroy(slot, true);
        throw new AppError('The renderer is closed.', 'RENDER');
      }
      if (this.current === null && !slot.retiring) this.current = slot;
    }
  }

  /** Aborts the launch in progress (pool closed, or the launch took longer than allowed). */
  private abortLaunch: AbortController | null = null;

  /** A launch failure as the operator should read it: the path, where it is set, what to do. */
  private launchError(why: string, cause?: unknown): AppError {
    const where = this.opts.chromiumPath;
    return new AppError(
      `Chromium could not be started from ${where}: ${why}. PDFs need Chromium: install it (apt-get install -y chromium) or set render.chromiumPath in the settings file (or PUPPETEER_EXECUTABLE_PATH) to the Chromium program; psa-reports check tells what it finds.`,
      'RENDER', { ...(cause === undefined ? {} : { cause }), details: { chromiumPath: where } },
    );
  }

  private async launch(): Promise<Slot> {
    // Checked first: a path that cannot be started makes the child process emit an 'error' event that
    // puppeteer does not listen to (with pipe: true), and an unhandled 'error' ends the whole process.
    const problem = executableProblem(this.opts.chromiumPath);
    if (problem) throw this.launchError(`it ${problem}`);
    await fs.mkdir(path.dirname(this.opts.userDataDirPrefix), { recursive: true });
    const dir = await fs.mkdtemp(this.opts.userDataDirPrefix);
    let browser: Browser;
    // Over a pipe, puppeteer's launch timeout covers nothing until the browser answers: a program that never
    // answers would hold the launch for the protocol timeout (3 min). The abort kills it at our limit or
    // when the pool closes (a run past its deadline).
    const abort = new AbortController();
    this.abortLaunch = abort;
    const limit = setTimeout(() => abort.abort(new Error(`no answer within ${this.opts.launchTimeoutMs} ms`)), this.opts.launchTimeoutMs);
    try {
      browser = await puppeteer.launch({
        signal: abort.signal,
        executablePath: this.opts.chromiumPath,
        args: [...CHROMIUM_ARGS],
        headless: true,
        userDataDir: dir,
        pipe: true,
        timeout: this.opts.launchTimeoutMs,
        // The daemon owns the signals and closes the pool itself; puppeteer's handlers would exit the process.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const why = abort.signal.aborted
        ? (this.closed ? 'the renderer was closed while it started' : `it did not answer as Chromium does (${(abort.signal.reason as Error).message})`)
        : `it did not start as Chromium does (${((e as Error).message.split('\n')[0] ?? '').trim()})`;
      throw this.launchError(why, e);
    } finally {
      clearTimeout(limit);
      if (this.abortLaunch === abort) this.abortLaunch = null;
    }
    this.launches++;
    const pid = browser.process()?.pid;
    const slot: Slot = {
      browser, pid, dir, uses: 0, inFlight: 0, retiring: false, closing: null,
      dead: new Promise<void>((resolve) => { browser.once('disconnected', () => resolve()); }),
      spare: null,
      spareAt: 0,
    };
    void slot.dead.then(() => {
      if (!slot.closing) {
        this.opts.onEvent?.({ type: 'retire', pid, reason: 'disconnected' });
        void this.retire(slot, 'disconnected');
      }
    });
    this.slots.add(slot);
    this.opts.onEvent?.({ type: 'launch', pid, userDataDir: dir });
    this.makeSpare(slot);
    return slot;
  }

  /**
   * Takes a browser out of service. A dead one is cleaned up at once; a hung one first lets its other
   * in-flight renders finish (they would fail needlessly) and is killed if they do not within the grace.
   */
  private retire(slot: Slot, reason: 'hung' | 'disconnected'): Promise<void> {
    if (reason === 'hung' && !slot.retiring) this.opts.onEvent?.({ type: 'retire', pid: slot.pid, reason });
    slot.retiring = true;
    if (this.current === slot) this.current = null;
    if (reason === 'disconnected' || slot.inFlight <= 0) return this.destroy(slot, reason === 'disconnected');
    const t = setTimeout(() => { if (!slot.closing) void this.destroy(slot, true); }, this.opts.closeGraceMs * 2);
    t.unref();
    return Promise.resolve();
  }

  private destroy(slot: Slot, force: boolean): Promise<void> {
    if (slot.closing) return slot.closing;
    slot.retiring = true;
    if (this.current === slot) this.current = null;
    slot.closing = (async () => {
      if (!force && slot.browser.connected) {
        const grace = delay(this.opts.closeGraceMs);
        await Promise.race([slot.browser.close().catch(() => undefined), grace.promise]);
        grace.cancel();
      }
      await this.killGroup(slot);
      await fs.rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
      this.slots.delete(slot);
      this.opts.onEvent?.({ type: 'closed', pid: slot.pid });
    })();
    return slot.closing;
  }

  /** Kills the browser's whole process group (it is started detached, as the group's leader) and waits. */
  private async killGroup(slot: Slot): Promise<void> {
    const pid = slot.pid;
    if (pid === undefined) return;
    const proc = slot.browser.process();
    const exited = proc && proc.exitCode === null && proc.signalCode === null
      ? new Promise<void>((resolve) => proc.once('exit', () => resolve()))
      : Promise.resolve();
    try { process.kill(-pid, 'SIGKILL'); } catch { /* group already gone */ }
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    const grace = delay(this.opts.closeGraceMs);
    await Promise.race([exited, grace.promise]);
    grace.cancel();
    // Helpers re-parented to init may linger a moment after the leader; wait until the group is empty.
    for (let i = 0; i < 50 && isAliveGroup(pid); i++) await delay(20).promise;
  }

  /**
   * Resolves when no render is unwinding and every retired browser has exited: the pool holds at most its
   * current browser, and its next page is ready. (Pages close in the background after each render.)
   */
  async idle(): Promise<void> {
    // A bounded wait, not a decision about time: a timer ends it.
    let waited = false;
    const limit = delay(this.opts.closeGraceMs * 4);
    void limit.promise.then(() => { waited = true; });
    try {
      await this.settle(() => waited);
    } finally {
      limit.cancel();
    }
  }

  private async settle(waited: () => boolean): Promise<void> {
    while (!waited()) {
      const retired = [...this.slots].filter((s) => s !== this.current);
      if (!this.pending.size && !retired.length) {
        const spare = this.current?.spare;
        if (spare) await spare;
        if (!this.pending.size) return;
        continue;
      }
      await Promise.all([...this.pending]);
      const closings = retired.flatMap((s) => (s.closing ? [s.closing] : []));
      if (closings.length) await Promise.all(closings);
      else await delay(10).promise; // a retired browser waiting for its kill timer
    }
  }

  /** Closes every browser (killing what does not close in time) and removes their directories. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarmIdleClose();
    // A browser still starting is not waited for: it is killed (a hung one would hold the process).
    this.abortLaunch?.abort(new Error('closed'));
    if (this.launching) await this.launching.catch(() => undefined);
    await Promise.all([...this.slots].map((s) => {
      this.opts.onEvent?.({ type: 'retire', pid: s.pid, reason: 'close' });
      return this.destroy(s, false);
    }));
    this.current = null;
  }
}

function isAliveGroup(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}
