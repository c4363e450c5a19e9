import { lastSyncAt } from '../app.js';
import { toError } from '../errors.js';
import { warmSteps, type State } from './pages.js';

/**
 * Warms the pages' caches after each sync, in the background, so that the first view after a sync is
 * usually served from them (and a report's past periods are in the store's period cache).
 *
 * One report at a time, each step a separate turn of the event loop: a request waits at most for the
 * report being computed, never for the whole warm-up; then each report's charts, one chart per turn. A sync
 * landing during a warm-up starts it again.
 */
export interface Warmer {
  /** Resolves once no warm-up is running or due (the bench waits for it). */
  idle(): Promise<void>;
  /** Stops polling and abandons a running warm-up. */
  stop(): void;
}

export function startWarmer(state: State, o: { pollMs: number }): Warmer {
  let warmedFor: number | null | undefined; // the last sync warmed for (undefined: none yet)
  let running: Promise<void> | null = null;
  let stopped = false;
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const run = async (sync: number | null): Promise<void> => {
    for (const step of warmSteps(state)) {
      await turn();
      if (stopped || lastSyncAt(state.db) !== sync) return; // a newer sync: the next poll starts again
      try {
        await step();
      } catch (e) {
        state.io.err(`psa-reports: warming the web pages after a sync: ${toError(e).message}`);
      }
    }
    warmedFor = sync;
  };
  const poll = () => {
    if (stopped || running) return;
    const sync = lastSyncAt(state.db);
    if (sync === null || sync === warmedFor) return;
    running = run(sync).finally(() => { running = null; });
  };
  const timer = setInterval(poll, o.pollMs);
  timer.unref();
  setImmediate(poll);
  return {
    async idle() {
      for (;;) {
        poll();
        if (!running) return;
        await running;
      }
    },
    stop() { stopped = true; clearInterval(timer); },
  };
}
