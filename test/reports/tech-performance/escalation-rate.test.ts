import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/tech-performance/escalation-rate.js';
import { insert, insertTicketStates, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

const ID = 'tech-performance/escalation-rate';
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); seedPicklists(store.db); });
afterEach(() => store.cleanup());

const T = '2026-12-02T12:00:00Z'; // window November 2026
const S = (l: string) => pv('Tickets', 'status', l);
const Q = (l: string) => pv('Tickets', 'queueID', l);
const ticket = (id: number, type: string) => ({
  id, ticketNumber: `T${id}`, title: 't', companyID: 1, ticketType: pv('Tickets', 'ticketType', type), priority: pv('Tickets', 'priority', 'Medium'), createDate: '2026-10-01T00:00:00Z',
});

function seed(): void {
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Alice', lastName: 'A', isActive: true }, { id: 2, firstName: 'Bob', lastName: 'B', isActive: true }]);
  insert(store.db, 'Tickets', [ticket(1, 'Incident'), ticket(2, 'Incident'), ticket(3, 'Service Request'), ticket(4, 'Problem'), ticket(5, 'Incident'), ticket(6, 'Alert')]);
  insertTicketStates(store.db, [
    // 1: unassigned in Triage, then Alice in Tier 1, completed: not escalated; first assignee Alice.
    { ticket: 1, at: '2026-11-02T09:00:00Z', status: S('New'), queue: Q('Triage'), assigned: null },
    { ticket: 1, at: '2026-11-02T10:00:00Z', status: S('In Progress'), queue: Q('Tier 1'), assigned: 1 },
    { ticket: 1, at: '2026-11-03T10:00:00Z', status: S('Complete'), queue: Q('Tier 1'), assigned: 1, completedDate: '2026-11-03T10:00:00Z', completedBy: 1 },
    // 2: Bob first, then the Escalate status, then Alice completes: escalated, credited to Bob.
    { ticket: 2, at: '2026-11-02T09:00:00Z', status: S('New'), queue: Q('Tier 1'), assigned: 2 },
    { ticket: 2, at: '2026-11-02T11:00:00Z', status: S('Escalate'), queue: Q('Tier 1'), assigned: 2 },
    { ticket: 2, at: '2026-11-03T11:00:00Z', status: S('In Progress'), queue: Q('Tier 1'), assigned: 1 },
    { ticket: 2, at: '2026-11-04T11:00:00Z', status: S('Complete'), queue: Q('Tier 1'), assigned: 1, completedDate: '2026-11-04T11:00:00Z', completedBy: 1 },
    // 3: in the Tier 2 queue at some point: escalated; Alice.
    { ticket: 3, at: '2026-11-02T09:00:00Z', status: S('New'), queue: Q('Tier 1'), assigned: 1 },
    { ticket: 3, at: '2026-11-05T09:00:00Z', status: S('In Progress'), queue: Q('Tier 2'), assigned: 1 },
    { ticket: 3, at: '2026-11-06T09:00:00Z', status: S('Complete'), queue: Q('Tier 1'), assigned: 1, completedDate: '2026-11-06T09:00:00Z' },
    // 4: never assigned: Unassigned, in Tier 3 once.
    { ticket: 4, at: '2026-11-07T09:00:00Z', status: S('New'), queue: Q('Tier 3') },
    { ticket: 4, at: '2026-11-08T09:00:00Z', status: S('Complete'), queue: Q('Tier 1'), completedDate: '2026-11-08T09:00:00Z' },
    // 5: escalated but completed in October; 6: an Alert (not a backlog workflow).
    { ticket: 5, at: '2026-10-02T09:00:00Z', status: S('Escalate'), assigned: 2 },
    { ticket: 5, at: '2026-10-03T09:00:00Z', status: S('Complete'), assigned: 2, completedDate: '2026-10-03T09:00:00Z' },
    { ticket: 6, at: '2026-11-02T09:00:00Z', status: S('Escalate'), assigned: 2 },
    { ticket: 6, at: '2026-11-03T09:00:00Z', status: S('Complete'), assigned: 2, completedDate: '2026-11-03T09:00:00Z' },
  ]);
}

describe('tech-performance/escalation-rate', () => {
  it('escalated by status or queue at any time, credited to the first assignee', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T });
    // Completed 1, 2, 3, 4; escalated 2 (status), 3 (Tier 2), 4 (Tier 3) = 3 of 4.
    expect(r.metrics).toEqual({ completed: 4, escalated: 3, escalation_rate_pct: 75 });
    expect(r.rows).toEqual([
      { resource_id: 1, resource: 'Alice A', completed: 2, escalated: 1, escalation_rate_pct: 50 },  // 1, 3
      { resource_id: 2, resource: 'Bob B', completed: 1, escalated: 1, escalation_rate_pct: 100 },   // 2
      { resource_id: null, resource: 'Unassigned', completed: 1, escalated: 1, escalation_rate_pct: 100 }, // 4
    ]);
  });

  it('escalation labels from settings, trimmed and case-insensitive', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, settings: { escalationStatuses: [' escalate'], escalationQueues: ['TIER 3 '] } });
    // Tier 2 no longer escalates: 2 and 4 of 4.
    expect(r.metrics).toEqual({ completed: 4, escalated: 2, escalation_rate_pct: 50 });
  });

  it('nothing completed gives null', () => {
    seed();
    const r = runReport(store.db, ID, def, { asOf: T, from: '2026-11-09T00:00:00Z', to: '2026-11-30T00:00:00Z' });
    expect(r.metrics).toEqual({ completed: 0, escalated: 0, escalation_rate_pct: null });
  });

  it('an inactive queue value still matches by label', () => {
    seed();
    store.db.prepare('INSERT INTO picklists (entity, field, value, label, is_active, is_system) VALUES (?, ?, ?, ?, 0, 0)').run('Tickets', 'queueID', 777, 'Level 3 (retired)');
    insertTicketStates(store.db, [{ ticket: 1, at: '2026-11-02T09:30:00Z', status: S('New'), queue: 777, assigned: null }]);
    const r = runReport(store.db, ID, def, { asOf: T, settings: { escalationQueues: ['Tier 2', 'Tier 3', 'level 3 (RETIRED)'] } });
    // Ticket 1 passed through the retired queue: 4 of 4.
    expect(r.metrics).toEqual({ completed: 4, escalated: 4, escalation_rate_pct: 100 });
  });
});
