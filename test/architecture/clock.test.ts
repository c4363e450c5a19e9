import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * One time base: every component reads the time through the Clock port, and only `systemClock`
 * (src/types.ts) reads the real date. Elapsed times (progress lines, bounded waits) use
 * `performance.now()`, which says nothing about the date. A second time base in one run is how the
 * render deadline once compared an injected clock with the machine's (a suite that failed on other dates).
 */
const ROOT = path.resolve(__dirname, '../..');
const ALLOWED = new Set(['src/types.ts']);

function files(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return files(rel);
    return /\.(ts|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

describe('one time base', () => {
  it('no file of the product, its reports or its bench reads the date except systemClock', () => {
    const offenders: string[] = [];
    for (const f of ['src', 'reports', 'bench'].flatMap(files)) {
      if (ALLOWED.has(f.split(path.sep).join('/'))) continue;
      const lines = fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('the check itself catches a reading of the date', () => {
    expect(/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/.test('const t = Date.now();')).toBe(true);
    expect(/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/.test('const d = new Date();')).toBe(true);
    expect(/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/.test('const d = new Date(clock.now());')).toBe(false);
  });
});

describe('one composition root', () => {
  it('app.ts builds the adapters and imports no command (only the commands\' IO type)', () => {
    const app = fs.readFileSync(path.join(ROOT, 'src/app.ts'), 'utf8');
    const imports = [...app.matchAll(/(?:from|import\()\s*'(\.\/commands\/[^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((i) => i !== './commands/types.js')).toEqual([]);
    expect(app).toMatch(/import type \{ CommandIO \} from '\.\/commands\/types\.js'/);
  });

  it('no module but app.ts (and the client\'s own tests) makes an Autotask client: the sync use case is given one', () => {
    const makers = ['src', 'reports'].flatMap(files)
      .filter((f) => /createAutotaskClient\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')))
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f !== 'src/autotask/client.ts');
    expect(makers).toEqual(['src/app.ts']);
  });
});

describe('the store owns the SQL', () => {
  it('the sync runs no SQL of its own: every statement is a method of the sync store', () => {
    const offenders = files('src/sync').filter((f) => /\.(prepare|exec|pragma)\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
