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
