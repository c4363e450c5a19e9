import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allRows, rowsOf } from '../../src/store/rows.js';
import { makeStore } from '../helpers/store.js';

/** allRows reads rows as arrays and makes the objects itself: they must be what better-sqlite3's own are. */
let store: ReturnType<typeof makeStore>;
beforeEach(() => { store = makeStore(); });
afterEach(() => store.cleanup());

describe('allRows', () => {
  it('answers the objects better-sqlite3 answers: every column in order, types kept, a repeated name as it does', () => {
    const db = store.db;
    db.exec(`CREATE TEMP TABLE t (a INTEGER, b TEXT, c REAL, d BLOB, "odd name" TEXT, "x""y" INTEGER)`);
    const ins = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
    ins.run(1, 'one', 1.5, Buffer.from('ab'), 'x', 7);
    ins.run(null, null, null, null, null, null);
    ins.run(2 ** 40, '', -0.25, Buffer.alloc(0), '"}; process.exit(1); ({"', 0);
    for (const sql of [
      'SELECT * FROM t ORDER BY rowid',
      'SELECT a, b AS a, c FROM t ORDER BY rowid', // a repeated name: the later column wins
      'SELECT a FROM t WHERE a > :min ORDER BY rowid',
      'SELECT count(*) AS n FROM t WHERE 0',
      'SELECT a AS "constructor", b AS "toString" FROM t ORDER BY rowid',
    ]) {
      const params = { min: 0 };
      const stmt = rowsOf<Record<string, unknown>, [typeof params]>(db, sql);
      const want = sql.includes(':min') ? stmt.all(params) : rowsOf<Record<string, unknown>, []>(db, sql).all();
      const got = sql.includes(':min') ? allRows(stmt, params) : allRows(rowsOf<Record<string, unknown>, []>(db, sql));
      expect(got, sql).toEqual(want);
      expect(got.map((r) => Object.keys(r)), sql).toEqual(want.map((r) => Object.keys(r)));
      // The statement is left as it was: its own .all() still answers objects.
      expect(stmt.all(params)).toEqual(sql.includes(':min') ? want : stmt.all(params));
    }
    const empty = allRows(rowsOf<Record<string, unknown>, []>(db, 'SELECT a FROM t WHERE 0'));
    expect(empty).toEqual([]);
    // A column named __proto__ is read as objects (a literal's __proto__ key would set the prototype).
    const proto = allRows(rowsOf<Record<string, unknown>, []>(db, 'SELECT 1 AS "__proto__", 2 AS b'));
    expect(proto).toEqual(rowsOf<Record<string, unknown>, []>(db, 'SELECT 1 AS "__proto__", 2 AS b').all());
  });
});
