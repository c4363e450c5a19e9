import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/intake/workflow-distribution.js';
import { DEFAULT_WORKFLOWS } from '../../../src/config.js';
import { insert, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  // An inactive, oddly written ticket type label: still matches the rule "Incident" (trimmed, case-insensitive).
  store.db.prepare("INSERT INTO picklists (entity, field, value, label, is_active, is_system) VALUES ('Tickets', 'ticketType', 7, ' incident ', 0, 0)").run();
});
afterEach(() => store.cleanup());

const ID = 'intake/workflow-distribution';
const T = '2026-11-26T12:00:00Z'; // previous-month in UTC = [2026-10-01, 2026-11-01)
let seq = 0;
const ticket = (id: number, createDate: string, labels: { type?: string | number; priority?: string; issue?: string; projectID?: number }) => ({
  id, ticketNumber: `T${id}`, title: `ticket ${id}`, companyID: 1, status: pv('Tickets', 'status', 'New'), createDate,
  ticketType: typeof labels.type === 'number' ? labels.type : labels.type ? pv('Tickets', 'ticketType', labels.type) : null,
  priority: labels.priority ? pv('Tickets', 'priority', labels.priority) : null,
  issueType: labels.issue ? pv('Tickets', 'issueType', labels.issue) : null,
  projectID: labels.projectID ?? null,
});
const entry = (ticketID: number | null, hours: number, start: string | null, dateWorked: string) => ({
  id: ++seq, resourceID: 1, ticketID, taskID: ticketID === null ? 5 : null, hoursWorked: hours, startDateTime: start, dateWorked,
});

describe('intake/workflow-distribution', () => {
  it('counts tickets created in [from, to) by workflow, lists every workflow, sums hours by work instant', () => {
    insert(store.db, 'Tickets', [
      ticket(1, '2026-10-01T00:00:00Z', { type: 'Incident', priority: 'High' }),      // exactly at from: in
      ticket(2, '2026-10-31T23:59:59Z', { type: 'Incident', priority: 'Critical' }),  // in
      ticket(3, '2026-11-01T00:00:00Z', { type: 'Incident', priority: 'High' }),      // exactly at to: out
      ticket(4, '2026-10-15T09:00:00Z', { type: 'Service Request', issue: 'Quick Hit' }),
      ticket(5, '2026-10-10T09:00:00Z', {}),                                          // no labels: Unclassified
      ticket(6, '2026-10-05T09:00:00Z', { type: 'Alert' }),
      ticket(7, '2026-10-20T09:00:00Z', { type: 'Incident', priority: 'High', projectID: 40 }), // Project wins (rule 1)
      ticket(8, '2026-10-21T09:00:00Z', { type: 7, priority: 'Medium' }),            // inactive ' incident ' label
      ticket(99, '2026-09-01T09:00:00Z', { type: 'Problem' }),                       // created before the window
    ]);
    insert(store.db, 'TimeEntries', [
      entry(3, 2, '2026-10-31T10:00:00Z', '2026-10-31'),   // in window, ticket created after it: High Incident
      entry(1, 5, '2026-11-01T00:00:00Z', '2026-11-01'),   // at to: out
      entry(1, 1.5, '2026-10-01T00:00:00Z', '2026-10-01'), // at from: in
      entry(99, 3, null, '2026-10-31'),                    // date-only, in: Problem
      entry(99, 4, null, '2026-11-01'),                    // date-only, out
      entry(99, 6, null, '2026-09-30'),                    // date-only, out
      entry(null, 9, '2026-10-10T10:00:00Z', '2026-10-10'), // task entry: no ticket, no workflow
    ]);
    const r = runReport(store.db, ID, def, { asOf: T });
    // In the window: tickets 1, 2, 4, 5, 6, 7, 8 = 7; one Unclassified (5) → 100/7 %.
    // Used (Unclassified excluded): High, Critical, Medium Incident, Quick Hit, Alert, Project = 6.
    expect(r.metrics).toEqual({ tickets_total: 7, workflows_used: 6, unclassified_pct: 100 / 7 });
    expect(r.window).toEqual({ from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' });
    // Every workflow of the settings, in order, then Unclassified.
    expect(r.rows.map((x) => x.workflow)).toEqual([...DEFAULT_WORKFLOWS.map((w) => w.name), 'Unclassified']);
    const by = Object.fromEntries(r.rows.map((x) => [x.workflow, x]));
    // High Incident: ticket 1 only (ticket 3 is out); hours 2 (ticket 3's entry) + 1.5 = 3.5.
    expect(by['High Incident']).toEqual({ workflow: 'High Incident', tickets: 1, share_pct: 100 / 7, hours: 3.5 });
    expect(by['Medium Incident']).toMatchObject({ tickets: 1 });
    expect(by['Project']).toMatchObject({ tickets: 1, hours: 0 });
    // Problem: no ticket created in the window, yet 3 h worked on the old ticket.
    expect(by['Problem']).toEqual({ workflow: 'Problem', tickets: 0, share_pct: 0, hours: 3 });
    expect(by['Install']).toEqual({ workflow: 'Install', tickets: 0, share_pct: 0, hours: 0 });
    expect(r.warnings.some((w) => w.includes('1 of 7') && w.includes('Unclassified'))).toBe(true);
    expect(r.charts.map((c) => c.id)).toContain('tickets-by-workflow');
  });

  it('gives null shares and no warning for an empty window', () => {
    const r = runReport(store.db, ID, def, { asOf: T });
    expect(r.metrics).toEqual({ tickets_total: 0, workflows_used: 0, unclassified_pct: null });
    expect(r.rows).toHaveLength(DEFAULT_WORKFLOWS.length + 1);
    expect(r.rows.every((x) => x.tickets === 0 && x.share_pct === null && x.hours === 0)).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('uses the months and days of settings.timezone (America/New_York)', () => {
    insert(store.db, 'Tickets', [
      ticket(1, '2026-10-01T03:59:59Z', { type: 'Problem' }), // 23:59:59 on Sep 30 in New York: out
      ticket(2, '2026-10-01T04:00:00Z', { type: 'Problem' }), // 00:00 EDT on Oct 1: in
      ticket(3, '2026-11-01T02:00:00Z', { type: 'Problem' }), // 22:00 on Oct 31 in New York: in
      ticket(4, '2026-11-01T04:00:00Z', { type: 'Problem' }), // 00:00 EDT on Nov 1: out
    ]);
    insert(store.db, 'TimeEntries', [
      entry(1, 1, null, '2026-10-01'),                     // 00:00 on Oct 1 in New York: in
      entry(1, 2, '2026-11-01T03:30:00Z', '2026-10-31'),   // 23:30 on Oct 31 in New York: in
      entry(1, 4, '2026-10-01T03:00:00Z', '2026-09-30'),   // 23:00 on Sep 30: out
    ]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { timezone: 'America/New_York' } });
    expect(r.window).toEqual({ from: '2026-10-01T04:00:00.000Z', to: '2026-11-01T04:00:00.000Z' });
    expect(r.metrics).toEqual({ tickets_total: 2, workflows_used: 1, unclassified_pct: 0 });
    expect(r.rows.find((x) => x.workflow === 'Problem')).toEqual({ workflow: 'Problem', tickets: 2, share_pct: 100, hours: 3 });
  });
});
