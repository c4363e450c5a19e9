/**
 * Sync bench: full-sync time and rate, the store's write rate against a bare better-sqlite3 insert,
 * requests per page of data, requests of an incremental sync after 1 % of tickets changed, and the
 * sync process's peak RSS. The simulator and each sync run in their own processes. Also the simulator's
 * own speed at that scale: seconds to generate the tenant, and its keyset, change-window and by-ticket
 * pages as a ratio to one scan of the whole TimeEntries table (see pageTimes in sync-children.ts).
 *
 * And a first sync against a simulator answering each request after 500 ms (benchLatencySync).
 *
 *   node dist/bench/sync.js [tiny|small|medium|large] [latency]     (default large; `latency`: that bench only)
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Database } from '../src/store/sqlite.js';
import { ENTITIES, entity } from '../src/autotask/entities.js';
import { DEFAULT_THRESHOLD, TENANT_RESERVE } from '../src/autotask/budget.js';
import { openDb } from '../src/store/db.js';
import { createSyncStore, rowOf, upsertSqlOf, type ColumnValue } from '../src/store/sync-store.js';
import type { PageTimes } from './sync-children.js';

/** Options of the sync bench. */
export interface BenchSyncOptions {
  /** Simulator scale (default large). */
  scale?: 'tiny' | 'small' | 'medium' | 'large';
  /** Generator seed (default 1). */
  seed?: number;
  /** Working folder (default bench/tmp/sync-<scale>); removed afterwards unless `keep`. */
  dir?: string;
  /** Keep the databases. */
  keep?: boolean;
  /** Progress lines. */
  log?: (s: string) => void;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The children's entry: the compiled sibling under dist, or an esbuild bundle of the TypeScript source. */
async function childEntry(): Promise<string> {
  const js = path.join(here, 'sync-children.js');
  if (fs.existsSync(js)) return js;
  const root = path.resolve(here, '..');
  const out = path.join(root, 'bench', 'tmp', 'sync-children.mjs');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [path.join(here, 'sync-children.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: out, logLevel: 'error' });
  return out;
}

function waitMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench child exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

interface SyncChildResult {
  ok: boolean;
  failed: string[];
  rows: number;
  requests: number;
  byEndpoint: Record<string, number>;
  secs: number;
  maxRssKb: number;
  /** CPU seconds of the sync process. */
  cpuSecs: number;
  /** Mean time of a request per endpoint as the client saw it, in ms. */
  meanRequestMs: Record<string, number>;
}

/** Runs the bench; returns named figures (numbers, or strings for notes). */
export async function benchSync(opts: BenchSyncOptions = {}): Promise<Record<string, number | string>> {
  const scale = opts.scale ?? 'large';
  const log = opts.log ?? (() => {});
  const root = path.resolve(here, '..');
  const dir = opts.dir ?? path.join(root, 'bench', 'tmp', `sync-${scale}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const entry = await childEntry();
  const simChild = fork(entry, ['sim', scale, String(opts.seed ?? 1)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const t0 = performance.now();
    const ready = await waitMessage<{ generateSeconds: number; baseUrl: string; zoneUrl: string; credentials: { username: string; secret: string; integrationCode: string } }>(simChild);
    log(`simulator (${scale}) ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    simChild.send({ cmd: 'counts' });
    const counts = await waitMessage<Record<string, number>>(simChild);
    const env = {
      ...process.env,
      AUTOTASK_USERNAME: ready.credentials.username,
      AUTOTASK_SECRET: ready.credentials.secret,
      AUTOTASK_INTEGRATION_CODE: ready.credentials.integrationCode,
      AUTOTASK_BASE_URL: ready.baseUrl,
    };
    const dbFile = path.join(dir, 'bench.db');
    const runSync = async (): Promise<SyncChildResult> => {
      const c = fork(entry, ['sync', dbFile], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const r = await waitMessage<SyncChildResult>(c);
      await new Promise((res) => (c.exitCode !== null ? res(null) : c.once('exit', res)));
      if (!r.ok) throw new Error(`bench sync failed: ${r.failed.join('; ')}`);
      return r;
    };

    const full = await runSync();
    log(`full sync: ${full.rows} rows in ${full.secs.toFixed(1)} s, ${full.requests} requests, peak RSS ${(full.maxRssKb / 1024).toFixed(0)} MB`);
    const pages = ENTITIES.reduce((a, e) => a + Math.ceil((counts[e.name] ?? 0) / 500), 0);

    simChild.send({ cmd: 'change-tickets', share: 0.01 });
    const changed = await waitMessage<{ changed: number }>(simChild);
    const incr = await runSync();
    log(`incremental sync after ${changed.changed} tickets changed: ${incr.rows} rows, ${incr.requests} requests`);

    // Entities without a change timestamp (expense reports and items, sales orders) are re-read whole on every
    // sync: their cost per sync is their pages (+ a picklist read when the hourly picklist refresh is due).
    const NO_TIMESTAMP = ['ExpenseReports', 'ExpenseItems', 'SalesOrders'];
    const perSync: Record<string, number> = {};
    for (const e of NO_TIMESTAMP) {
      perSync[`sync.${e}.rows`] = counts[e] ?? 0;
      perSync[`sync.${e}.full_requests`] = full.byEndpoint[e] ?? 0;
      perSync[`sync.${e}.incremental_requests`] = incr.byEndpoint[e] ?? 0;
    }
    perSync['sync.no_timestamp_incremental_requests'] = NO_TIMESTAMP.reduce((a, e) => a + (incr.byEndpoint[e] ?? 0), 0);
    log(`no-timestamp entities per incremental sync: ${NO_TIMESTAMP.map((e) => `${e} ${counts[e] ?? 0} rows, ${incr.byEndpoint[e] ?? 0} requests`).join('; ')}`);

    const write = measureWrites(dbFile, dir);
    log(`store writes: ${write.storeRowsPerSec.toFixed(0)} rows/s vs bare insert ${write.bareRowsPerSec.toFixed(0)} rows/s (ratio ${write.ratio.toFixed(2)})`);

    simChild.send({ cmd: 'pages' });
    const pagesMs = await waitMessage<PageTimes>(simChild);
    log(`simulator pages: keyset ${pagesMs.keysetMs.toFixed(1)} ms, first change window ${pagesMs.firstChangedMs.toFixed(1)} ms, changed ${pagesMs.changedMs.toFixed(1)} ms, by ticket ${pagesMs.byTicketMs.toFixed(1)} ms; full scan ${pagesMs.fullScanMs.toFixed(1)} ms`);

    return {
      'sync.scale': scale,
      'sync.rows': full.rows,
      'sync.full_seconds': round(full.secs, 2),
      'sync.full_rows_per_sec': Math.round(full.rows / full.secs),
      'sync.full_requests': full.requests,
      'sync.pages_needed': pages,
      'sync.requests_per_page': round(full.requests / Math.max(1, pages), 3),
      'sync.incremental_tickets_changed': changed.changed,
      'sync.incremental_rows': incr.rows,
      'sync.incremental_requests': incr.requests,
      'sync.peak_rss_mb': round(full.maxRssKb / 1024, 1),
      'sync.store_rows_per_sec': Math.round(write.storeRowsPerSec),
      'sync.bare_insert_rows_per_sec': Math.round(write.bareRowsPerSec),
      'sync.store_write_ratio': round(write.ratio, 3),
      'simulator.generate_seconds': round(ready.generateSeconds, 1),
      'simulator.full_scan_page_ms': round(pagesMs.fullScanMs, 1),
      'simulator.keyset_page_ms': round(pagesMs.keysetMs, 1),
      'simulator.keyset_page_to_scan_ratio': round(pagesMs.keysetMs / pagesMs.fullScanMs, 3),
      'simulator.first_change_window_ms': round(pagesMs.firstChangedMs, 1),
      'simulator.changed_page_ms': round(pagesMs.changedMs, 1),
      'simulator.changed_page_to_scan_ratio': round(pagesMs.changedMs / pagesMs.fullScanMs, 3),
      'simulator.by_ticket_page_ms': round(pagesMs.byTicketMs, 1),
      'simulator.by_ticket_page_to_scan_ratio': round(pagesMs.byTicketMs / pagesMs.fullScanMs, 3),
      ...perSync,
    };
  } finally {
    if (simChild.connected) simChild.send({ cmd: 'close' });
    await new Promise((res) => (simChild.exitCode !== null ? res(null) : simChild.once('exit', res)));
    if (!opts.keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Options of the latency sync bench. */
export interface BenchLatencyOptions {
  /** Simulator scale (default medium: a few minutes at 500 ms). */
  scale?: 'tiny' | 'small' | 'medium' | 'large';
  /** Latency of every simulator request in ms (default 500). */
  latencyMs?: number;
  /** Generator seed (default 1). */
  seed?: number;
  /** Working folder (default bench/tmp/latency-<scale>); removed afterwards. */
  dir?: string;
  /** Progress lines. */
  log?: (s: string) => void;
}

/** Requests Autotask allows one entity in flight. */
const PER_ENTITY = 3;

/**
 * A first sync against a simulator that answers every request after `latencyMs`, as Autotask's own ~0.5–1 s
 * a page: the wall time against the physical minimum, which is the slowest entity's pages read three at a
 * time (the most Autotask allows one entity in flight), or the hourly budget when the requests exceed it.
 */
export async function benchLatencySync(opts: BenchLatencyOptions = {}): Promise<Record<string, number | string>> {
  const scale = opts.scale ?? 'medium';
  const latencyMs = opts.latencyMs ?? 500;
  const log = opts.log ?? (() => {});
  const root = path.resolve(here, '..');
  const dir = opts.dir ?? path.join(root, 'bench', 'tmp', `latency-${scale}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const entry = await childEntry();
  const simChild = fork(entry, ['sim', scale, String(opts.seed ?? 1), String(latencyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await waitMessage<{ baseUrl: string; credentials: { username: string; secret: string; integrationCode: string } }>(simChild);
    simChild.send({ cmd: 'counts' });
    const counts = await waitMessage<Record<string, number>>(simChild);
    const env = {
      ...process.env,
      AUTOTASK_USERNAME: ready.credentials.username,
      AUTOTASK_SECRET: ready.credentials.secret,
      AUTOTASK_INTEGRATION_CODE: ready.credentials.integrationCode,
      AUTOTASK_BASE_URL: ready.baseUrl,
    };
    const load0 = os.loadavg()[0]!;
    const c = fork(entry, ['sync', path.join(dir, 'latency.db')], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const r = await waitMessage<SyncChildResult>(c);
    const load1 = os.loadavg()[0]!;
    await new Promise((res) => (c.exitCode !== null ? res(null) : c.once('exit', res)));
    if (!r.ok) throw new Error(`bench latency sync failed: ${r.failed.join('; ')}`);

    const pages = (e: string) => Math.max(1, Math.ceil((counts[e] ?? 0) / 500));
    const slowest = ENTITIES.reduce((a, e) => (pages(e.name) > pages(a.name) ? e : a), ENTITIES[0]!);
    const entitySecs = (Math.ceil(pages(slowest.name) / PER_ENTITY) * latencyMs) / 1000;
    // The sync child's share is the whole database hour less Autotask's 5 % reserve: requests beyond it wait an hour.
    const allowed = Math.floor(DEFAULT_THRESHOLD * (1 - TENANT_RESERVE));
    const budgetSecs = r.requests > allowed ? Math.floor((r.requests - 1) / allowed) * 3600 : 0;
    const minimum = Math.max(entitySecs, budgetSecs);
    const seen = r.meanRequestMs[slowest.name] ?? latencyMs;
    const observed = (Math.ceil(pages(slowest.name) / PER_ENTITY) * seen) / 1000;
    log(`latency sync (${scale}, ${latencyMs} ms a request): ${r.rows} rows in ${r.secs.toFixed(1)} s, ${r.requests} requests; minimum ${minimum.toFixed(1)} s (${slowest.name}: ${pages(slowest.name)} pages ÷ ${PER_ENTITY} × ${latencyMs} ms${budgetSecs > entitySecs ? '; the budget binds' : ''})`);
    return {
      'latency_sync.scale': scale,
      'latency_sync.latency_ms': latencyMs,
      'latency_sync.rows': r.rows,
      'latency_sync.requests': r.requests,
      'latency_sync.seconds': round(r.secs, 1),
      'latency_sync.slowest_entity': `${slowest.name} (${pages(slowest.name)} pages)`,
      'latency_sync.minimum_seconds': round(minimum, 1),
      'latency_sync.minimum_bound': budgetSecs > entitySecs ? 'hourly budget' : `slowest entity's pages ÷ ${PER_ENTITY} × latency`,
      'latency_sync.to_minimum_ratio': round(r.secs / minimum, 3),
      // On a busy machine a request takes longer than the simulator's latency: the same minimum with the
      // slowest entity's requests as long as the client saw them tells how well the three slots were used.
      'latency_sync.slowest_entity_mean_request_ms': round(seen, 0),
      'latency_sync.to_observed_minimum_ratio': round(r.secs / Math.max(minimum, observed), 3),
      'latency_sync.sync_cpu_seconds': round(r.cpuSecs, 1),
      // The machine's other work: with more runnable processes than cores, the sync and the simulator wait for
      // a core between pages, and the wall time measures that wait (the request time above shows it).
      'latency_sync.load_average_start_end': `${load0.toFixed(1)} / ${load1.toFixed(1)} on ${os.cpus().length} cores`,
    };
  } finally {
    if (simChild.connected) simChild.send({ cmd: 'close' });
    await new Promise((res) => (simChild.exitCode !== null ? res(null) : simChild.once('exit', res)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number, d: number): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}

/**
 * Writes a sample of the synced Tickets and TimeEntries again, page by page, once through the store
 * (conversion, upsert, state history, cursor — as the sync does, with each record's JSON as received)
 * and once as a bare prepared INSERT of already converted rows in one transaction per page: the floor
 * our writer is measured against. Rounds alternate and the best of each counts, because the machine
 * may be busy with other work.
 */
function measureWrites(syncedDb: string, dir: string, sampleRows = 200_000, rounds = 3): { storeRowsPerSec: number; bareRowsPerSec: number; ratio: number } {
  const src = new Database(syncedDb, { readonly: true });
  const sets = [['Tickets', 0.25], ['TimeEntries', 0.75]].map(([name, share]) => {
    const e = entity(name as string);
    const raw = src.prepare(`SELECT raw FROM ${e.table} ORDER BY id LIMIT ?`).pluck().all(Math.round(sampleRows * (share as number))) as string[];
    return { e, raw, records: raw.map((r) => JSON.parse(r) as Record<string, unknown>) };
  });
  src.close();
  const rows = sets.reduce((a, x) => a + x.records.length, 0);
  const converted = sets.map(({ e, records, raw }) => ({ e, rows: records.map((r, i) => rowOf(e, r, 1, raw[i])) }));

  const fresh = (name: string) => {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(dir, name + suffix), { force: true });
    return openDb(path.join(dir, name));
  };
  const storeRound = (): number => {
    const db = fresh('store-writes.db');
    const store = createSyncStore(db);
    const t = performance.now();
    for (const { e, records, raw } of sets) {
      for (let i = 0; i < records.length; i += 500) {
        const page = records.slice(i, i + 500);
        store.tx(() => {
          store.upsertRecords(e, page, 1, raw.slice(i, i + 500));
          if (e.name === 'Tickets') store.recordTicketStates(page, 1);
          store.putCursor({ ...store.getCursor(e.name), cursorId: page[page.length - 1]!.id as number, passKind: 'initial', passStartedAt: 1 }, 1);
        });
      }
    }
    const secs = (performance.now() - t) / 1000;
    db.close();
    return secs;
  };
  const bareRound = (): number => {
    const db = fresh('bare-writes.db');
    const t = performance.now();
    for (const { e, rows: rs } of converted) {
      const ins = db.prepare(upsertSqlOf(e).replace(/ ON CONFLICT.*$/, ''));
      const batch = db.transaction((b: ColumnValue[][]) => {
        for (const r of b) ins.run(r);
      });
      for (let i = 0; i < rs.length; i += 500) batch.immediate(rs.slice(i, i + 500));
    }
    const secs = (performance.now() - t) / 1000;
    db.close();
    return secs;
  };
  let store = Infinity;
  let bare = Infinity;
  for (let r = 0; r < rounds; r++) {
    store = Math.min(store, storeRound());
    bare = Math.min(bare, bareRound());
  }
  return { storeRowsPerSec: rows / store, bareRowsPerSec: rows / bare, ratio: bare / store };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const scale = (process.argv[2] as BenchSyncOptions['scale']) ?? 'large';
  const latency = process.argv[3] === 'latency';
  (latency ? benchLatencySync({ scale, log: (s) => console.error(s) }) : benchSync({ scale, log: (s) => console.error(s) })).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
