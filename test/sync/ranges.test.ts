import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { syncAll, type SyncEvent, type SyncOptions, type SyncSummary } from '../../src/sync/index.js';
import { splitIds } from '../../src/sync/ranges.js';
import type { Db } from '../../src/store/db.js';
import type { AutotaskClient } from '../../src/autotask/client.js';
import { clientOf, dump, freshDb, sim, tempDir } from './_helpers.js';

/** `countUpTo` over a sorted id list, counting its calls. */
function counter(ids: number[]): { count: (x: number) => Promise<number>; calls: () => number } {
  let calls = 0;
  return {
    count: async (x) => {
      calls++;
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const m = (lo + hi) >> 1;
        if (ids[m]! <= x) lo = m + 1;
        else hi = m;
      }
      return lo;
    },
    calls: () => calls,
  };
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('splitIds: id ranges of about equal rows from query/count probes', () => {
  const sets: [string, number[], number | undefined][] = [
    ['dense ids from 1', range(300_000, (i) => i + 1), undefined],
    ['a tenant-like cluster far from 0, lowest id known', range(300_000, (i) => 29_683_000 + i * 3), 29_683_000],
    ['a tenant-like cluster far from 0, lowest id unknown', range(300_000, (i) => 29_683_000 + i * 3), undefined],
    ['ids growing quadratically', range(200_000, (i) => Math.floor(1000 + i ** 2 / 7)), undefined],
    ['two clusters a billion apart', [...range(100_000, (i) => 5000 + i), ...range(100_000, (i) => 900_000_000 + i * 11)], undefined],
    ['ids from 0', range(9000, (i) => i), undefined],
  ];
  for (const [name, ids, firstId] of sets) {
    it(`${name}: every split within the tolerance, in few rounds of three`, async () => {
      const c = counter(ids);
      const splits = await splitIds(c.count, ids.length, 3, firstId !== undefined ? { firstId } : {});
      expect(splits).toHaveLength(2);
      expect(splits[0]!).toBeLessThan(splits[1]!);
      const tol = Math.max(250, Math.round(ids.length * 0.005));
      const at = await Promise.all(splits.map((x) => counter(ids).count(x)));
      expect(Math.abs(at[0]! - ids.length / 3)).toBeLessThanOrEqual(tol + 1);
      expect(Math.abs(at[1]! - (2 * ids.length) / 3)).toBeLessThanOrEqual(tol + 1);
      // At most three counts a round (the entity's requests in flight), and few rounds.
      expect(c.calls()).toBeLessThanOrEqual(3 * 12);
    });
  }

  it('never makes an empty range: fewer rows than ranges, or all rows on one id, give no split', async () => {
    expect(await splitIds(counter([5, 6]).count, 2, 3)).toEqual([]);
    expect(await splitIds(counter([]).count, 0, 3)).toEqual([]);
    const same = await splitIds(async (x) => (x >= 77 ? 900 : 0), 900, 3);
    // One id holds every row: any split leaves one side empty.
    expect(same).toEqual([]);
  });
});

let s: Simulator | undefined;
let tmp: ReturnType<typeof tempDir>;
const dbs: Db[] = [];
beforeEach(() => {
  tmp = tempDir('psa-ranges-');
});
afterEach(async () => {
  for (const d of dbs.splice(0)) d.close();
  await s?.close();
  s = undefined;
  tmp.cleanup();
});

function db(name: string): Db {
  const d = freshDb(tmp.dir, name);
  dbs.push(d);
  return d;
}

function run(d: Db, sm: Simulator, client: AutotaskClient, over: Partial<SyncOptions> = {}): Promise<SyncSummary> {
  return syncAll(d, client, { overlapMs: 10 * 60_000, clock: { now: () => sm.now() }, entities: ['Tickets', 'TimeEntries'], rangeMinRows: 1000, ...over });
}

/**
 * The store's data, with each record's JSON read as data: Autotask leaves `userDefinedFields` out of a page
 * where no row has a value, so the same record's text differs with the page it came in, its data does not.
 */
function data(d: Db): Record<string, unknown[]> {
  const out = dump(d);
  for (const rows of Object.values(out)) {
    for (const row of rows as Record<string, unknown>[]) {
      if (typeof row.raw !== 'string') continue;
      const rec = JSON.parse(row.raw) as Record<string, unknown>;
      const udfs = rec.userDefinedFields as { value: unknown }[] | undefined;
      if (udfs && udfs.every((u) => u.value === null)) delete rec.userDefinedFields;
      row.raw = rec;
    }
  }
  return out;
}

const cursors = (d: Db) => d.prepare('SELECT entity, cursor_ts, cursor_id, phase, pass_kind FROM sync_cursors ORDER BY entity').all();

describe('parallel id ranges against the simulator (real HTTP)', () => {
  it('a first sync reads a large entity with three requests in flight on its endpoint, never four, and stores what a sequential read stores', async () => {
    // The server would accept ten at once: what it sees in flight is the client's doing alone.
    s = await sim({ scale: 'small', latency: { baseMs: 25 }, threadLimit: 10 });
    const sequential = db('sequential.db');
    const seqClient = clientOf(s);
    const seq = await run(sequential, s, seqClient, { parallelRanges: 1 });
    expect(seq.ok).toBe(true);
    expect(s.stats().maxInFlight.TimeEntries).toBe(1);

    s.resetStats();
    const parallel = db('parallel.db');
    const client = clientOf(s);
    const events: SyncEvent[] = [];
    const par = await run(parallel, s, client, { onEvent: (e) => events.push(e) });
    expect(par.ok).toBe(true);
    expect(s.stats().maxInFlight.TimeEntries).toBe(3);
    expect(s.stats().maxInFlight.Tickets).toBe(3);
    expect(client.stats().maxInFlight.TimeEntries).toBe(3);
    expect(s.stats().rejected429).toBe(0);
    // Pages of the three ranges interleave: ids do not come in one ascending sequence.
    const ids = events.filter((e): e is Extract<SyncEvent, { type: 'sync:page' }> => e.type === 'sync:page' && e.entity === 'TimeEntries').map((e) => e.lastId);
    expect(ids.some((id, i) => i > 0 && id < ids[i - 1]!)).toBe(true);
    // Finding the split points costs a few counts, not a second read.
    const te = (r: SyncSummary) => r.entities.find((e) => e.entity === 'TimeEntries')!.requests;
    expect(te(par)).toBeLessThanOrEqual(te(seq) + 20);

    expect(data(parallel)).toEqual(data(sequential));
    expect(cursors(parallel)).toEqual(cursors(sequential));
    expect(parallel.prepare('SELECT count(*) FROM sync_ranges').pluck().get()).toBe(0);
  }, 120_000);

  it('a pass stopped part-way resumes every range where it stopped: every row stored once, the same tables', async () => {
    s = await sim({ scale: 'small', latency: { baseMs: 10 } });
    const reference = db('reference.db');
    expect((await run(reference, s, clientOf(s), { parallelRanges: 1 })).ok).toBe(true);

    const d = db('stopped.db');
    const stop = new AbortController();
    let pages = 0;
    const first = await run(d, s, clientOf(s, { signal: stop.signal, maxAttempts: 1 }), {
      entities: ['TimeEntries'],
      onEvent: (e) => {
        if (e.type === 'sync:page' && ++pages === 7) stop.abort();
      },
    });
    expect(first.ok).toBe(false);
    const stoppedRows = first.entities[0]!.rows;
    expect(stoppedRows).toBeGreaterThan(0);
    const ranges = d.prepare("SELECT range_no, lo, hi, cursor_id, done FROM sync_ranges WHERE entity = 'TimeEntries' ORDER BY range_no").all() as { cursor_id: number | null; hi: number | null; lo: number | null }[];
    expect(ranges).toHaveLength(3);
    // More than one range had made progress when it stopped, each within its own bounds.
    expect(ranges.filter((r) => r.cursor_id !== null).length).toBeGreaterThan(1);
    for (const r of ranges) {
      if (r.cursor_id === null) continue;
      if (r.lo !== null) expect(r.cursor_id).toBeGreaterThan(r.lo);
      if (r.hi !== null) expect(r.cursor_id).toBeLessThanOrEqual(r.hi);
    }

    const second = await run(d, s, clientOf(s), { entities: ['TimeEntries'] });
    expect(second.ok).toBe(true);
    expect(second.entities[0]!.pass).toBe('initial');
    // Resumed, not restarted: the rows of the two syncs add up to the entity, none read twice.
    expect(stoppedRows + second.entities[0]!.rows).toBe(s.tenant.table('TimeEntries').size);
    expect(d.prepare('SELECT count(*) FROM sync_ranges').pluck().get()).toBe(0);
    expect(data(d).time_entries).toEqual(data(reference).time_entries);
    expect(cursors(d).find((c) => (c as { entity: string }).entity === 'TimeEntries')).toEqual(cursors(reference).find((c) => (c as { entity: string }).entity === 'TimeEntries'));
  }, 120_000);

  it('--full over a ranged pass in progress starts afresh and removes rows Autotask no longer has', async () => {
    s = await sim({ scale: 'small' });
    const d = db('full.db');
    const stop = new AbortController();
    let pages = 0;
    await run(d, s, clientOf(s, { signal: stop.signal, maxAttempts: 1 }), {
      entities: ['TimeEntries'],
      onEvent: (e) => {
        if (e.type === 'sync:page' && ++pages === 4) stop.abort();
      },
    });
    expect(d.prepare('SELECT count(*) FROM sync_ranges').pluck().get()).toBe(3);
    const te = s.tenant.table('TimeEntries');
    // A row the stopped pass stored, gone from Autotask since.
    const goneId = d.prepare('SELECT id FROM time_entries ORDER BY id DESC LIMIT 1').pluck().get() as number;
    s.tenant.remove('TimeEntries', goneId);
    const full = await run(d, s, clientOf(s), { entities: ['TimeEntries'], full: true });
    expect(full.ok).toBe(true);
    expect(full.entities[0]!.pass).toBe('full');
    expect(d.prepare('SELECT count(*) FROM time_entries').pluck().get()).toBe(te.size);
    expect(d.prepare('SELECT count(*) FROM time_entries WHERE id = ?').pluck().get(goneId)).toBe(0);
    expect(d.prepare('SELECT count(*) FROM sync_ranges').pluck().get()).toBe(0);
  }, 120_000);
});
