import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { Ledger, newOwner } from '../../src/store/ledger.js';
import { metaValue, setMetaValue, storeIdOf } from '../../src/store/meta.js';
import { availabilities, holidayDates, ownCompanyName, resourceByEmailLookup, serviceResourceIds } from '../../src/store/tenant.js';
import { lastWebhookSequence, recordWebhookEvent, webhookEventCounts, webhookEventSeen } from '../../src/store/webhook-events.js';
import { insert, makeStore } from '../helpers/store.js';

/**
 * The store functions that replaced SQL cast at its place of use, on a real store file: each returns
 * what the statements it replaced returned, including their empty cases (undefined / null before the
 * first row), which the callers rely on.
 */
let store: { db: Db; cleanup: () => void };
beforeEach(() => { store = makeStore(); });
afterEach(() => store.cleanup());

const T = Date.UTC(2026, 10, 26, 10, 0, 0);

describe('typed store reads', () => {
  it('webhook callouts: replay guard, last sequence, counts since an instant', () => {
    const { db } = store;
    expect(lastWebhookSequence(db, 'g')).toBeNull();
    expect(webhookEventCounts(db, T)).toEqual({ total: 0, since: 0, last: null });
    const ev = { guid: 'g', sequence: 3, entity: 'Ticket', entityId: 7, action: 'Update', eventTime: '', receivedAt: T - 1 };
    expect(recordWebhookEvent(db, ev)).toBe(true);
    expect(recordWebhookEvent(db, ev)).toBe(false);
    expect(recordWebhookEvent(db, { ...ev, sequence: 5, receivedAt: T + 1 })).toBe(true);
    expect(webhookEventSeen(db, 'g', 3)).toBe(true);
    expect(webhookEventSeen(db, 'g', 4)).toBe(false);
    expect(lastWebhookSequence(db, 'g')).toBe(5);
    expect(lastWebhookSequence(db, 'other')).toBeNull();
    expect(webhookEventCounts(db, T)).toEqual({ total: 2, since: 1, last: T + 1 });
  });

  it('meta values and the store id', () => {
    const { db } = store;
    expect(metaValue(db, 'web.url')).toBeUndefined();
    setMetaValue(db, 'web.url', 'https://a.example');
    setMetaValue(db, 'web.url', 'https://b.example');
    expect(metaValue(db, 'web.url')).toBe('https://b.example');
    expect(storeIdOf(db)).toMatch(/\S/);
  });

  it('the ledger\'s last run of a schedule and the daemon lock\'s heartbeat', () => {
    const ledger = new Ledger(store.db);
    const self = newOwner();
    expect(ledger.lastRun('weekly')).toBeUndefined();
    expect(ledger.lockHeartbeat('daemon')).toBeNull();
    ledger.claimScheduled('weekly', T - 1000, T);
    ledger.claimScheduled('weekly', T, T);
    expect(ledger.lastRun('weekly')).toEqual({ state: 'pending', due_at: T });
    expect(ledger.acquireLock('daemon', self, T + 5, T - 60_000)).toEqual({ ok: true });
    expect(ledger.lockHeartbeat('daemon')).toBe(T + 5);
    expect(ledger.cursor('weekly')).toBeNull();
    ledger.advanceCursor('weekly', T, T);
    expect(ledger.cursor('weekly')).toBe(T);
  });

  it('tenant reads: company 0, resources by e-mail, service resources, availability, holidays', () => {
    const { db } = store;
    expect(ownCompanyName(db)).toBeUndefined();
    insert(db, 'Companies', [{ id: 0, companyName: 'Acme MSP', companyType: 1 }]);
    expect(ownCompanyName(db)).toBe('Acme MSP');
    insert(db, 'Resources', [
      { id: 1, firstName: 'Ann', lastName: 'Old', email: 'ann@x.example', isActive: false },
      { id: 2, firstName: 'Ann', lastName: 'New', email: ' Ann@X.example ', isActive: true },
      { id: 3, firstName: 'Bob', lastName: 'B', email: 'bob@x.example', isActive: true },
    ]);
    expect(resourceByEmailLookup(db)('ann@x.example')).toMatchObject({ id: 2, firstName: 'Ann', lastName: 'New' });
    expect(resourceByEmailLookup(db)('nobody@x.example')).toBeUndefined();
    insert(db, 'TimeEntries', [{ id: 10, resourceID: 3, startDateTime: new Date(T - 3600_000).toISOString(), endDateTime: new Date(T - 1800_000).toISOString(), hoursWorked: 0.5 }]);
    expect(serviceResourceIds(db, { from: T - 7 * 86_400_000, to: T, fromDay: '2026-11-19', toDay: '2026-11-26' })).toEqual([3]);
    insert(db, 'ResourceDailyAvailabilities', [{ id: 1, resourceID: 3, mondayAvailableHours: 6, weeklyBillableHoursGoal: 30 }]);
    expect(availabilities(db)).toMatchObject([{ resourceID: 3, mondayAvailableHours: 6, tuesdayAvailableHours: null, weeklyBillableHoursGoal: 30 }]);
    insert(db, 'Holidays', [{ id: 1, holidayDate: '2026-12-25T00:00:00', holidaySetID: 1 }, { id: 2, holidaySetID: 1 }]);
    expect(holidayDates(db).map((d) => d.slice(0, 10))).toEqual(['2026-12-25']);
  });
});
