import { describe, expect, it } from 'vitest';
import { csvArtifact, csvArtifacts, csvField, toCsv } from '../../src/render/csv.js';
import { kpiReport, listsReport } from './fixtures.js';

describe('csvArtifacts', () => {
  it('writes a report\'s further tables as files of their own, every row of them', () => {
    const files = csvArtifacts(listsReport());
    expect(files.map((f) => f.filename)).toEqual([
      'accounting-approve-and-post-2026-11-16.csv',
      'accounting-approve-and-post-unapproved-time-by-resource-2026-11-16.csv',
      'accounting-approve-and-post-unapproved-entries-by-age-2026-11-16.csv',
    ]);
    const entries = files[2]!.content.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
    expect(entries[0]).toBe('Date worked,Resource,Company,Ticket or project task,Hours,Value');
    expect(entries).toHaveLength(60 + 2);
    expect(entries[60]).toBe('2026-10-04,Tech 2,Globex,T202610059.0001 ENTRY-59,1.5,225');
    // A report without further tables is one file, as before.
    expect(csvArtifacts(kpiReport())).toHaveLength(1);
  });
});

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

  it('neutralises formulas after a separator too: every cell with , ; tab, quote or line break is quoted (semicolon locales)', () => {
    // Excel in a semicolon locale splits an unquoted `Acme;=1+1` into "Acme" and a formula.
    expect(csvField('Acme;=1+1')).toBe('"Acme;=1+1"');
    expect(csvField('Acme;+1')).toBe('"Acme;+1"');
    expect(csvField('Acme,@SUM(A1)')).toBe('"Acme,@SUM(A1)"');
    expect(csvField('a\t=1+1')).toBe('"a\t=1+1"');
    expect(csvField('\t=1+1')).toBe('"\'\t=1+1"');
    expect(csvField('\r=1+1')).toBe('"\'\r=1+1"');
    expect(csvField('=1;2')).toBe('"\'=1;2"');
    expect(csvField('Acme Corp')).toBe('Acme Corp');
    // Read back with either separator, no cell starts with a formula character.
    const line = ['Acme;=1+1', '-2+3', 'x,=cmd|" /C calc"!A0', 'ok'].map(csvField).join(',');
    for (const sep of [',', ';']) {
      for (const cell of splitCsv(line, sep)) expect(cell, `${sep} ${cell}`).not.toMatch(/^[=+\-@\t\r]/);
    }
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

/** A spreadsheet's reading of one CSV line with `sep`: quoted fields are one cell, quotes undone. */
function splitCsv(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === sep) { cells.push(cur); cur = ''; } else cur += c;
  }
  cells.push(cur);
  return cells;
}
