import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
beforeAll(async () => { env = await syncedStore({ scale: 'tiny', seed: 11, now: NOW, days: 3 }); });
afterAll(async () => { await env?.cleanup(); });

const run = async (...argv: string[]) => {
  const io = captureIO(env.env, env.dir);
  const code = await main(['run', ...argv, '--db', env.cfg.db], io);
  return { code, out: io.stdout.join(''), err: io.stderr.join('\n') };
};

describe('psa-reports run', () => {
  it('prints the stable JSON shape with exactly the spec metric names, for every report', async () => {
    const { code, out, err } = await run(...Object.keys(REPORTS), '--format', 'json', '--as-of', '2026-11-26T12:00:00Z');
    expect(err).not.toMatch(/error:/);
    expect(code).toBe(0);
    const all = JSON.parse(out) as Record<string, unknown>[];
    expect(all.map((r) => r.report).sort()).toEqual(Object.keys(REPORTS).sort());
    for (const r of all) {
      expect(Object.keys(r).sort()).toEqual(['asOf', 'metrics', 'report', 'rows', 'title', 'window']);
      expect(Object.keys(r.metrics as object)).toEqual(Object.keys(REPORTS[r.report as keyof typeof REPORTS].metrics));
      expect(r.asOf).toBe('2026-11-26T12:00:00.000Z');
    }
    const sla = all.find((r) => r.report === 'intake/sla-performance')!;
    expect(sla.window).toEqual({ from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
  });

  it('--from/--to override the window; a date is midnight in the settings zone', async () => {
    const { code, out } = await run('intake/workflow-distribution', '--from', '2026-11-01', '--to', '2026-11-08', '--as-of', '2026-11-26T12:00:00Z');
    expect(code).toBe(0);
    expect(JSON.parse(out).window).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' });
  });

  it('writes CSV files into a folder for several reports', async () => {
    const dir = path.join(env.dir, 'csv') + '/';
    const { code } = await run('sales', '--format', 'csv', '--out', dir);
    expect(code).toBe(0);
    const files = fs.readdirSync(dir).sort();
    expect(files).toContain('sales-pipeline.csv');
    expect(fs.readFileSync(path.join(dir, 'sales-pipeline.csv'), 'utf8').split('\r\n')[0]).toBe('Stage,Deals,Amount,Weighted amount');
  });

  it('bad usage exits 2 and says what is allowed', async () => {
    const a = await run('intake/nope');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/unknown report or group: intake\/nope\. Allowed: .*intake/);
    const b = await run('intake/backlog', '--format', 'docx');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--format: "docx" is not allowed\. Allowed: json, csv, xlsx, html, pdf/);
    const c = await run('intake/backlog', '--from', '2026-11-01');
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--from and --to go together/);
    const d = await run('intake/backlog', '--as-of', 'tomorrow');
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/--as-of: "tomorrow" is not a date or time/);
    for (const bad of ['2026-13-45T09:00', '0050-06-01']) {
      const x = await run('intake/backlog', '--as-of', bad);
      expect(x.code, bad).toBe(2);
      expect(x.err).toContain(`--as-of: "${bad}" is not a valid date or time`);
      expect(x.err).toContain('Allowed: YYYY-MM-DD');
      expect(x.out).toBe('');
    }
    const e = await run('intake/backlog', '--window', 'last-week');
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/--window: "last-week" is not allowed\. Allowed: previous-week, previous-month, last-7-days/);
    const f = await run('intake/backlog', '--window', 'previous-week', '--from', '2026-11-01', '--to', '2026-11-08');
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/--window and --from\/--to/);
  });

  it('--window gives every report with a past window that period; point-in-time reports keep theirs', async () => {
    const { code, out } = await run('tech-performance/reopen-rate', 'intake/backlog', '--window', 'previous-week', '--as-of', '2026-11-26T12:00:00Z');
    expect(code).toBe(0);
    const [reopen, backlog] = JSON.parse(out) as { window: unknown }[];
    expect(reopen!.window).toEqual({ from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' });
    expect(backlog!.window).toBeNull();
  });

  it('--out writes only regular files: a named pipe, a symbolic link, or a folder where the file would go is refused (exit 2) and left as it was', async () => {
    const dir = fs.mkdtempSync(path.join(env.dir, 'out-guard-'));
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const target = path.join(dir, 'target.txt');
    fs.writeFileSync(target, 'keep me');
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(target, link);
    const folderFile = path.join(dir, 'as-folder/');
    fs.mkdirSync(path.join(folderFile, 'intake-backlog.json'), { recursive: true });
    const cases: [string, string][] = [[fifo, 'a named pipe'], [link, 'a symbolic link'], [folderFile, 'a folder']];
    for (const [out, kind] of cases) {
      const r = await run('intake/backlog', '--as-of', '2026-11-26T12:00:00Z', '--out', out);
      expect(r.code, out).toBe(2);
      expect(r.err).toMatch(new RegExp(`--out: \\S+ is ${kind}; psa-reports writes only regular files`));
    }
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
    expect(fs.readdirSync(dir).sort()).toEqual(['as-folder', 'link.json', 'pipe', 'target.txt']); // no temporary file left
    // A regular file is replaced whole; a new name is created.
    const plain = path.join(dir, 'plain.json');
    fs.writeFileSync(plain, 'old');
    expect((await run('intake/backlog', '--as-of', '2026-11-26T12:00:00Z', '--out', plain)).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(plain, 'utf8')).report).toBe('intake/backlog');
  });
});
