import { describe, expect, it } from 'vitest';
import { simEntity } from '../../src/simulator/schema.js';
import { Table } from '../../src/simulator/table.js';

describe('simulator table', () => {
  it('serves rows added after it grew past its capacity, with a projection used before the growth', () => {
    const e = simEntity('ServiceCalls');
    const t = new Table(e, 16);
    const fields = e.fields.filter((f) => ['id', 'startDateTime', 'isComplete', 'description'].includes(f.name));
    const add = (id: number) => t.append({ id, startDateTime: Date.UTC(2026, 10, 1) + id * 60_000, isComplete: id % 2 === 0, description: `call ${id}` });
    add(1);
    expect(JSON.parse(t.jsonText(0, fields))).toMatchObject({ id: 1, description: 'call 1' });
    for (let id = 2; id <= 40; id++) add(id);
    // Found by the cross-check: the cached projection kept the pre-growth columns, so a new row's datetime
    // read as undefined (HTTP 500 "Invalid time value") and a number as "undefined" (malformed JSON).
    const last = t.lowerBound(40);
    expect(JSON.parse(t.jsonText(last, fields))).toEqual({ id: 40, startDateTime: new Date(Date.UTC(2026, 10, 1) + 40 * 60_000).toISOString().replace('.000Z', 'Z'), isComplete: true, description: 'call 40' });
    expect(t.json(last, fields)).toMatchObject({ id: 40, isComplete: true, description: 'call 40' });
  });
});
