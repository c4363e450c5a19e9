import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/store/sqlite.js';

const root = path.resolve(__dirname, '../..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'tmp' || e.name === 'node_modules' ? [] : files(p);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [p] : [];
  });
}

describe('the SQLite driver', () => {
  it('is loaded only through src/store/sqlite.ts (Node >= 22 must get better-sqlite3 13)', () => {
    const offenders = ['src', 'test', 'bench', 'reports'].flatMap((d) => files(path.join(root, d)))
      .filter((f) => !f.endsWith(path.join('store', 'sqlite.ts')))
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+'better-sqlite3'|require\(\s*'better-sqlite3'\s*\)/m.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('on Node >= 22 is better-sqlite3 13 when installed', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const db = new Database(':memory:');
    try {
      expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    } finally {
      db.close();
    }
    const req = createRequire(path.join(root, 'package.json'));
    if (major >= 22 && fs.existsSync(path.join(root, 'node_modules', 'better-sqlite3-node22'))) {
      expect(Database).toBe(req('better-sqlite3-node22'));
    } else {
      expect(Database).toBe(req('better-sqlite3'));
    }
  });
});
