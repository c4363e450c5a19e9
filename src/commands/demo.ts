import fs from 'node:fs';
import path from 'node:path';
import { createConfiguredRenderer, createDeliveryDeps, computeByName, loadRegistry, loadSchedulesFor, openStore, syncStore } from '../app.js';
import { loadConfig, type Config } from '../config.js';
import { runScheduleNow } from '../delivery/execute.js';
import { loadSchedules } from '../delivery/schedules.js';
import { AppError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { packageRoot } from '../reporting/context.js';
import { DAY, addDays, dateOf, isoWeekMonday, zonedTime } from '../reporting/time.js';
import type { Scale } from '../simulator/index.js';
import { systemClock } from '../types.js';
import type { Command, CommandIO } from './types.js';

const SCALES: Scale[] = ['tiny', 'small', 'medium', 'large'];

/** The file that marks a folder as made by the demo: only such a folder is emptied by the next demo. */
export const DEMO_MARKER = '.psa-reports-demo';

/**
 * Makes `out` the demo's empty folder: a new or empty folder is taken (and marked), a folder the demo
 * made before is emptied; anything else is refused with exit 2 — `--out .` once deleted a user's files.
 */
export function prepareDemoFolder(out: string): void {
  const refuse = (why: string) => new AppError(`--out: ${out} ${why}. Give a new or empty folder (or remove this one yourself).`, 'USAGE', { details: { out } });
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw refuse(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (st?.isSymbolicLink()) throw refuse('is a symbolic link; the demo writes only into a real folder it owns');
  if (st && !st.isDirectory()) throw refuse('is not a folder');
  const entries = st ? fs.readdirSync(out) : [];
  if (entries.length) {
    let ours = false;
    try {
      ours = fs.lstatSync(path.join(out, DEMO_MARKER)).isFile();
    } catch {
      // not ours
    }
    if (!ours) throw refuse(`is not empty and was not made by psa-reports demo (it has no ${DEMO_MARKER} file); the demo empties its folder first`);
    // Our own folder: its contents go, the folder itself (perhaps a mount point) stays.
    for (const e of entries) fs.rmSync(path.join(out, e), { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, DEMO_MARKER), 'Made by psa-reports demo: the next demo into this folder empties it first.\n', { flag: 'wx' });
}

/**
 * The demo's "now": the last Monday 07:00 in the settings' zone at or before `t`, when Monday-morning
 * schedules run, so "last week" and "last month" read as a reader would see them on a real Monday.
 */
export function lastMondaySeven(t: number, tz: string): number {
  const monday = isoWeekMonday(dateOf(t, tz));
  const at = zonedTime(monday, 7, 0, tz);
  return at <= t ? at : zonedTime(addDays(monday, -7), 7, 0, tz);
}

/** One step of the demo, timed, on stderr. */
async function step<T>(io: CommandIO, label: string, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  io.err(`• ${label}…`);
  const v = await f();
  io.err(`  done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

const command: Command = {
  name: 'demo',
  summary: 'start the built-in Autotask simulator, sync it, run every schedule once: PDFs and .eml files in out/demo',
  usage: '[--out DIR] [--scale tiny|small|medium] [--seed N] [--days N]',
  description: `
Shows the whole product on this machine, with nothing sent anywhere:
  1. starts the Autotask simulator on 127.0.0.1 with a seeded, believable MSP (companies, contracts,
     technicians, tickets in every workflow, time entries, opportunities…), its clock --days before the
     last Monday 07:00 in the settings' zone (the demo runs as of that Monday morning; without a settings
     file the zone is that of the schedules, written to DIR/settings.json so PDFs and emails agree);
  2. syncs it into a fresh SQLite store, then lets the simulated service desk work one day at a time
     (tickets change, complete, reopen, escalate) with a sync after each day, so the store builds the
     ticket history that reopen, escalation and first-contact-resolution rates need;
  3. renders every report as a PDF (DIR/reports/);
  4. runs every schedule of schedules.json once, writing each email to DIR/outbox as an .eml file
     (open them in any mail client) and archiving attachments in DIR/runs/.
SMTP_URL and Autotask credentials in the environment are ignored: the demo only talks to itself.

Examples:
  psa-reports demo
  psa-reports demo --scale tiny --days 7 --out /tmp/demo`,
  options: [
    { name: 'out', type: 'string', short: 'o', arg: '<dir>', help: 'output folder (default out/demo): a new or empty folder, or one an earlier demo made (emptied first); any other is refused' },
    { name: 'scale', type: 'string', arg: '<size>', help: 'simulated tenant size: tiny | small (default) | medium' },
    { name: 'seed', type: 'string', arg: '<n>', help: 'generator seed (default 42): the same seed gives the same MSP' },
    { name: 'days', type: 'string', arg: '<n>', help: 'days of simulated service-desk activity between syncs (default 14)' },
  ],
  async run(args, { io, loadConfig: loadBase }) {
    const base = loadBase();
    const out = path.resolve(io.cwd, (args.values.out as string | undefined) ?? 'out/demo');
    const scale = ((args.values.scale as string | undefined) ?? 'small') as Scale;
    if (!SCALES.includes(scale)) throw new AppError(`--scale: "${scale}" is not allowed. Allowed: ${SCALES.join(', ')}`, 'USAGE');
    const seed = Number(args.values.seed ?? 42);
    const days = Number(args.values.days ?? 14);
    if (!Number.isInteger(seed)) throw new AppError(`--seed: "${String(args.values.seed)}" is not a whole number`, 'USAGE');
    if (!Number.isInteger(days) || days < 0 || days > 90) throw new AppError(`--days: "${String(args.values.days)}" is not allowed. Allowed: a whole number from 0 to 90`, 'USAGE');
    const started = performance.now();

    prepareDemoFolder(out);
    // Outside the project folder there may be no schedules.json: the demo then uses the shipped one.
    const schedulesFile = fs.existsSync(base.schedulesFile) ? base.schedulesFile : path.join(packageRoot(), 'schedules.json');
    // Without a settings file the reports would be cut in UTC while the schedules run (and their e-mails
    // tell the time) in their own zone: the PDFs and the e-mails of one Monday would disagree. The demo
    // then writes a settings file with the schedules' zone, and its hints pass it to the next commands.
    let configFile = base.configFile;
    let tz = base.settings.timezone;
    if (!configFile) {
      const zones = [...new Set(loadSchedules(schedulesFile, { reportIds: loadRegistry().map((r) => r.id) }).schedules.map((s) => s.timezone))];
      if (zones.length === 1) {
        tz = zones[0]!;
        configFile = path.join(out, 'settings.json');
        writeFileAtomic(configFile, `${JSON.stringify({ $comment: "Written by psa-reports demo: the schedules' time zone, so reports are cut where e-mails tell the time.", settings: { timezone: zones[0] } }, null, 2)}\n`);
      }
    }
    const { startSimulator } = await import('../simulator/index.js');
    // The simulated desk works up to the last Monday 07:00 (the settings' zone), and the schedules run then.
    const asOfDemo = lastMondaySeven(systemClock.now(), tz);
    const sim = await step(io, `Starting the Autotask simulator (${scale} MSP, seed ${seed})`, () =>
      startSimulator({ port: 0, seed, scale, now: asOfDemo - days * DAY }));
    try {
      // The demo's own configuration: the simulator's credentials, a fresh store, the outbox; the user's
      // settings file (else the demo's) and schedules are kept.
      const cfg: Config = loadConfig(
        { ...(configFile ? { config: configFile } : {}), db: path.join(out, 'demo.db'), schedules: schedulesFile },
        {
          ...io.env,
          AUTOTASK_BASE_URL: sim.baseUrl, AUTOTASK_ZONE_URL: sim.zoneUrl, AUTOTASK_USERNAME: sim.credentials.username,
          AUTOTASK_SECRET: sim.credentials.secret, AUTOTASK_INTEGRATION_CODE: sim.credentials.integrationCode,
          PSA_REPORTS_OUTBOX: path.join(out, 'outbox'), SMTP_URL: '',
        },
        io.cwd,
      );
      const demoCfg: Config = { ...cfg, paths: { outbox: path.join(out, 'outbox'), output: out } };
      loadRegistry();
      const schedules = loadSchedulesFor(demoCfg);
      const simClock = { now: () => sim.now() };
      const db = openStore(demoCfg);
      try {
        await step(io, 'Initial sync into SQLite', async () => {
          const s = await syncStore(demoCfg, io, { db, clock: simClock, progress: io.isTTY ? 'auto' : 'none' });
          if (!s.ok) throw new AppError(`the demo sync failed: ${s.failed.join(', ')}`, 'INTERNAL');
          io.err(`  ${s.entities.reduce((a, e) => a + (e.ok ? e.rows : 0), 0)} rows in ${s.requests} requests`);
        });
        if (days > 0) {
          await step(io, `Letting the service desk work for ${days} simulated days (one sync per day)`, async () => {
            for (let d = 1; d <= days; d++) {
              sim.advance(DAY);
              const s = await syncStore(demoCfg, io, { db, clock: simClock, progress: 'none' });
              if (!s.ok) throw new AppError(`the demo sync of day ${d} failed: ${s.failed.join(', ')}`, 'INTERNAL');
              if (io.isTTY) io.err(`\r  day ${d}/${days}`);
            }
          });
        }
        const asOf = sim.now();
        const reportsDir = path.join(out, 'reports');
        await step(io, 'Rendering every report as a PDF', async () => {
          const results = computeByName(db, demoCfg, loadRegistry().map((r) => r.id), { asOf, trend: true, snapshotAt: simClock.now() });
          const renderer = await createConfiguredRenderer(demoCfg, simClock);
          fs.mkdirSync(reportsDir, { recursive: true });
          try {
            for (const r of results) {
              if (!r.ok) { io.err(`  ${r.name}: FAILED — ${r.error.message}`); continue; }
              const pdf = await renderer.pdf([r.value], { filename: `${r.name.replace('/', '-')}.pdf` });
              writeFileAtomic(path.join(reportsDir, pdf.filename), pdf.content);
            }
          } finally {
            await renderer.close();
          }
        });
        const wiring = await createDeliveryDeps(demoCfg, io, { clock: simClock, schedules, db });
        let failedRuns = 0;
        try {
          await step(io, `Running every schedule once (${schedules.schedules.length}) into the outbox`, async () => {
            for (const s of schedules.schedules) {
              const o = await runScheduleNow(wiring.deps, s);
              const sent = o.deliveries.filter((d) => d.state === 'sent').length;
              if (o.state !== 'sent' && o.state !== 'skipped') failedRuns++;
              io.err(`  ${s.id}: ${o.state}${o.reason ? ` (${o.reason})` : ''}, ${sent} message(s)`);
            }
          });
        } finally {
          await wiring.close();
        }
        const pdfs = fs.readdirSync(reportsDir).filter((f) => f.endsWith('.pdf')).length;
        const emls = fs.existsSync(demoCfg.paths.outbox) ? fs.readdirSync(demoCfg.paths.outbox).filter((f) => f.endsWith('.eml')).length : 0;
        io.out([
          '',
          `Demo finished in ${((performance.now() - started) / 1000).toFixed(0)} s.`,
          `  store:    ${demoCfg.db}`,
          `  reports:  ${reportsDir}/  (${pdfs} PDFs)`,
          `  emails:   ${demoCfg.paths.outbox}/  (${emls} .eml files — open them in a mail client)`,
          `  archive:  ${path.join(out, 'runs')}/  (attachments of every run)`,
          ...(configFile && configFile !== base.configFile ? [`  settings: ${shown(io.cwd, configFile)}  (times in ${tz}, the schedules' zone)`] : []),
          '',
          `Next: psa-reports run intake/backlog --db ${shown(io.cwd, demoCfg.db)}${configFile && configFile !== base.configFile ? ` --config ${shown(io.cwd, configFile)}` : ''}   ·   psa-reports history --db ${shown(io.cwd, demoCfg.db)}`,
        ].join('\n'));
        return failedRuns ? 1 : 0;
      } finally {
        db.close();
      }
    } finally {
      await sim.close();
    }
  },
};

export default command;

/** A path as the reader types it next: relative to where they are when it lies below, else absolute. */
function shown(cwd: string, p: string): string {
  const rel = path.relative(cwd, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(p) : rel;
}
