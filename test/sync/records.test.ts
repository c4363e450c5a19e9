import { describe, expect, it } from 'vitest';
import { ENTITY_BY_NAME } from '../../src/autotask/entities.js';
import { checkRecords, fieldValueOk, rejectionNote } from '../../src/sync/records.js';
import { matchFieldInfoCase } from '../../src/sync/index.js';

describe('records checked against the catalogue before they are stored', () => {
  it('accepts what the store converts without loss, and nothing else', () => {
    const ok: [Parameters<typeof fieldValueOk>[0], unknown][] = [
      ['int', 5], ['int', '5'], ['int', null], ['int', ''], ['float', 2.5], ['float', '2.5'], ['float', '-1e3'],
      ['bool', true], ['bool', 0], ['bool', 'False'], ['datetime', '2024-02-29T10:00:00Z'], ['datetime', '2016-03-30T13:10:35.563'],
      ['datetime', '2018-11-13T17:32:34'], ['datetime', '2024-01-05T10:00:00+02:00'], ['date', '2024-01-05'], ['date', '2024-01-05T00:00:00'],
      ['string', 'x'], ['string', 12],
    ];
    const bad: [Parameters<typeof fieldValueOk>[0], unknown][] = [
      ['int', 1.5], ['int', 'open'], ['int', true], ['int', {}], ['float', 'n/a'], ['float', Infinity], ['bool', 'maybe'], ['bool', 2],
      ['datetime', 'yesterday'], ['datetime', '2023-02-29T10:00:00'], ['datetime', '2024-01-05T25:00:00'], ['datetime', 1700000000000],
      ['date', '05/01/2024'], ['date', '2024-02-30'], ['string', { a: 1 }], ['string', ['x']], ['string', false],
    ];
    for (const [t, v] of ok) expect([t, v, fieldValueOk(t, v)]).toEqual([t, v, true]);
    for (const [t, v] of bad) expect([t, v, fieldValueOk(t, v)]).toEqual([t, v, false]);
  });

  it('leaves out records without an id or with a wrong type, keeps raw JSON aligned, names entity, id and field', () => {
    const def = ENTITY_BY_NAME.get('Roles')!;
    const items = [{ id: 1, name: 'A' }, { name: 'no id' }, { id: 3, hourlyRate: 'lots' }, { id: '4', name: 'D' }, null] as never[];
    const raw = ['r1', 'r2', 'r3', 'r4', 'r5'];
    const c = checkRecords(def, items, raw);
    expect(c.items.map((r) => r.id)).toEqual([1, '4']);
    expect(c.raw).toEqual(['r1', 'r4']);
    expect(c.rejected.map((r) => r.reason)).toEqual([
      'Roles: a record without an id',
      'Roles id 3: field hourlyRate is string "lots", allowed: a number',
      'Roles: a record that is not an object (object null)',
    ]);
    expect(rejectionNote(def, c.rejected)).toMatch(/^3 Roles records not stored \(malformed in Autotask's answer\): Roles: a record without an id; /);
    // The common case returns the page as it is.
    const fine = checkRecords(def, [{ id: 1, name: 'A' }] as never[], ['r']);
    expect(fine.rejected).toEqual([]);
    expect(fine.raw).toEqual(['r']);
  });

  it('field metadata in PascalCase gets the catalogue spelling; broken entries are dropped', () => {
    const def = ENTITY_BY_NAME.get('CompanyToDos')!;
    const out = matchFieldInfoCase(def, [
      { name: 'ActionType', dataType: 'integer', isPickList: true, picklistValues: [{ value: '1', label: 'Call' }, null as never] },
      { name: 'Unknown', dataType: 'string', isPickList: false, picklistValues: null },
      null as never,
    ]);
    expect(out.map((f) => f.name)).toEqual(['actionType', 'Unknown']);
    expect(out[0]!.picklistValues).toEqual([{ value: '1', label: 'Call' }]);
  });
});
