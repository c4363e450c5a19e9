import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { validateReports } from '../../src/reporting/define.js';

const root = path.resolve(__dirname, '../../reports');

describe('report registry', () => {
  it('lists exactly the report files of reports/<group>/<name>.ts', () => {
    const files: string[] = [];
    for (const g of fs.readdirSync(root, { withFileTypes: true })) {
      if (!g.isDirectory()) continue;
      for (const f of fs.readdirSync(path.join(root, g.name))) {
        if (f.endsWith('.ts') && f !== 'index.ts' && !f.includes('.lib.')) files.push(`${g.name}/${f.replace(/\.ts$/, '')}`);
      }
    }
    expect(Object.keys(REPORTS).sort()).toEqual(files.sort());
  });

  it('every definition is valid', () => {
    const { errors } = validateReports(REPORTS);
    expect(errors).toEqual([]);
  });

  it('reports every invalid definition together, with file paths', () => {
    const { errors, reports } = validateReports({
      'intake/bad-one': { title: '', description: 'x', window: 'previous-week', metrics: {}, columns: [], compute: () => ({}) },
      'Bad Id': {},
      'sales/bad-two': { title: 't', description: 'd', window: 'yesterday', metrics: { a: { label: 'A', unit: 'count' } }, columns: [], compute: 1 },
    });
    expect(reports).toEqual([]);
    expect(errors.some((e) => e.startsWith('reports/intake/bad-one.ts: title'))).toBe(true);
    expect(errors.some((e) => e.startsWith('reports/Bad Id.ts'))).toBe(true);
    expect(errors.some((e) => e.startsWith('reports/sales/bad-two.ts: window'))).toBe(true);
    expect(errors.some((e) => e.startsWith('reports/sales/bad-two.ts: compute'))).toBe(true);
  });
});
