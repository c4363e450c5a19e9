import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { ENTITIES } from '../../src/autotask/entities.js';
import { syncAll, type SyncEvent, type SyncSummary } from '../../src/sync/index.js';
import type { Db } from '../../src/store/db.js';
import type { Clock } from '../../src/types.js';
import { clientOf, dump, freshDb, sim, storeCounts, tempDir, tenantCounts } from './_helpers.js';

let s: Simulator | undefined;
let tmp: ReturnType<typeof tempDir>;
const dbs: Db[] = [];
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const d of dbs.splice(0)) d.close();
  await s?.close();
  s = undefined;
  tmp.cleanup();
});

function db(name = 'store.db'): Db {
  const d = freshDb(tmp.dir, name);
  dbs.push(d);
  return d;
}

const simClock = (sm: Simulator): Clock => ({ now: () => sm.now() });

async function sync(d: Db, sm: Simulator, opts: { full?: boolean; entities?: string[]; concurrency?: number; events?: SyncEvent[]; client?: ReturnType<typeof clientOf> } = {}): Promise<SyncSummary> {
  const client = opts.client ?? clientOf(sm);
  return syncAll(d, client, {
    overlapMs: 10 * 60_000,
    clock: simClock(sm),
    ...(opts.full ? { full: true } : {}),
    ...(opts.entities ? { entities: opts.entities } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    onEvent: (e) => opts.events?.push(e),
  });
}

function expectOk(sum: SyncSummary): void {
  expect(sum.entities.filter((r) => !r.ok).map((r) => `${r.entity}: ${r.error}`)).toEqual([]);
  expect(sum.ok).toBe(true);
}

describe('sync into SQLite against the simulator', () => {
  it('an initial sync loads every entity with the source row counts, picklists and first state records', async () => {
    s = await sim();
    const d = db();
    const events: SyncEvent[] = [];
    const sum = await sync(d, s, { events });
    expectOk(sum);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
    expect(d.prepare("SELECT count(*) FROM picklists WHERE entity = 'Tickets' AND field = 'status'").pluck().get()).toBeGreaterThan(3);
    expect(d.prepare('SELECT count(DISTINCT ticket_id) FROM ticket_states').pluck().get()).toBe(s.tenant.table('Tickets').size);
    expect(d.prepare('SELECT count(DISTINCT opportunity_id) FROM opportunity_states').pluck().get()).toBe(s.tenant.table('Opportunities').size);
    expect(d.prepare("SELECT status FROM sync_runs").pluck().all()).toEqual(['ok']);
    expect(events.filter((e) => e.type === 'sync:entity').length).toBe(ENTITIES.length);
    expect(events.at(-1)?.type).toBe('sync:done');
    // every cursor finished its pass
    expect(d.prepare('SELECT count(*) FROM sync_cursors WHERE pass_kind IS NULL AND phase = ?').pluck().get('incremental')).toBe(ENTITIES.length);

    // A second sync with nothing changed reads little: the overlap window only.
    const again = await sync(d, s);
    expectOk(again);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
    const total = Object.values(tenantCounts(s)).reduce((a, b) => a + b, 0);
    expect(again.entities.reduce((a, r) => a + r.rows, 0)).toBeLessThan(total / 2);
  });

  it('concurrent entity syncs never exceed 3 requests in flight per endpoint', async () => {
    s = await sim({ latency: { baseMs: 10 }, pageSize: 40 });
    const d = db();
    const client = clientOf(s);
    const sum = await sync(d, s, { concurrency: 6, client });
    expectOk(sum);
    const st = s.stats();
    for (const [endpoint, n] of Object.entries(st.maxInFlight)) expect(n, endpoint).toBeLessThanOrEqual(3);
    expect(st.rejected429).toBe(0);
    // Several entities really ran at once.
    expect(Object.values(client.stats().maxInFlight).some((n) => n >= 1)).toBe(true);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
  });

  it('429, 500, connection resets and malformed pages end in the same tables as a fault-free sync', async () => {
    s = await sim({ pageSize: 30 });
    const clean = db('clean.db');
    expectOk(await sync(clean, s));
    s.setFaults({ rate429: 0.08, rate500: 0.08, rateReset: 0.05, rateMalformed: 0.08 });
    const faulty = db('faulty.db');
    // 29 % of requests fail here: with the default 8 attempts, one of a few hundred requests failing 8 times
    // in a row is a ~1 % event. 12 attempts keep the test about faults being survived, not about luck.
    const client = clientOf(s, { maxAttempts: 12 });
    const sum = await sync(faulty, s, { client });
    expectOk(sum);
    expect(client.stats().retries).toBeGreaterThan(5);
    expect(dump(faulty)).toEqual(dump(clean));
  });

  it('an entity failing mid-pass does not stop the others; its cursor stays at the last committed page and the next sync resumes', async () => {
    s = await sim({ pageSize: 30 });
    const d = db();
    let pages = 0;
    const sum = await syncAll(d, clientOf(s, { maxAttempts: 2 }), {
      overlapMs: 0,
      clock: simClock(s),
      onEvent: (e) => {
        // after 3 committed pages, TimeEntries starts failing for good
        if (e.type === 'sync:page' && e.entity === 'TimeEntries' && ++pages === 3) s!.setFaults({ rate500: 1, only: ['TimeEntries'] });
      },
    });
    expect(sum.failed).toEqual(['TimeEntries']);
    expect(sum.entities.find((r) => r.entity === 'TimeEntries')!.error).toMatch(/HTTP 500/);
    expect(storeCounts(d).Tickets).toBe(s.tenant.table('Tickets').size);
    const cur = d.prepare("SELECT cursor_id, pass_kind, last_error FROM sync_cursors WHERE entity = 'TimeEntries'").get() as { cursor_id: number; pass_kind: string; last_error: string };
    const stored = d.prepare('SELECT count(*) AS n, max(id) AS maxId FROM time_entries').get() as { n: number; maxId: number };
    expect(stored.n).toBeGreaterThanOrEqual(90);
    expect(cur).toMatchObject({ cursor_id: stored.maxId, pass_kind: 'initial' });
    expect(cur.last_error).toMatch(/HTTP 500/);
    expect(d.prepare("SELECT status FROM sync_runs").pluck().get()).toBe('partial');

    s.setFaults({});
    const again = await sync(d, s, { entities: ['TimeEntries'] });
    expectOk(again);
    expect(storeCounts(d).TimeEntries).toBe(s.tenant.table('TimeEntries').size);
    // it resumed after the committed id instead of starting over
    expect(again.entities[0]!.rows).toBe(s.tenant.table('TimeEntries').size - stored.n);
    expect(d.prepare("SELECT pass_kind, last_error FROM sync_cursors WHERE entity = 'TimeEntries'").get()).toEqual({ pass_kind: null, last_error: null });
  });

  it('stops at once when Autotask cannot be reached, every entity failing with the reason', async () => {
    s = await sim();
    const d = db();
    const port = Number(new URL(s.baseUrl).port);
    await s.close();
    s = undefined;
    const { createAutotaskClient } = await import('../../src/autotask/client.js');
    const client = createAutotaskClient(
      { username: 'u', secret: 'x-secret', integrationCode: 'c', baseUrl: `http://127.0.0.1:${port}/ATServicesRest/`, zoneUrl: 'http://127.0.0.1:1/' },
      { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 },
    );
    const sum = await syncAll(d, client, { overlapMs: 0, clock: { now: () => Date.now() } });
    expect(sum.ok).toBe(false);
    expect(sum.failed.length).toBe(ENTITIES.length);
    expect(new Set(sum.entities.map((r) => r.code))).toEqual(new Set(['NETWORK']));
    expect(sum.entities[0]!.error).toMatch(/ECONNREFUSED|connection/);
    expect(client.stats().requests).toBe(3); // the preflight's attempts only
  });

  it('removes deleted tickets (with their time entries, states and service-call links) and deleted time entries', async () => {
    s = await sim();
    const d = db();
    expectOk(await sync(d, s));
    const t = s.tenant;
    const live = (name: string) => {
      const tb = t.table(name);
      const out: Record<string, unknown>[] = [];
      for (let p = 0; p < tb.length; p++) if (tb.isAlive(p)) out.push(tb.stored(p));
      return out;
    };
    const entries = live('TimeEntries');
    const links = live('ServiceCallTickets');
    const onTicket = entries.filter((e) => e.ticketID !== null);
    // a ticket with time entries and, if any, a service-call link
    const victimTicket = (onTicket.find((e) => links.some((l) => l.ticketID === e.ticketID)) ?? onTicket[0]!).ticketID as number;
    expect(d.prepare('SELECT count(*) FROM time_entries WHERE ticketID = ?').pluck().get(victimTicket)).toBeGreaterThan(0);
    const otherEntry = onTicket.find((e) => e.ticketID !== victimTicket)!;
    const taskEntry = entries.find((e) => e.taskID !== null && e.ticketID === null);
    t.now += 60_000;
    // Autotask deletes a ticket together with its time entries and service-call links.
    for (const e of onTicket.filter((x) => x.ticketID === victimTicket)) t.table('TimeEntries').remove(t.table('TimeEntries').find(e.id as number));
    for (const l of links.filter((x) => x.ticketID === victimTicket)) t.table('ServiceCallTickets').remove(t.table('ServiceCallTickets').find(l.id as number));
    t.remove('Tickets', victimTicket);
    t.remove('TimeEntries', otherEntry.id as number);
    if (taskEntry) t.remove('TimeEntries', taskEntry.id as number);

    const sum = await sync(d, s);
    expectOk(sum);
    expect(d.prepare('SELECT count(*) FROM tickets WHERE id = ?').pluck().get(victimTicket)).toBe(0);
    expect(d.prepare('SELECT count(*) FROM time_entries WHERE ticketID = ?').pluck().get(victimTicket)).toBe(0);
    expect(d.prepare('SELECT count(*) FROM ticket_states WHERE ticket_id = ?').pluck().get(victimTicket)).toBe(0);
    expect(d.prepare('SELECT count(*) FROM service_call_tickets WHERE ticketID = ?').pluck().get(victimTicket)).toBe(0);
    expect(d.prepare('SELECT count(*) FROM time_entries WHERE id = ?').pluck().get(otherEntry.id)).toBe(0);
    if (taskEntry) expect(d.prepare('SELECT count(*) FROM time_entries WHERE id = ?').pluck().get(taskEntry.id)).toBe(0);
    expect(storeCounts(d)).toEqual(tenantCounts(s));
  });

  it('full-read entities lose local rows Autotask no longer has, only after the read succeeded', async () => {
    s = await sim();
    const d = db();
    expectOk(await sync(d, s));
    const roles = s.tenant.table('Roles');
    const gone = roles.idAt([...Array(roles.length).keys()].find((p) => roles.isAlive(p))!);
    s.tenant.table('Roles').remove(roles.find(gone));
    s.setFaults({ rate500: 1, only: ['Roles'], everyNth: 1 });
    const failed = await syncAll(d, clientOf(s, { maxAttempts: 1 }), { overlapMs: 0, clock: simClock(s), entities: ['Roles'] });
    expect(failed.ok).toBe(false);
    expect(d.prepare('SELECT count(*) FROM roles WHERE id = ?').pluck().get(gone)).toBe(1);
    s.setFaults({});
    expectOk(await sync(d, s, { entities: ['Roles'] }));
    expect(d.prepare('SELECT count(*) FROM roles WHERE id = ?').pluck().get(gone)).toBe(0);
    expect(storeCounts(d).Roles).toBe(s.tenant.table('Roles').size);
  });

  it('a company edit that moves only lastTrackedModifiedDateTime, not its activity date, is read by the next incremental sync', async () => {
    s = await sim();
    const d = db();
    expectOk(await sync(d, s, { entities: ['Companies'] }));
    s.advance(3_600_000);
    const t = s.tenant.table('Companies');
    let pos = -1;
    for (let p = 0; p < t.length && pos < 0; p++) if (t.isAlive(p) && t.get(p, 'isActive') === true && t.idAt(p) !== 0) pos = p;
    const id = t.idAt(pos);
    const activity = t.get(pos, 'lastActivityDate');
    s.tenant.update('Companies', id, { isActive: false, companyType: 3, lastActivityDate: activity });
    expect(t.get(pos, 'lastActivityDate')).toBe(activity);
    const events: SyncEvent[] = [];
    expectOk(await sync(d, s, { entities: ['Companies'], events }));
    const done = events.find((e) => e.type === 'sync:entity' && e.result.entity === 'Companies');
    expect(done && done.type === 'sync:entity' ? done.result.pass : null).toBe('incremental');
    expect(d.prepare('SELECT isActive, companyType FROM companies WHERE id = ?').get(id)).toEqual({ isActive: 0, companyType: 3 });
  });

  it('records a reopen and an escalation in the state history after the simulator advances its clock', async () => {
    s = await sim();
    const d = db();
    expectOk(await sync(d, s));
    const t = s.tenant;
    const complete = t.completeTicketStatus();
    s.advance(2 * 86_400_000);
    const tickets = t.table('Tickets');
    const rows: Record<string, unknown>[] = [];
    for (let p = 0; p < tickets.length; p++) if (tickets.isAlive(p)) rows.push(tickets.stored(p));
    const lastLocal = (id: unknown) => d.prepare('SELECT status, queue_id FROM ticket_states WHERE ticket_id = ? ORDER BY id DESC LIMIT 1').get(id) as { status: number; queue_id: number } | undefined;
    // tickets the service desk did not touch while the clock advanced
    const done = rows.find((r) => r.status === complete && lastLocal(r.id)?.status === complete)!;
    const tier2 = t.value('Tickets', 'queueID', 'Tier 2');
    const open = rows.find((r) => r.status !== complete && r.queueID !== tier2 && lastLocal(r.id)?.queue_id === r.queueID && lastLocal(r.id)?.status === r.status && r.id !== done.id)!;
    expect(done).toBeDefined();
    expect(open).toBeDefined();
    const reopenStatus = t.picklists.Tickets!.status!.find((v) => v.isActive && v.value !== complete)!.value;

    t.now += 60_000;
    t.update('Tickets', done.id as number, { status: reopenStatus });
    t.update('Tickets', open.id as number, { queueID: tier2 });
    const at = t.get('Tickets', done.id as number)!.lastActivityDate as number;

    expectOk(await sync(d, s, { entities: ['Tickets'] }));
    const states = (id: unknown) => d.prepare('SELECT changed_at, status, queue_id, completed_date FROM ticket_states WHERE ticket_id = ? ORDER BY id').all(id) as { changed_at: number; status: number; queue_id: number; completed_date: number | null }[];
    const reopened = states(done.id);
    expect(reopened.at(-2)!.status).toBe(complete);
    expect(reopened.at(-2)!.completed_date).not.toBeNull();
    expect(reopened.at(-1)).toMatchObject({ status: reopenStatus, completed_date: null, changed_at: at });
    const escalated = states(open.id);
    expect(escalated.at(-1)).toMatchObject({ queue_id: tier2, changed_at: t.get('Tickets', open.id as number)!.lastActivityDate as number });
    expect(escalated.at(-2)!.queue_id).toBe(open.queueID);

    // unchanged tickets got no new record
    const n = d.prepare('SELECT count(*) FROM ticket_states').pluck().get();
    expectOk(await sync(d, s, { entities: ['Tickets'] }));
    expect(d.prepare('SELECT count(*) FROM ticket_states').pluck().get()).toBe(n);
  });
});
