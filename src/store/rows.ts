import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';

/**
 * The store's typed boundary. better-sqlite3 returns `unknown` rows; the store module that owns a table
 * declares the type of the rows its SQL selects, once, beside that SQL, and its callers receive typed
 * rows instead of casting at each use (test/architecture/rows.test.ts keeps casts out of other modules).
 *
 * The type is the store's promise about its own SQL, not a run-time check: keep the interface next to
 * the statement, so that a changed column list is seen with its type.
 */

/** A statement whose rows are `R` and whose parameters are `P` (positional, or one object of named ones). */
export type Rows<R, P extends unknown[] = unknown[]> = Statement<P, R>;

/** A statement selecting rows of type `R`. */
export function rowsOf<R, P extends unknown[] = unknown[]>(db: Db, sql: string): Rows<R, P> {
  return db.prepare<P, R>(sql);
}

/** A statement selecting one column, its values of type `V` (`pluck`: `get` gives the value, not a row). */
export function valuesOf<V, P extends unknown[] = unknown[]>(db: Db, sql: string): Rows<V, P> {
  return db.prepare<P, V>(sql).pluck();
}

/**
 * `stmt` with rows of type `R`: for a statement prepared from SQL the store does not own (a report's SQL
 * file, whose row type the report declares at `ctx.query<T>`).
 */
export function withRows<R, P extends unknown[] = unknown[]>(stmt: Statement<P, unknown>): Rows<R, P> {
  return stmt as Statement<P, R>;
}

/** Row builders by column list: one small function per distinct list of column names (see allRows). */
const builders = new Map<string, (values: unknown[]) => unknown>();

/**
 * Every row of a statement as objects, read as arrays (`raw`) and made into objects by a function built once
 * per column list: better-sqlite3 sets each column of each object one by one, which at the large scale cost
 * more than the query itself (20 k rows of 15 columns: about 145 ms as objects, 95 ms this way). The objects
 * are the same: one own property per column, in the statement's order, a later column of the same name
 * winning. A statement that returns no data, or a column named `__proto__`, is read as objects.
 */
export function allRows<R, P extends unknown[]>(stmt: Rows<R, P>, ...params: P): R[] {
  if (!stmt.reader) return stmt.all(...params);
  const names = stmt.columns().map((c) => c.name);
  if (names.includes('__proto__')) return stmt.all(...params);
  const key = names.join('\u0000');
  let make = builders.get(key);
  if (!make) {
    // The names are JSON string literals: any column name is a property key, never code.
    make = new Function('v', `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => unknown;
    if (builders.size < 1000) builders.set(key, make);
  }
  const raw = (stmt as unknown as Statement<P, unknown[]>).raw(true);
  try {
    return raw.all(...params).map(make) as R[];
  } finally {
    raw.raw(false);
  }
}
