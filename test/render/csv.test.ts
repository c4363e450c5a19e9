import { describe, expect, it } from 'vitest';
import { csvArtifact, csvField, toCsv } from '../../src/render/csv.js';
import { kpiReport } from './fixtures.js';

describe('toCsv', () => {
  it('is RFC 4180: CRLF, quoted fields with commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(-3.5)).toBe('-3.5');
    expect(csvField(true)).toBe('true');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '=HYPERLINK("http://x","y")']) {
      const f = csvField(s);
      expect(f.replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });

  it('writes the header of column labels and raw values', () => {
    const r = kpiReport();
    const csv = toCsv(r);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('Workflow,First response met,Measured,Resolved met,Measured ');
    expect(lines[1]).toBe('Reactive,95.1,412,77,380');
    expect(lines[4]).toBe('Projects,92,13,,0');
    expect(lines).toHaveLength(r.rows.length + 2);
    expect(lines.at(-1)).toBe('');
    const a = csvArtifact(r);
    expect(a.filename).toBe('intake-sla-performance-2026-11-16.csv');
    expect(a.content.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
