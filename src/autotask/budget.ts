import type { Instant } from '../types.js';

/**
 * The API budget: how many requests psa-reports may send to Autotask in the rolling hour.
 *
 * Autotask allows each database 10,000 requests per rolling 60 minutes (ThresholdInformation's
 * `externalRequestThreshold`), shared by every integration; at 100 % it suspends all of them. Every
 * process on one store (the daemon, a manual `sync`, a future web server) takes its requests from one
 * ledger kept in that store, so the share holds across processes and syncs, not only within one client.
 *
 * The rule (`allowedRequests`), with L = the tenant's threshold (10,000 until ThresholdInformation is read):
 *   share     S = floor(budgetShare × L)           — all psa-reports processes on the store together
 *   others    O = max(0, tenantUsed − ledgerUsed)  — the database's hour at the last ThresholdInformation
 *                                                    read, minus what the ledger held at that moment
 *   headroom  H = floor(0.95 × L) − O              — the last 5 % of the database's hour is never ours to
 *                                                    take, so we are never the integration that suspends all
 *   allowed   A = max(0, min(S, H))
 * A request is sent only when the ledger holds fewer than A requests in the rolling hour; the check and
 * the recording are one atomic step (two processes cannot both take the last slot).
 *
 * The ledger counts in minute buckets: a bucket counts while any part of it lies in the last hour, so the
 * ledger's count is never below the true rolling count (it may hold a request up to one minute longer).
 */

/** One minute. */
export const MINUTE = 60_000;
/** The rolling window Autotask counts. */
export const HOUR = 3_600_000;
/** Autotask's documented hourly threshold, used until ThresholdInformation has been read. */
export const DEFAULT_THRESHOLD = 10_000;
/** Share of the database's hour left to the other integrations whatever budgetShare says. */
export const TENANT_RESERVE = 0.05;

/** Answer of `RequestLedger.take`. */
export type LedgerTake =
  /** The request was recorded; `used` counts it. */
  | { ok: true; used: number }
  /** Nothing recorded: the hour already holds `used` ≥ allowed; one slot is free again at `freeAt`. */
  | { ok: false; used: number; freeAt: Instant };

/** The latest ThresholdInformation reading, kept so `check` (and the other processes) can show it. */
export interface ThresholdReading {
  /** When it was read. */
  at: Instant;
  /** `externalRequestThreshold`. */
  threshold: number;
  /** `currentTimeframeRequestCount`: the database's hour, every integration. */
  tenantUsed: number;
  /** What the ledger held at that moment (our part of `tenantUsed`). */
  ownUsed: number;
}

/**
 * The request ledger port: the client takes each request from it. The store's implementation
 * (src/store/request-ledger.ts) is shared by every process on the database; `memoryLedger` serves
 * where no store exists.
 */
export interface RequestLedger {
  /** Records one request at `now` if the rolling hour holds fewer than `allowed`; atomic. */
  take(now: Instant, allowed: number): LedgerTake;
  /** Requests recorded in the rolling hour ending at `now`. */
  used(now: Instant): number;
  /** Keeps the latest ThresholdInformation reading. */
  noteThreshold(r: ThresholdReading): void;
  /** The latest reading by any process sharing the ledger, or null. */
  lastThreshold(): ThresholdReading | null;
}

/** Index of the minute bucket holding `t`. */
export function minuteOf(t: Instant): number {
  return Math.floor(t / MINUTE);
}

/** First bucket still (partly) inside the rolling hour ending at `now`. */
export function firstBucket(now: Instant): number {
  return minuteOf(now - HOUR);
}

/**
 * When a full hour frees a slot: the buckets (ascending, all in the window) leave one by one, and the one
 * that brings the count below `allowed` decides. When even an empty ledger would not fit (`allowed` ≤ 0:
 * the other integrations fill the database's hour), the answer is a minute from now, to look again.
 */
export function freeAt(buckets: readonly { minute: number; requests: number }[], used: number, allowed: number, now: Instant): Instant {
  const need = used - allowed + 1;
  if (allowed <= 0 || need <= 0) return now + MINUTE;
  let gone = 0;
  for (const b of buckets) {
    gone += b.requests;
    // Bucket m counts while firstBucket(now) ≤ m, i.e. until now reaches (m + 61) minutes.
    if (gone >= need) return Math.max(now + 1, (b.minute + 61) * MINUTE);
  }
  return now + MINUTE;
}

/** Requests psa-reports may have in the rolling hour (the rule above). */
export function allowedRequests(budgetShare: number, threshold: number, reading: { tenantUsed: number; ownUsed: number } | null): { allowed: number; share: number; others: number; bound: 'own-share' | 'tenant' } {
  const share = Math.max(1, Math.floor(threshold * budgetShare));
  const others = reading ? Math.max(0, reading.tenantUsed - reading.ownUsed) : 0;
  const headroom = Math.floor(threshold * (1 - TENANT_RESERVE)) - others;
  return headroom < share ? { allowed: Math.max(0, headroom), share, others, bound: 'tenant' } : { allowed: share, share, others, bound: 'own-share' };
}

/** A ledger in this process's memory only (the simulator command, tests, a client built without a store). */
export function memoryLedger(): RequestLedger {
  const buckets = new Map<number, number>();
  let last: ThresholdReading | null = null;
  const window = (now: Instant) => {
    const first = firstBucket(now);
    for (const m of buckets.keys()) if (m < first) buckets.delete(m);
    return [...buckets.entries()].map(([minute, requests]) => ({ minute, requests })).sort((a, b) => a.minute - b.minute);
  };
  const used = (now: Instant) => window(now).reduce((a, b) => a + b.requests, 0);
  return {
    take(now, allowed) {
      const w = window(now);
      const u = w.reduce((a, b) => a + b.requests, 0);
      if (u >= allowed) return { ok: false, used: u, freeAt: freeAt(w, u, allowed, now) };
      buckets.set(minuteOf(now), (buckets.get(minuteOf(now)) ?? 0) + 1);
      return { ok: true, used: u + 1 };
    },
    used,
    noteThreshold(r) {
      last = r;
    },
    lastThreshold: () => last,
  };
}
