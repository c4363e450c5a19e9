import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/profitability/mttr.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'profitability/mttr';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // previous-month = November 2026
const ticket = (id: number, type: string, priority: string, created: string, resolved: string | null, completed: string | null = null, extra: Record<string, unknown> = {}) => ({
  id, ticketNumber: `T${id}`, title: `t${id}`, companyID: 1, ticketType: pv('Tickets', 'ticketType', type), priority: pv('Tickets', 'priority', priority),
  status: pv('Tickets', 'status', 'Complete'), createDate: created, resolvedDateTime: resolved, completedDate: completed, ...extra,
});

describe('profitability/mttr', () => {
  it('means, nearest-rank percentiles and rows per reactive workflow (UTC, business hours 08–17, holiday)', () => {
    insert(store.db, 'Holidays', [{ id: 1, holidaySetID: 1, holidayName: 'h', holidayDate: '2026-11-26' }]);
    insert(store.db, 'Tickets', [
      ticket(1, 'Incident', 'High', '2026-11-02T08:00:00Z', '2026-11-02T12:00:00Z'),               // wall 4, bh 4
      ticket(2, 'Incident', 'Medium', '2026-11-06T16:00:00Z', '2026-11-09T10:00:00Z'),             // Fri 16:00 → Mon 10:00: wall 66, bh 1 + 2 = 3
      ticket(3, 'Incident', 'Low', '2026-11-10T09:00:00Z', null, '2026-11-10T09:30:00Z'),          // completedDate fallback: wall 0.5, bh 0.5
      ticket(4, 'Incident', 'High', '2026-11-20T09:00:00Z', '2026-12-01T00:00:00Z', '2026-11-30T09:00:00Z'), // R exactly at to: out (resolved wins)
      ticket(5, 'Incident', 'Critical', '2026-10-30T16:00:00Z', '2026-11-01T00:00:00Z'),           // R exactly at from: in; wall 32 (Fri 16:00 → Sun 00:00), bh 1 (Fri 16–17)
      ticket(6, 'Service Request', 'High', '2026-11-02T08:00:00Z', '2026-11-02T09:00:00Z'),        // not reactive
      ticket(7, 'Incident', 'High', '2026-11-02T08:00:00Z', '2026-11-02T09:00:00Z', null, { projectID: 9 }), // Project workflow
      ticket(8, 'Incident', 'High', '2026-10-20T08:00:00Z', '2026-10-31T23:59:59Z', '2026-11-03T00:00:00Z'), // R before from: out
      ticket(9, 'Incident', 'Medium', '2026-11-25T16:00:00Z', '2026-11-27T09:00:00Z'),             // Wed 16 → Fri 9, Thu holiday: wall 41, bh 1 + 0 + 1 = 2
      ticket(10, 'Incident', 'High', '2026-11-02T08:00:00Z', null, null),                          // unresolved
    ]);
    const r = runReport(store.db, ID, def, { asOf: T });
    // n = 5 (tickets 1, 2, 3, 5, 9). Wall: (4 + 66 + 0.5 + 32 + 41) / 5 = 28.7. Business: (4 + 3 + 0.5 + 1 + 2) / 5 = 2.1.
    // Sorted business hours 0.5, 1, 2, 3, 4: P50 = rank ceil(2.5) = 3 → 2; P90 = rank ceil(4.5) = 5 → 4.
    expect(r.metrics.resolved).toBe(5);
    expect(r.metrics.mttr_hours).toBeCloseTo(28.7, 10);
    expect(r.metrics.mttr_business_hours).toBeCloseTo(2.1, 10);
    expect(r.metrics.p50_business_hours).toBeCloseTo(2, 10);
    expect(r.metrics.p90_business_hours).toBeCloseTo(4, 10);
    expect(r.rows.map((x) => [x.workflow, x.resolved])).toEqual([['Critical Incident', 1], ['High Incident', 1], ['Medium Incident', 2], ['Normal Incident', 1]]);
    expect(r.rows[0]!.mttr_business_hours).toBeCloseTo(1, 10);
    expect(r.rows[1]!.mttr_business_hours).toBeCloseTo(4, 10);
    expect(r.rows[2]!.mttr_business_hours).toBeCloseTo(2.5, 10); // (3 + 2) / 2
    expect(r.rows[3]!.mttr_business_hours).toBeCloseTo(0.5, 10);
    expect(r.charts[0]).toMatchObject({ kind: 'bar', labels: ['Critical Incident', 'High Incident', 'Medium Incident', 'Normal Incident'] });
  });

  it('business hours and month edges in New York', () => {
    insert(store.db, 'Tickets', [
      ticket(1, 'Incident', 'High', '2026-11-02T12:00:00Z', '2026-11-02T14:00:00Z'), // 07:00 → 09:00 EST: bh 1 (2 in UTC)
      ticket(2, 'Incident', 'High', '2026-10-30T12:00:00Z', '2026-11-01T03:30:00Z'), // Oct 31 23:30 EDT: before November in NY
      ticket(3, 'Incident', 'High', '2026-11-30T12:00:00Z', '2026-12-01T04:30:00Z'), // Nov 30 23:30 EST: in; 07:00 → 17:00 EST = 9 bh
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-11-01T04:00:00.000Z', to: '2026-12-01T05:00:00.000Z' });
    expect(r.metrics.resolved).toBe(2);
    // bh: ticket 1 = 1, ticket 3 = 9 → mean 5; wall: 2 and 16.5 → mean 9.25.
    expect(r.metrics.mttr_business_hours).toBeCloseTo(5, 10);
    expect(r.metrics.mttr_hours).toBeCloseTo(9.25, 10);
    expect(r.metrics.p50_business_hours).toBeCloseTo(1, 10);
    expect(r.metrics.p90_business_hours).toBeCloseTo(9, 10);
  });

  it('no resolved tickets: nulls, and every reactive workflow listed with 0', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toEqual({ resolved: 0, mttr_hours: null, mttr_business_hours: null, p50_business_hours: null, p90_business_hours: null });
    expect(r.rows).toEqual(['Critical Incident', 'High Incident', 'Medium Incident', 'Normal Incident'].map((workflow) => ({ workflow, resolved: 0, mttr_business_hours: null })));
  });

  it('custom workflows matched by trimmed, case-insensitive labels', () => {
    insert(store.db, 'Tickets', [
      ticket(1, 'Incident', 'High', '2026-11-02T08:00:00Z', '2026-11-02T10:00:00Z'),
      ticket(2, 'Problem', 'High', '2026-11-02T08:00:00Z', '2026-11-02T11:00:00Z'),
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { workflows: [
      { name: 'Break/fix', ticketType: [' INCIDENT ', 'problem'], reactive: true },
      { name: 'Other', backlog: true },
    ] } });
    expect(r.rows).toEqual([{ workflow: 'Break/fix', resolved: 2, mttr_business_hours: 2.5 }]);
  });
});
