import fs from 'node:fs';
import path from 'node:path';
import { computeByName, createConfiguredRenderer, lastSyncAt, loadRegistry, openStore, toJsonShape } from '../app.js';
import { AppError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { PAST_WINDOW_KINDS, type PastWindowKind } from '../reporting/engine.js';
import { parseWhen } from '../reporting/time.js';
import type { ReportResult } from '../types.js';
import type { Command, CommandIO } from './types.js';

const FORMATS = ['json', 'csv', 'xlsx', 'html', 'pdf'] as const;
type Format = (typeof FORMATS)[number];

function writeOut(io: CommandIO, out: string | undefined, name: string, content: string | Buffer): string | null {
  if (!out) {
    io.out(typeof content === 'string' ? content : content.toString('utf8'));
    return null;
  }
  const target = out.endsWith('/') || (fs.existsSync(out) && fs.statSync(out).isDirectory()) ? path.join(out, name) : out;
  writeFileAtomic(target, content, { label: '--out' });
  return target;
}

const command: Command = {
  name: 'run',
  summary: 'compute reports (json/csv/xlsx/html/pdf) or run a schedule now (--send, --dry-run)',
  usage: '<report-id|group…> [--format json|csv|xlsx|html|pdf] [--as-of T] [--from D --to D | --window KIND] [--out PATH]\n       psa-reports run <schedule-id> --send | --dry-run [--recipient ADDRESS]',
  description: `
Computes reports from the local store (run "psa-reports sync" first) and prints or writes them.
A report is named by its id (intake/backlog) or a whole group (intake, profitability, tech-performance,
accounting, sales); "psa-reports list reports" shows them all.

Formats: json (the stable shape {report,title,asOf,window,metrics,rows}; an array for several reports),
csv (one table per report; with several reports --out must be a folder), xlsx (one workbook: a Summary sheet
with every metric, then a sheet per report with typed numbers and dates; written to --out or <report>.xlsx),
html, pdf (several reports make one bundle with a contents page).

Times: --as-of is the instant the report is "run at" (default now); --from/--to override the window;
--window previous-week|previous-month|last-7-days gives every report with a past window that period instead
of its default (point-in-time and upcoming reports keep theirs).
A date (2026-11-02) means 00:00 of that date in settings.timezone; 2026-11-02T09:00 is a wall time there;
2026-11-02T09:00:00Z is an instant.

With a schedule id from schedules.json instead of reports: --send runs it now and delivers it to its
recipients (recorded in the ledger, see "psa-reports history"); --dry-run renders it and sends nothing.
Add --recipient you@msp.example for a test copy to that address only ("[Test]" in the subject; a technician's
address gets their personal copy of a burst schedule).

Examples:
  psa-reports run intake/backlog
  psa-reports run intake/sla-performance --from 2026-11-01 --to 2026-11-08 --format json
  psa-reports run intake profitability --format pdf --out out/service-kpis.pdf
  psa-reports run accounting --format xlsx --out out/accounting.xlsx
  psa-reports run tech-performance --window previous-week --format pdf --out out/last-week.pdf
  psa-reports run service-kpis-weekly --dry-run
  psa-reports run technician-scorecards-weekly --send --recipient you@msp.example`,
  options: [
    { name: 'format', type: 'string', short: 'f', arg: '<fmt>', help: 'json | csv | xlsx | html | pdf (default json)' },
    { name: 'as-of', type: 'string', arg: '<T>', help: 'run the reports as of this instant (default now)' },
    { name: 'from', type: 'string', arg: '<D>', help: 'window start (with --to); a date is 00:00 in settings.timezone' },
    { name: 'to', type: 'string', arg: '<D>', help: 'window end, exclusive (with --from)' },
    { name: 'window', type: 'string', arg: '<kind>', help: 'previous-week | previous-month | last-7-days for every report with a past window (default: each report\'s own)' },
    { name: 'out', type: 'string', short: 'o', arg: '<path>', help: 'write to a file (or a folder, for csv of several reports) instead of stdout' },
    { name: 'trend', type: 'boolean', help: 'also compute trend series (previous 8 weeks / 6 months); on by default for html and pdf' },
    { name: 'send', type: 'boolean', help: 'with a schedule id: run it now and deliver to its recipients' },
    { name: 'dry-run', type: 'boolean', help: 'with a schedule id: render it and send nothing' },
    { name: 'recipient', type: 'string', arg: '<address>', help: 'with --send or --dry-run: a test copy for this address only, "[Test]" in the subject' },
  ],
  async run(args, { io, loadConfig, clock, log }) {
    const names = args.positionals;
    if (names.length === 0) throw new AppError('name at least one report id, group or schedule id. Try: psa-reports list reports', 'USAGE');
    const cfg = loadConfig();
    if (args.values.send || args.values['dry-run']) {
      const { runScheduleNow } = await import('./run-schedule.js');
      return runScheduleNow(cfg, io, clock, names, {
        send: Boolean(args.values.send), dryRun: Boolean(args.values['dry-run']), ...(log ? { log } : {}), ...(args.values.recipient !== undefined ? { to: String(args.values.recipient) } : {}),
      });
    }
    if (args.values.recipient !== undefined) throw new AppError('--recipient goes with a schedule id and --send or --dry-run (a test copy of that schedule)', 'USAGE');
    const format = (args.values.format as string | undefined) ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) throw new AppError(`--format: "${format}" is not allowed. Allowed: ${FORMATS.join(', ')}`, 'USAGE');
    const tz = cfg.settings.timezone;
    const asOf = args.values['as-of'] ? parseWhen(String(args.values['as-of']), tz, '--as-of') : clock.now();
    const fromS = args.values.from as string | undefined;
    const toS = args.values.to as string | undefined;
    if ((fromS === undefined) !== (toS === undefined)) throw new AppError('--from and --to go together: give both, or neither for the report\'s default window', 'USAGE');
    const from = fromS !== undefined ? parseWhen(fromS, tz, '--from') : undefined;
    const to = toS !== undefined ? parseWhen(toS, tz, '--to') : undefined;
    if (from !== undefined && to !== undefined && !(to > from)) throw new AppError(`--to (${toS}) must be after --from (${fromS})`, 'USAGE');
    const windowKind = args.values.window as string | undefined;
    if (windowKind !== undefined && !(PAST_WINDOW_KINDS as readonly string[]).includes(windowKind)) {
      throw new AppError(`--window: "${windowKind}" is not allowed. Allowed: ${PAST_WINDOW_KINDS.join(', ')}`, 'USAGE');
    }
    if (windowKind !== undefined && from !== undefined) throw new AppError('--window and --from/--to both set the window: give one of them', 'USAGE');
    loadRegistry();
    const db = openStore(cfg, { mustExist: true });
    try {
      if (lastSyncAt(db) === null) io.err('warning: the store has never completed a sync; reports will be empty. Run: psa-reports sync (or psa-reports demo)');
      const visual = format === 'html' || format === 'pdf';
      const results = computeByName(db, cfg, names, {
        asOf, ...(from !== undefined ? { from, to } : {}), ...(windowKind ? { windowKind: windowKind as PastWindowKind } : {}), trend: Boolean(args.values.trend) || visual,
      });
      const ok: ReportResult[] = [];
      let failed = 0;
      for (const r of results) {
        if (r.ok) {
          ok.push(r.value);
          for (const w of r.value.warnings) io.err(`note: ${r.name}: ${w}`);
        } else {
          failed++;
          io.err(`error: ${r.name}: ${r.error.message}`);
        }
      }
      const out = args.values.out as string | undefined;
      if (ok.length) await emit(io, cfg, format as Format, ok, out);
      return failed ? 1 : 0;
    } finally {
      db.close();
    }
  },
};

async function emit(io: CommandIO, cfg: ReturnType<Parameters<Command['run']>[1]['loadConfig']>, format: Format, results: ReportResult[], out: string | undefined): Promise<void> {
  const base = results.length === 1 ? results[0]!.report.replace('/', '-') : 'reports';
  if (format === 'json') {
    const body = results.length === 1 ? toJsonShape(results[0]!) : results.map(toJsonShape);
    const p = writeOut(io, out, `${base}.json`, `${JSON.stringify(body, null, 2)}\n`);
    if (p) io.err(`wrote ${p}`);
    return;
  }
  if (format === 'csv') {
    const { csvTables } = await import('../render/csv.js');
    const folder = !!out && (out.endsWith('/') || (fs.existsSync(out) && fs.statSync(out).isDirectory()));
    if (results.length > 1 && out && !folder) {
      throw new AppError(`--out: with several reports and csv, give a folder (ending in "/"), not the file ${out}`, 'USAGE');
    }
    for (const r of results) {
      // A report's further tables (the entries behind approve-and-post…) are files of their own: written
      // beside the report's when --out is a folder, otherwise named in a note.
      const [main, ...more] = csvTables(r);
      const p = writeOut(io, out, `${r.report.replace('/', '-')}.csv`, main!.csv);
      if (p) io.err(`wrote ${p}`);
      if (folder) {
        for (const t of more) io.err(`wrote ${writeOut(io, out, `${t.name}.csv`, t.csv)}`);
      } else if (more.length) {
        io.err(`${r.report}: ${more.length} further ${more.length === 1 ? 'table is' : 'tables are'} not written (${more.map((t) => t.name).join(', ')}); give --out a folder to get ${more.length === 1 ? 'it' : 'them'} too`);
      }
    }
    return;
  }
  if (format === 'xlsx') {
    const { xlsxArtifact } = await import('../render/xlsx.js');
    const book = await xlsxArtifact(results, { creator: cfg.settings.mspName });
    // A workbook is binary: never printed to a terminal, written to --out or the current folder.
    const p = writeOut(io, out ?? `${base}.xlsx`, book.filename, book.content);
    io.err(`wrote ${p}`);
    return;
  }
  const renderer = await createConfiguredRenderer(cfg);
  try {
    if (format === 'html') {
      const { html } = await renderer.html(results, { images: 'data' });
      const p = writeOut(io, out, `${base}.html`, html);
      if (p) io.err(`wrote ${p}`);
    } else {
      const pdf = await renderer.pdf(results);
      const p = writeOut(io, out ?? `${base}.pdf`, pdf.filename, pdf.content);
      io.err(`wrote ${p}`);
    }
  } finally {
    await renderer.close();
  }
}

export default command;
