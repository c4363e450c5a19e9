import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_BY_NAME } from '../../src/autotask/entities.js';
import { syncStore as runSync } from '../../src/app.js';
import { openDb } from '../../src/store/db.js';
import { startSimulator } from '../../src/simulator/index.js';
import { matchFieldCase } from '../../src/sync/index.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';

/**
 * Autotask field names are case-insensitive and older schemas spell some differently (PascalCase in the
 * 2020 swagger, `problemTicketId`). A tenant answering in another case must end in the same store.
 */
const NOW = Date.parse('2026-11-26T12:00:00Z');
let home: SimHome;
beforeAll(async () => { home = simHome(await startSimulator({ port: 0, seed: 5, scale: 'tiny', now: NOW }), 'psa-fieldcase-'); });
afterAll(() => home.cleanup());

const PASCAL = ['ticketNumber', 'status', 'queueID', 'lastActivityDate', 'completedDate', 'createDate', 'estimatedHours', 'hoursWorked', 'dateWorked', 'startDateTime'];

/** fetch that plays a tenant answering Tickets and TimeEntries with some field names in PascalCase. */
const pascalFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const res = await fetch(input, init);
  if (!/\/(Tickets|TimeEntries)\/query/i.test(url) || /count/i.test(url)) return res;
  let text = await res.text();
  for (const f of PASCAL) text = text.replaceAll(`"${f}":`, `"${f[0]!.toUpperCase()}${f.slice(1)}":`);
  return new Response(text, { status: res.status, headers: res.headers });
};

describe('field names in another case', () => {
  it('matchFieldCase renames to our spelling and leaves a page spelled as expected untouched', () => {
    const def = ENTITY_BY_NAME.get('Tickets')!;
    const ok = [{ id: 1, ticketNumber: 'T1', status: 5 }];
    expect(matchFieldCase(def, ok)).toBe(ok);
    const other = [{ id: 1, TicketNumber: 'T1', STATUS: 5, problemTicketId: 7 }, { id: 2, TicketNumber: 'T2', STATUS: 1 }];
    const got = matchFieldCase(def, other);
    expect(got[0]).toMatchObject({ id: 1, ticketNumber: 'T1', status: 5 });
    expect(got[1]).toMatchObject({ id: 2, ticketNumber: 'T2', status: 1 });
    expect(got[0]).not.toHaveProperty('TicketNumber');
  });

  it('syncs of a tenant answering in PascalCase store the same tickets, time entries and ticket history, deletions included', async () => {
    const { sim, env, clock } = home;
    const io = captureIO(env, home.dir);
    const a = home.config('a.db');
    const b = home.config('b.db');
    const only = { entities: ['Tickets', 'TimeEntries', 'DeletedTicketActivityLogs'] };
    expect((await runSync(a, io, { clock, progress: 'none', fetch: pascalFetch, ...only })).ok).toBe(true);
    expect((await runSync(b, io, { clock, progress: 'none', ...only })).ok).toBe(true);
    // A day of changes, deleted time entries among them: their tickets' entries are read again from the logs.
    sim.advance(86_400_000);
    expect((await runSync(a, io, { clock, progress: 'none', fetch: pascalFetch, ...only })).ok).toBe(true);
    expect((await runSync(b, io, { clock, progress: 'none', ...only })).ok).toBe(true);
    const read = (file: string) => {
      const db = openDb(file);
      try {
        return {
          tickets: db.prepare('SELECT id, ticketNumber, status, queueID, lastActivityDate, completedDate, createDate, estimatedHours FROM tickets ORDER BY id').all(),
          time: db.prepare('SELECT id, hoursWorked, dateWorked, startDateTime FROM time_entries ORDER BY id').all(),
          states: db.prepare('SELECT ticket_id, changed_at, status FROM ticket_states ORDER BY ticket_id, changed_at').all(),
        };
      } finally { db.close(); }
    };
    const got = read(a.db);
    expect(got.tickets.length).toBeGreaterThan(50);
    expect((got.tickets as { ticketNumber: string | null }[]).every((t) => t.ticketNumber !== null)).toBe(true);
    expect(got).toEqual(read(b.db));
  }, 60_000);
});
