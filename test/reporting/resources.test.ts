import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config.js';
import { loadCapacity } from '../../src/reporting/resources.js';
import { insert, makeStore } from '../helpers/store.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); });
afterEach(() => store.cleanup());

describe('service resources', () => {
  it('are active resources with an entry whose work instant lies in [T − 56 d, T)', () => {
    // T = 2026-11-26T12:00Z → [2026-10-01T12:00Z, T).
    insert(store.db, 'Resources', [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, firstName: 'R', lastName: String(id), isActive: id !== 3 })));
    let n = 0;
    const e = (resourceID: number, start: string | null, dateWorked: string) => ({ id: ++n, resourceID, startDateTime: start, dateWorked, hoursWorked: 1 });
    insert(store.db, 'TimeEntries', [
      e(1, '2026-10-01T12:00:00Z', '2026-10-01'), // at the start: in
      e(2, '2026-11-26T12:00:00Z', '2026-11-26'), // at T: out
      e(3, '2026-11-01T12:00:00Z', '2026-11-01'), // inactive
      e(4, null, '2026-10-02'),                   // date-only, 00:00 after the start: in
      e(5, null, '2026-10-01'),                   // date-only, 00:00 before the start: out
      e(6, '2026-09-01T12:00:00Z', '2026-11-01'), // the start time decides, not the date: out
      e(7, null, '2026-11-26'),                   // date-only on T's date, 00:00 before T: in
    ]);
    const cap = loadCapacity(store.db, defaultSettings(), Date.parse('2026-11-26T12:00:00Z'), new Set());
    expect(cap.serviceResources()).toEqual([{ id: 1, name: 'R 1' }, { id: 4, name: 'R 4' }, { id: 7, name: 'R 7' }]);
  });
});
