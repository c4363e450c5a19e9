import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/sla-performance.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const ID = 'intake/sla-performance';
const T = '2026-11-26T12:00:00Z'; // Thursday; previous-week (UTC) = [Mon 2026-11-16, Mon 2026-11-23)
type Ev = { fr?: string | null; frDue?: string | null; rp?: string | null; rpDue?: string | null; rs?: string | null; rsDue?: string | null };
const ticket = (id: number, o: Ev & { sla?: boolean; status?: string; type?: string; priority?: string | null; created?: string }) => ({
  id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 1,
  status: pv('Tickets', 'status', o.status ?? 'Complete'),
  ticketType: pv('Tickets', 'ticketType', o.type ?? 'Incident'),
  priority: o.priority === null ? null : pv('Tickets', 'priority', o.priority ?? 'High'),
  serviceLevelAgreementID: o.sla === false ? null : 1,
  createDate: o.created ?? '2026-11-01T00:00:00Z',
  firstResponseDateTime: o.fr ?? null, firstResponseDueDateTime: o.frDue ?? null,
  resolutionPlanDateTime: o.rp ?? null, resolutionPlanDueDateTime: o.rpDue ?? null,
  resolvedDateTime: o.rs ?? null, resolvedDueDateTime: o.rsDue ?? null,
});

describe('intake/sla-performance', () => {
  it('measures the three SLA events in [from, to), breached-open against T, tickets without SLA', () => {
    insert(store.db, 'Tickets', [
      // High Incident. FR at from (in), met. RP exactly on its due time: met. RS at to: out.
      ticket(1, { fr: '2026-11-16T00:00:00Z', frDue: '2026-11-16T01:00:00Z', rp: '2026-11-17T10:00:00Z', rpDue: '2026-11-17T10:00:00Z', rs: '2026-11-23T00:00:00Z', rsDue: '2026-11-24T00:00:00Z' }),
      // High Incident. FR late: missed. RP without due: not measured. RS met.
      ticket(2, { fr: '2026-11-18T10:00:00Z', frDue: '2026-11-18T09:00:00Z', rp: '2026-11-18T11:00:00Z', rs: '2026-11-20T00:00:00Z', rsDue: '2026-11-21T00:00:00Z' }),
      // Problem. FR just before to: met. RS late: missed.
      ticket(3, { type: 'Problem', fr: '2026-11-22T23:59:59Z', frDue: '2026-11-23T00:00:00Z', rs: '2026-11-19T00:00:00Z', rsDue: '2026-11-18T00:00:00Z' }),
      // Open: FR due before T, never responded → breached; RP due exactly at T → not yet; RS due after T.
      ticket(4, { status: 'New', frDue: '2026-11-20T00:00:00Z', rpDue: T, rsDue: '2026-11-27T00:00:00Z' }),
      // Complete with nothing recorded: never "breached open".
      ticket(5, { frDue: '2026-11-10T00:00:00Z', rsDue: '2026-11-10T00:00:00Z' }),
      // No SLA: out of the population even with events; counted as without SLA when created in the window.
      ticket(6, { sla: false, created: '2026-11-17T00:00:00Z', fr: '2026-11-17T01:00:00Z', frDue: '2026-11-17T00:30:00Z' }),
      ticket(7, { sla: false, created: '2026-11-23T00:00:00Z' }),  // created at to: out
      ticket(9, { sla: false, created: '2026-11-16T00:00:00Z' }),  // created at from: in
      // Unclassified, open, old: FR and RS breached.
      ticket(8, { status: 'In Progress', priority: null, type: 'Incident', frDue: '2026-11-01T00:00:00Z', rsDue: '2026-11-25T00:00:00Z' }),
    ]);
    const r = runReport(store.db, ID, def, { asOf: T });
    // FR measured: 1 (met), 2 (missed), 3 (met) = 3, met 2. Breached open: 4, 8.
    // RP measured: 1 (met) = 1. Breached: none (4's due is at T, not before).
    // RS measured: 2 (met), 3 (missed) = 2, met 1. Breached: 8.
    expect(r.metrics).toEqual({
      first_response_met_pct: 200 / 3, first_response_measured: 3, first_response_breached_open: 2,
      resolution_plan_met_pct: 100, resolution_plan_measured: 1, resolution_plan_breached_open: 0,
      resolved_met_pct: 50, resolved_measured: 2, resolved_breached_open: 1,
      tickets_without_sla: 2,
    });
    const by = Object.fromEntries(r.rows.map((x) => [x.workflow, x]));
    expect(by['High Incident']).toEqual({
      workflow: 'High Incident', first_response_met_pct: 50, first_response_measured: 2,
      resolution_plan_met_pct: 100, resolution_plan_measured: 1, resolved_met_pct: 100, resolved_measured: 1,
    });
    expect(by['Problem']).toEqual({
      workflow: 'Problem', first_response_met_pct: 100, first_response_measured: 1,
      resolution_plan_met_pct: null, resolution_plan_measured: 0, resolved_met_pct: 0, resolved_measured: 1,
    });
    expect(by['Install']).toMatchObject({ first_response_met_pct: null, first_response_measured: 0 });
    const def0 = r.headlines.find((h) => h.metric === 'first_response_met_pct')!;
    // 3 and 1 tickets are below the default minimum sample (5): no status.
    expect(def0).toMatchObject({ target: 97, light: 'none', sample: { n: 3, noun: 'tickets', tooFew: true } });
    // With the minimum lowered to 1, the same values are judged against their targets.
    const judged = runReport(store.db, ID, def, { asOf: T, settings: { minSample: 1 } });
    expect(judged.headlines.find((h) => h.metric === 'first_response_met_pct')).toMatchObject({ target: 97, light: 'red' });
    expect(judged.headlines.find((h) => h.metric === 'resolved_met_pct')!.target).toBe(90);
    expect(judged.headlines.find((h) => h.metric === 'resolution_plan_met_pct')).toMatchObject({ target: 95, light: 'green' });
  });

  it('has null percentages when nothing is measured', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toMatchObject({ first_response_met_pct: null, resolution_plan_met_pct: null, resolved_met_pct: null, first_response_measured: 0, tickets_without_sla: 0 });
  });

  it('matches complete statuses by label, trimmed and case-insensitive', () => {
    insert(store.db, 'Tickets', [ticket(5, { frDue: '2026-11-10T00:00:00Z' })]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { completeStatuses: ['  COMPLETE '] } });
    expect(r.metrics.first_response_breached_open).toBe(0);
    const r2 = runReport(store.db, ID, def, { asOf: T, settings: { completeStatuses: ['Closed'] } });
    expect(r2.metrics.first_response_breached_open).toBe(1);
  });

  it('uses the week of settings.timezone across the DST change (a 169-hour week)', () => {
    // T = Thu 2026-11-05 in New York; previous week = Mon Oct 26 00:00 EDT (04:00Z) to Mon Nov 2 00:00 EST (05:00Z).
    insert(store.db, 'Tickets', [
      ticket(1, { fr: '2026-10-26T03:59:59Z', frDue: '2026-12-01T00:00:00Z' }), // Sun 23:59:59 EDT: out
      ticket(2, { fr: '2026-10-26T04:00:00Z', frDue: '2026-12-01T00:00:00Z' }), // Mon 00:00 EDT: in
      ticket(3, { fr: '2026-11-02T04:30:00Z', frDue: '2026-12-01T00:00:00Z' }), // Sun 23:30 EST: in
      ticket(4, { fr: '2026-11-02T05:00:00Z', frDue: '2026-12-01T00:00:00Z' }), // Mon 00:00 EST: out
    ]);
    const r = runReport(store.db, ID, def, { asOf: '2026-11-05T12:00:00Z', settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-10-26T04:00:00.000Z', to: '2026-11-02T05:00:00.000Z' });
    expect(r.metrics.first_response_measured).toBe(2);
    expect(r.metrics.first_response_met_pct).toBe(100);
  });
});
