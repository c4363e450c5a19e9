import { describe, expect, it } from 'vitest';
import { F, serializeQuery, validateFilter, isoUtc } from '../../src/autotask/filter.js';

describe('filter grammar as the client serialises it', () => {
  it('serialises comparison, list, existence and nested groups in Autotask JSON', () => {
    const body = serializeQuery({
      filter: [
        F.eq('isActive', true),
        F.or(F.eq('lastName', 'Smith'), F.eq('lastName', 'Jones'), F.and(F.eq('firstName', 'Chris'), F.eq('lastName', 'Brady'))),
        F.in('companyType', [1, 3, 7]),
        F.notExist('completedDate'),
        F.gte('lastActivityDate', new Date(Date.UTC(2026, 0, 2, 3, 4, 5))),
        F.udf(F.eq('CustomerRanking', 'Golden')),
      ],
      includeFields: ['title'],
      maxRecords: 50,
    });
    expect(JSON.parse(body)).toEqual({
      filter: [
        { op: 'eq', field: 'isActive', value: true },
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'lastName', value: 'Smith' },
            { op: 'eq', field: 'lastName', value: 'Jones' },
            { op: 'and', items: [{ op: 'eq', field: 'firstName', value: 'Chris' }, { op: 'eq', field: 'lastName', value: 'Brady' }] },
          ],
        },
        { op: 'in', field: 'companyType', value: [1, 3, 7] },
        { op: 'notExist', field: 'completedDate' },
        { op: 'gte', field: 'lastActivityDate', value: '2026-01-02T03:04:05.000Z' },
        { op: 'eq', field: 'CustomerRanking', value: 'Golden', udf: true },
      ],
      // paging relies on id, so it is always requested
      includeFields: ['id', 'title'],
      maxRecords: 50,
    });
  });

  it('refuses what Autotask would silently ignore or reject', () => {
    expect(() => validateFilter([{ op: 'ne' as never, field: 'status', value: 5 }])).toThrow(/unknown operator "ne"/);
    expect(() => validateFilter([{ op: 'exist', field: 'id', value: 1 }])).toThrow(/takes no value/);
    expect(() => validateFilter([{ op: 'in', field: 'id', value: 3 }])).toThrow(/non-empty array/);
    expect(() => validateFilter([{ op: 'or', items: [] }])).toThrow(/needs items/);
    expect(() => serializeQuery({ filter: [F.all()], maxRecords: 501 })).toThrow(/1–500/);
    expect(() => validateFilter([F.or(...Array.from({ length: 501 }, (_, i) => F.eq('id', i)))])).toThrow(/500 OR/);
  });

  it('formats instants as UTC ISO strings', () => {
    expect(isoUtc(0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
