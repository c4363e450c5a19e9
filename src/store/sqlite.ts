import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * The better-sqlite3 driver for this Node version. better-sqlite3 12 (built from source) is the last line
 * that runs on Node 20; on Node ≥ 22 we load 13 (installed as the optional `better-sqlite3-node22`, with
 * N-API prebuilds): 12 aborts the process on Node ≥ 24.19 when a statement is garbage-collected
 * ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook). Both have the same API.
 */
const require = createRequire(import.meta.url);

function load(): { driver: typeof BetterSqlite3; path: string } {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) {
    try {
      return { driver: require('better-sqlite3-node22') as typeof BetterSqlite3, path: require.resolve('better-sqlite3-node22') };
    } catch {
      // Not installed (e.g. --no-optional): 12 works, but may abort on Node ≥ 24.19 at garbage collection.
    }
  }
  return { driver: require('better-sqlite3') as typeof BetterSqlite3, path: require.resolve('better-sqlite3') };
}

const loaded = load();
/** The Database class of the driver in use. */
export const Database: typeof BetterSqlite3 = loaded.driver;
/** Where that driver is, for a worker thread that opens its own connection. */
export const DRIVER_PATH: string = loaded.path;
