import { describe, expect, it } from 'vitest';
import { splitItems } from '../../src/autotask/raw-items.js';

describe('slicing each item\'s JSON from a page body', () => {
  it('returns the exact text of each element, whatever the strings contain', () => {
    const items = [
      { id: 1, title: 'a "quoted" {brace} [bracket] \\ back', udf: [{ name: 'items', value: '}' }] },
      { id: 2, title: 'é ✓ 中文 \u2028', nested: { items: [1, 2, { x: ']' }] } },
      { id: 3 },
    ];
    const body = JSON.stringify({ items, pageDetails: { count: 3, requestCount: 500, prevPageUrl: null, nextPageUrl: 'http://x/items?paging={"a":1}' } });
    const raw = splitItems(body, 3)!;
    expect(raw).toEqual(items.map((i) => JSON.stringify(i)));
    expect(raw.map((r) => JSON.parse(r))).toEqual(items);
  });

  it('finds items after other keys and with whitespace, case-insensitively', () => {
    const body = '{ "pageDetails": {"items": [ {"id": 9} ]},\n  "Items" : [ {"id":1} ,\n {"id" : 2 } ] }';
    expect(splitItems(body, 2)).toEqual(['{"id":1}', '{"id" : 2 }']);
  });

  it('gives up (null) when the shape or the count differs', () => {
    expect(splitItems('{"items":[{"id":1}]}', 2)).toBeNull();
    expect(splitItems('{"items":[1,2]}', 2)).toBeNull();
    expect(splitItems('{"other":[]}', 0)).toBeNull();
    expect(splitItems('{"items":[]}', 0)).toEqual([]);
  });
});
