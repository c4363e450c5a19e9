import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entity } from '../../src/autotask/entities.js';
import { openDb, type Db } from '../../src/store/db.js';
import { createSyncStore, parseInstant, rowOf } from '../../src/store/sync-store.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-store-'));
  db = openDb(path.join(dir, 'store.db'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('store writer', () => {
  it('converts Autotask values to their stored forms', () => {
    expect(parseInstant('2026-03-01T10:00:00')).toBe(Date.UTC(2026, 2, 1, 10)); // offset-less is UTC, never local
    expect(parseInstant('2026-03-01T10:00:00.250Z')).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 250));
    expect(parseInstant('2026-03-01T12:00:00+02:00')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(parseInstant('2026-03-01T10:00:00.5Z')).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 500));
    expect(parseInstant('2026-03-01T10:00:00.1234567')).toBe(Date.UTC(2026, 2, 1, 10, 0, 0, 123));
    expect(parseInstant('2026-03-01 10:00:00')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(parseInstant('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(parseInstant('2026-13-01T10:00:00Z')).toBeNull();
    expect(parseInstant('')).toBeNull();
    expect(parseInstant('garbage')).toBeNull();
    const te = entity('TimeEntries');
    const row = rowOf(te, { id: 7, dateWorked: '2026-03-01T00:00:00', isNonBillable: true, hoursWorked: 1.5, startDateTime: '2026-03-01T08:00:00Z', resourceID: '12' }, 99);
    const col = (n: string) => row[te.fields.findIndex((f) => f.name === n)];
    expect(col('dateWorked')).toBe('2026-03-01');
    expect(col('isNonBillable')).toBe(1);
    expect(col('hoursWorked')).toBe(1.5);
    expect(col('startDateTime')).toBe(Date.UTC(2026, 2, 1, 8));
    expect(col('resourceID')).toBe(12);
    expect(col('ticketID')).toBeNull();
    expect(row[te.fields.length + 1]).toBe(99);
    expect(JSON.parse(row[te.fields.length] as string).dateWorked).toBe('2026-03-01T00:00:00');
  });

  it('upserts by id, keeps the raw record and writes picklists', () => {
    const s = createSyncStore(db);
    const t = entity('Tickets');
    s.tx(() => s.upsertRecords(t, [{ id: 1, title: 'a', status: 1 }, { id: 2, title: 'b', status: 1 }], 10));
    s.tx(() => s.upsertRecords(t, [{ id: 1, title: 'a2', status: 5 }], 20));
    const rows = db.prepare('SELECT id, title, status, synced_at, raw FROM tickets ORDER BY id').all() as { id: number; title: string; status: number; synced_at: number; raw: string }[];
    expect(rows.map((r) => [r.id, r.title, r.status, r.synced_at])).toEqual([[1, 'a2', 5, 20], [2, 'b', 1, 10]]);
    expect(JSON.parse(rows[0]!.raw)).toEqual({ id: 1, title: 'a2', status: 5 });

    const n = s.upsertPicklists('Tickets', [
      { name: 'status', dataType: 'integer', isPickList: true, picklistValues: [
        { value: '1', label: 'New', isActive: true, isSystem: true, sortOrder: 1 },
        { value: '5', label: 'Complete', isActive: true, isSystem: true, sortOrder: 2 },
      ] },
      { name: 'subIssueType', dataType: 'integer', isPickList: true, picklistParentValueField: 'issueType', picklistValues: [
        { value: '10', label: 'Printer', isActive: false, isSystem: false, parentValue: '3', sortOrder: null },
      ] },
      { name: 'title', dataType: 'string', isPickList: false },
    ]);
    expect(n).toBe(3);
    s.upsertPicklists('Tickets', [{ name: 'status', dataType: 'integer', isPickList: true, picklistValues: [{ value: '5', label: 'Done', isActive: false }] }]);
    expect(db.prepare('SELECT field, value, label, is_active, is_system, parent_value FROM picklists ORDER BY field, value').all()).toEqual([
      { field: 'status', value: 1, label: 'New', is_active: 1, is_system: 1, parent_value: null },
      { field: 'status', value: 5, label: 'Done', is_active: 0, is_system: 0, parent_value: null },
      { field: 'subIssueType', value: 10, label: 'Printer', is_active: 0, is_system: 0, parent_value: 3 },
    ]);
  });

  it('appends a ticket state record only when a tracked field changed', () => {
    const s = createSyncStore(db);
    const at = (h: number) => `2026-03-01T${String(h).padStart(2, '0')}:00:00Z`;
    s.tx(() => s.recordTicketStates([{ id: 1, status: 1, queueID: 8, assignedResourceID: null, priority: 2, lastActivityDate: at(1) }], 100));
    s.tx(() => s.recordTicketStates([{ id: 1, status: 1, queueID: 8, assignedResourceID: null, priority: 2, lastActivityDate: at(2), title: 'edited' }], 200));
    s.tx(() => s.recordTicketStates([{ id: 1, status: 5, queueID: 8, assignedResourceID: 4, priority: 2, lastActivityDate: at(3), completedDate: at(3), completedByResourceID: 4 }], 300));
    s.tx(() => s.recordTicketStates([{ id: 1, status: 5, queueID: 8, assignedResourceID: 4, priority: 2 }], 400));
    const rows = db.prepare('SELECT changed_at, status, assigned_resource_id, completed_date, completed_by_resource_id, recorded_at FROM ticket_states ORDER BY id').all();
    expect(rows).toEqual([
      { changed_at: Date.parse(at(1)), status: 1, assigned_resource_id: null, completed_date: null, completed_by_resource_id: null, recorded_at: 100 },
      { changed_at: Date.parse(at(3)), status: 5, assigned_resource_id: 4, completed_date: Date.parse(at(3)), completed_by_resource_id: 4, recorded_at: 300 },
    ]);
  });

  it('dates an opportunity\'s first state record from its creation', () => {
    const s = createSyncStore(db);
    s.tx(() => s.recordOpportunityStates([{ id: 3, stage: 1, status: 1, createDate: '2026-01-01T00:00:00Z', lastActivity: '2026-02-01T00:00:00Z' }], 50));
    s.tx(() => s.recordOpportunityStates([{ id: 3, stage: 2, status: 1, createDate: '2026-01-01T00:00:00Z', lastActivity: '2026-02-05T00:00:00Z' }], 60));
    s.tx(() => s.recordOpportunityStates([{ id: 3, stage: 2, status: 1, createDate: '2026-01-01T00:00:00Z', lastActivity: '2026-02-06T00:00:00Z' }], 70));
    expect(db.prepare('SELECT changed_at, stage FROM opportunity_states ORDER BY id').all()).toEqual([
      { changed_at: Date.UTC(2026, 0, 1), stage: 1 },
      { changed_at: Date.UTC(2026, 1, 5), stage: 2 },
    ]);
  });

  it('deleting a ticket removes its time entries, state records and service-call links', () => {
    const s = createSyncStore(db);
    s.tx(() => {
      s.upsertRecords(entity('Tickets'), [{ id: 1 }, { id: 2 }], 1);
      s.upsertRecords(entity('TimeEntries'), [{ id: 10, ticketID: 1 }, { id: 11, ticketID: 2 }], 1);
      s.upsertRecords(entity('ServiceCallTickets'), [{ id: 20, ticketID: 1, serviceCallID: 5 }], 1);
      s.recordTicketStates([{ id: 1, status: 1 }, { id: 2, status: 1 }], 1);
    });
    expect(s.tx(() => s.deleteTickets([1]))).toBe(1);
    expect(db.prepare('SELECT id FROM tickets').pluck().all()).toEqual([2]);
    expect(db.prepare('SELECT id FROM time_entries').pluck().all()).toEqual([11]);
    expect(db.prepare('SELECT count(*) FROM service_call_tickets').pluck().get()).toBe(0);
    expect(db.prepare('SELECT ticket_id FROM ticket_states').pluck().all()).toEqual([2]);
  });

  it('cursors round-trip and sync runs are recorded', () => {
    const s = createSyncStore(db);
    expect(s.getCursor('Tickets')).toMatchObject({ phase: 'initial', passKind: null, cursorTs: null });
    s.tx(() => s.putCursor({ ...s.getCursor('Tickets'), passKind: 'initial', passStartedAt: 5, cursorId: 42, passMaxTs: 7, passMaxId: 40 }, 6));
    expect(s.getCursor('Tickets')).toMatchObject({ passKind: 'initial', passStartedAt: 5, cursorId: 42, passMaxTs: 7, passMaxId: 40 });
    const run = s.startRun(1);
    s.finishRun(run, 2, 'partial', { failed: ['Tickets'] });
    expect(db.prepare('SELECT status, finished_at, summary FROM sync_runs').get()).toEqual({ status: 'partial', finished_at: 2, summary: '{"failed":["Tickets"]}' });
  });
});
