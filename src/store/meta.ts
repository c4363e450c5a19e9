import type { Db } from './db.js';
import { valuesOf } from './rows.js';

/**
 * The store's small key/value tables: `store_meta` (what the migrations made once: the store's random id)
 * and `meta` (values processes note for each other: the web server's address, the sync's markers).
 */

/** The store's random id (table `store_meta`, made by its migration); undefined before that migration. */
export function storeIdOf(db: Db): string | undefined {
  return valuesOf<string>(db, `SELECT value FROM store_meta WHERE key = 'store_id'`).get();
}

/** The value noted under `key` in `meta`, or undefined. */
export function metaValue(db: Db, key: string): string | undefined {
  return valuesOf<string>(db, 'SELECT value FROM meta WHERE key = ?').get(key);
}

/** Notes `value` under `key` in `meta` (replacing the previous one). */
export function setMetaValue(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}
