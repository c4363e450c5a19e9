/**
 * Child-process entry points of the sync bench: `sim` serves a generated tenant (optionally answering each
 * request after a fixed latency), `sync` runs one sync
 * and reports its numbers (including its own peak RSS) over IPC. Separate processes so the sync's
 * memory is measured alone and the simulator's CPU does not share its event loop.
 */
import { performance } from 'node:perf_hooks';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import type { Scale } from '../src/simulator/tenant.js';
import { createAutotaskClient } from '../src/autotask/client.js';
import { openDb } from '../src/store/db.js';
import { syncAll } from '../src/sync/index.js';
import type { AutotaskEnv } from '../src/config.js';
import { systemClock } from '../src/types.js';

/** Messages from the parent. */
type Msg =
  | { cmd: 'change-tickets'; share: number }
  | { cmd: 'counts' }
  | { cmd: 'stats' }
  | { cmd: 'pages' }
  | { cmd: 'close' };

/** Milliseconds of the simulator's pages over HTTP, the same queries the sync sends (see pageTimes). */
export interface PageTimes {
  /** Mean of 20 keyset pages (`id gt …`) from the middle of TimeEntries. */
  keysetMs: number;
  /** The first change-window query on TimeEntries: it builds the simulator's change-time index (sorts every row). */
  firstChangedMs: number;
  /** The first page of TimeEntries changed in the last simulated hour (`lastModifiedDateTime gte …`), index built. */
  changedMs: number;
  /** Mean of 10 pages of one ticket's time entries (`ticketID eq …`). */
  byTicketMs: number;
  /** Median of 3 queries that match nothing on a field without an index: one scan of the whole table. */
  fullScanMs: number;
}

/**
 * Times the pages a sync asks for, against a query that must scan every TimeEntries row and matches none:
 * a page well under one scan is answered from the id order and the indexes (a page also serialises its
 * 500 rows, which the scan does not, so the ratio cannot be near 0).
 */
async function pageTimes(sim: Simulator): Promise<PageTimes> {
  const headers = { ApiIntegrationCode: sim.credentials.integrationCode, UserName: sim.credentials.username, Secret: sim.credentials.secret, 'Content-Type': 'application/json' };
  const query = async (filter: unknown[]): Promise<{ ms: number; items: unknown[] }> => {
    const t = performance.now();
    const r = await fetch(`${sim.baseUrl}V1.0/TimeEntries/query`, { method: 'POST', headers, body: JSON.stringify({ filter }) });
    const body = (await r.json()) as { items?: unknown[] };
    if (r.status !== 200) throw new Error(`bench page query answered ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
    return { ms: performance.now() - t, items: body.items ?? [] };
  };
  const te = sim.tenant.table('TimeEntries');
  const mid = te.idAt(Math.floor(te.length / 2));
  let keyset = 0;
  for (let i = 0; i < 20; i++) keyset += (await query([{ op: 'gt', field: 'id', value: mid + i * 500 }])).ms;
  const ticket = te.get(te.length - 10, 'ticketID') ?? te.get(100, 'ticketID');
  await query([{ op: 'eq', field: 'ticketID', value: ticket }]);
  let byTicket = 0;
  for (let i = 0; i < 10; i++) byTicket += (await query([{ op: 'eq', field: 'ticketID', value: ticket }])).ms;
  const scans: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await query([{ op: 'lt', field: 'hoursWorked', value: -1 }]);
    if (r.items.length) throw new Error('bench full-scan query matched rows');
    scans.push(r.ms);
  }
  const first = await query([{ op: 'gte', field: 'lastModifiedDateTime', value: new Date(sim.now() - 3_600_000).toISOString() }]);
  // As between two syncs: the service desk works an hour, then the sync asks what changed.
  const s = sim.advance(3_600_000);
  const changed = await query([{ op: 'gte', field: 'lastModifiedDateTime', value: new Date(s.from + 1).toISOString() }]);
  return { keysetMs: keyset / 20, firstChangedMs: first.ms, changedMs: changed.ms, byTicketMs: byTicket / 10, fullScanMs: scans.sort((a, b) => a - b)[1]! };
}

async function simChild(scale: Scale, seed: number, latencyMs: number): Promise<void> {
  const t0 = performance.now();
  const sim = await startSimulator({ port: 0, seed, scale, ...(latencyMs > 0 ? { latency: { baseMs: latencyMs } } : {}) });
  // Generating the tenant is nearly all of it; the server's start is a listen() on 127.0.0.1.
  const generateSeconds = (performance.now() - t0) / 1000;
  const reply = (m: unknown) => process.send!(m);
  process.on('message', async (m: Msg) => {
    if (m.cmd === 'change-tickets') {
      const t = sim.tenant.table('Tickets');
      const ids: number[] = [];
      for (let p = 0; p < t.length; p++) if (t.isAlive(p)) ids.push(t.idAt(p));
      const n = Math.max(1, Math.round(ids.length * m.share));
      sim.tenant.now += 60_000;
      // Every k-th ticket: spread over the id range like real activity.
      const k = Math.max(1, Math.floor(ids.length / n));
      let changed = 0;
      for (let i = 0; i < ids.length && changed < n; i += k, changed++) {
        const cur = sim.tenant.get('Tickets', ids[i]!)!;
        sim.tenant.update('Tickets', ids[i]!, { title: `${String(cur.title ?? '')} (updated)` });
      }
      reply({ changed });
    } else if (m.cmd === 'counts') {
      const out: Record<string, number> = {};
      for (const tb of sim.tenant.allTables()) out[tb.entity.name] = tb.size;
      reply(out);
    } else if (m.cmd === 'pages') {
      reply(await pageTimes(sim));
    } else if (m.cmd === 'stats') {
      reply(sim.stats().byEndpoint);
    } else if (m.cmd === 'close') {
      await sim.close();
      process.exit(0);
    }
  });
  reply({ ready: true, generateSeconds, baseUrl: sim.baseUrl, zoneUrl: sim.zoneUrl, credentials: sim.credentials, now: sim.now() });
}

async function syncChild(dbFile: string): Promise<void> {
  // Credentials come through the environment, as in production (never argv: ps shows it).
  const env: AutotaskEnv = {
    username: process.env.AUTOTASK_USERNAME,
    secret: process.env.AUTOTASK_SECRET,
    integrationCode: process.env.AUTOTASK_INTEGRATION_CODE,
    baseUrl: process.env.AUTOTASK_BASE_URL,
    zoneUrl: process.env.AUTOTASK_ZONE_URL ?? '',
  };
  const db = openDb(dbFile);
  const clock = systemClock;
  // Each request's time as the client saw it (the simulator's latency plus the machine's own delays).
  const requestMs: Record<string, { n: number; ms: number }> = {};
  const client = createAutotaskClient(env, {
    budgetShare: 1,
    clock,
    onEvent: (e) => {
      if (e.type !== 'autotask:request') return;
      const r = (requestMs[e.endpoint] ??= { n: 0, ms: 0 });
      r.n++;
      r.ms += e.ms;
    },
  });
  const wall = performance.now();
  const summary = await syncAll(db, client, { overlapMs: 10 * 60_000, clock });
  const secs = (performance.now() - wall) / 1000;
  db.close();
  process.send!({
    ok: summary.ok,
    failed: summary.entities.filter((r) => !r.ok).map((r) => `${r.entity}: ${r.error}`),
    rows: summary.entities.reduce((a, r) => a + r.rows, 0),
    requests: client.stats().requests,
    byEndpoint: client.stats().byEndpoint,
    secs,
    maxRssKb: process.resourceUsage().maxRSS,
    cpuSecs: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    meanRequestMs: Object.fromEntries(Object.entries(requestMs).map(([k, v]) => [k, v.ms / v.n])),
  });
  process.exit(0);
}

const [role, ...args] = process.argv.slice(2);
if (role === 'sim') void simChild(args[0] as Scale, Number(args[1] ?? 1), Number(args[2] ?? 0));
else if (role === 'sync') void syncChild(args[0]!);
else {
  console.error('usage: sync-children sim <scale> <seed> [latency ms] | sync <db> (credentials in AUTOTASK_* variables)');
  process.exit(2);
}
