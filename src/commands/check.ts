import fs from 'node:fs';
import path from 'node:path';
import { REPORTS } from '../../reports/index.js';
import { AppError } from '../errors.js';
import { openSession, packageRoot } from '../reporting/context.js';
import { validateReports, type RegisteredReport } from '../reporting/define.js';
import { loadSchedules } from '../delivery/schedules.js';
import { defaultSettings, type Config, type Settings } from '../config.js';
import { missingStore, openDb, storeError, type Db } from '../store/db.js';
import { storeLedger } from '../store/request-ledger.js';
import { allowedRequests, DEFAULT_THRESHOLD, type RequestLedger } from '../autotask/budget.js';
import { redactUrl } from '../redact.js';
import { senderProblem } from '../delivery/address.js';
import { parseSmtpUrl } from '../delivery/mailer.js';
import { refusedNote, resolveRecipients, type RefusedRecipient } from '../delivery/recipients.js';
import type { SchedulesFile } from '../delivery/schedules.js';
import { lastSyncAt } from '../app.js';
import { executableProblem } from '../files.js';
import type { Command } from './types.js';
import { checkChannels, checkMail, checkRoles, checkSubjects, checkTargets, checkWebAuth, checkZones, type CheckOutcome } from './check-config.js';

/** The SQL files of every report folder, relative to reports/. */
function sqlFiles(root: string): string[] {
  const out: string[] = [];
  for (const g of fs.readdirSync(root, { withFileTypes: true })) {
    if (!g.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(root, g.name))) if (f.endsWith('.sql')) out.push(`${g.name}/${f}`);
  }
  return out.sort();
}

/**
 * Validates report definitions (zod shape, ids) and compiles every SQL file under `root` against an empty
 * store of the current schema, with the engine's SQL functions and workflow table, so a wrong column or
 * table name is found before a schedule fires. Every problem is returned, each with its file path.
 */
export function checkReports(map: Record<string, unknown>, root: string, settings: Settings): { reports: RegisteredReport[]; sqlFiles: number; errors: string[] } {
  const { reports, errors } = validateReports(map);
  const db = openDb(':memory:');
  try {
    openSession(db, settings, root);
    const files = sqlFiles(root);
    for (const f of files) {
      try {
        db.prepare(fs.readFileSync(path.join(root, f), 'utf8'));
      } catch (e) {
        errors.push(`reports/${f}: ${(e as Error).message}`);
      }
    }
    return { reports, sqlFiles: files.length, errors };
  } finally {
    db.close();
  }
}

function ago(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 90) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}

const n = (x: number): string => x.toLocaleString('en-US');

/**
 * The API budget used in the last hour, from the store's request ledger (every process on the store):
 * against the share budgetShare × the tenant's threshold (10,000 until a sync has read it), and the whole
 * database's hour at the last ThresholdInformation read.
 */
export function budgetLine(db: Db, cfg: Config, now: number): string {
  let ledger: RequestLedger;
  try {
    ledger = storeLedger(db);
  } catch {
    // A store last opened by a version without the ledger (check opens it read-only, so no migration ran).
    return '--  API budget: no requests recorded yet (the next sync records them)';
  }
  const reading = ledger.lastThreshold();
  const threshold = reading?.threshold ?? DEFAULT_THRESHOLD;
  const { share, others } = allowedRequests(cfg.autotask.budgetShare, threshold, reading);
  const used = ledger.used(now);
  const pct = Math.round((used / share) * 100);
  const tenant = reading
    ? `; the Autotask database was at ${n(reading.tenantUsed)} of ${n(threshold)} (${n(others)} by other integrations) ${ago(Math.max(0, now - reading.at))}`
    : '';
  return `${pct >= 90 ? '!!' : '--'}  API budget: ${n(used)} of ${n(share)} requests in the last hour (${pct} %, autotask.budgetShare ${cfg.autotask.budgetShare})${tenant}`;
}

/** What this configuration would use on this machine: informational lines ("--"), or "!!" for what is missing. */
export function environment(cfg: Config, now: number): string[] {
  const out: string[] = [];
  const e = cfg.env;
  const missing = [
    ['AUTOTASK_USERNAME', e.username], ['AUTOTASK_SECRET', e.secret], ['AUTOTASK_INTEGRATION_CODE', e.integrationCode],
  ].filter(([, v]) => !v).map(([k]) => k);
  out.push(missing.length
    ? `!!  autotask: ${missing.join(', ')} not set (sync and the daemon need them; the demo does not)`
    : `--  autotask: user ${e.username}, ${e.baseUrl ? `REST base ${e.baseUrl} (AUTOTASK_BASE_URL)` : `zone found through ${e.zoneUrl} at the first sync`}`);
  out.push(cfg.smtpUrl
    ? `--  mail: SMTP ${redactUrl(cfg.smtpUrl)}, from ${cfg.mailFrom}`
    : `--  mail: no SMTP_URL, so messages are written as .eml files to ${cfg.paths.outbox}`);
  const chromium = cfg.render.chromiumPath;
  const unrunnable = executableProblem(chromium);
  out.push(!unrunnable
    ? `--  chromium: ${chromium} (PDFs)`
    : `!!  chromium: ${unrunnable === 'does not exist' ? `not found at ${chromium}` : `${chromium} ${unrunnable}`}: PDFs cannot be made. Install it (apt-get install -y chromium) or set render.chromiumPath / PUPPETEER_EXECUTABLE_PATH`);
  if (!fs.existsSync(cfg.db)) {
    out.push(`!!  store: ${cfg.db} does not exist yet: run psa-reports sync (or psa-reports demo)`);
  } else {
    try {
      const db = openDb(cfg.db, { readonly: true });
      try {
        const last = lastSyncAt(db);
        out.push(last === null
          ? `!!  store: ${cfg.db} has never completed a sync: run psa-reports sync`
          : `--  store: ${cfg.db}, last sync ${new Date(last).toISOString()} (${ago(now - last)})`);
        out.push(budgetLine(db, cfg, now));
      } finally {
        db.close();
      }
    } catch (err) {
      out.push(`!!  store: ${cfg.db} cannot be read: ${(storeError(cfg.db, err) as Error).message}`);
    }
  }
  return out;
}

/**
 * Recipient addresses the store's Autotask resources give the schedules' roles that a run would refuse
 * (not exactly one plain address): "!!" lines, nothing when the store does not exist or cannot be read.
 */
export function refusedAddresses(dbFile: string, file: Pick<SchedulesFile, 'roles'>): string[] {
  if (!fs.existsSync(dbFile)) return [];
  let db;
  try {
    db = openDb(dbFile, { readonly: true });
  } catch {
    return []; // the store line of environment() says why
  }
  try {
    const refused: RefusedRecipient[] = [];
    for (const [name, role] of Object.entries(file.roles)) resolveRecipients(db, role, refused, name);
    return [...new Set(refused.map((r) => `!!  recipients: ${refusedNote(r)}`))];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

const command: Command = {
  name: 'check',
  summary: 'validate settings, schedules.json and every report definition; exit 2 on problems',
  usage: '',
  description: `
Validates, and reports every problem at once with the file, the path inside it and what is allowed:
  settings   the settings file (--config), the environment and the flags
  reports    every report definition (reports/<group>/<name>.ts) and its SQL files
  schedules  schedules.json (--schedules, env PSA_REPORTS_SCHEDULES, default ./schedules.json):
             crons, zones, roles and report references
  mistakes that would pass silently: target keys no report has (named with the closest valid key),
             subject placeholders other than {period} {date} {schedule} {name}, a role that reaches
             nobody (with a synced store, --db: how many people each Autotask selector reaches),
             SMTP_URL syntax, and MAIL_FROM left on localhost while SMTP_URL is a real server
  --online   logs into SMTP (no message is sent) and Autotask: the budget used this hour, and for each
             entity the sync reads whether the API user may read it and which permission to grant

Prints an "ok" line per part that is valid. Exit code 0 when all are valid, 2 otherwise.
A missing schedules.json at the default path is noted, not an error (only daemon and run --schedule need it).

Then it tells what this machine would use, without changing anything (never printing a secret): which
Autotask variables are set, where mail goes (SMTP host or the outbox folder), whether Chromium is there for
PDFs, the store's last successful sync and the API budget used in the last hour (every process on the
store together, against autotask.budgetShare of Autotask's hourly threshold). Lines marked "!!" need attention before the daemon runs.

Examples:
  psa-reports check --config settings.json --schedules schedules.json
  psa-reports check --config settings.json --db /var/lib/psa-reports/psa-reports.db --online`,
  options: [
    { name: 'online', type: 'boolean', help: 'also log into SMTP (no message sent) and Autotask: budget use, and whether the API user may read each entity' },
  ],
  async run(args, { io, loadConfig, clock }) {
    const problems: string[] = [];
    const ok = (s: string) => io.out(`ok  ${s}`);
    const take = (o: CheckOutcome) => {
      for (const l of o.info) io.out(l);
      problems.push(...o.problems);
    };

    let cfg: Config | undefined;
    try {
      cfg = loadConfig();
      ok(`settings: ${cfg.configFile ?? 'built-in defaults (no --config)'}`);
    } catch (e) {
      problems.push(e instanceof AppError ? e.message : String(e));
    }

    const { reports, sqlFiles: nSql, errors } = checkReports(REPORTS, path.join(packageRoot(), 'reports'), cfg?.settings ?? defaultSettings());
    if (errors.length) {
      problems.push(`invalid report definitions:\n${errors.join('\n')}`);
    } else {
      ok(`reports: ${reports.length} definitions, ${nSql} SQL files`);
    }

    // Mail settings the send path would refuse (it never sends without a From header).
    if (cfg) {
      const sender = senderProblem(cfg.mailFrom);
      if (sender) problems.push(sender);
      if (cfg.smtpUrl) {
        try {
          parseSmtpUrl(cfg.smtpUrl);
        } catch (e) {
          problems.push(e instanceof AppError ? e.message : 'SMTP_URL cannot be read');
        }
      }
    }

    // Without a valid settings file the schedules path still follows the usual order: flag < env < default.
    const given = (args.values.schedules as string | undefined) ?? io.env.PSA_REPORTS_SCHEDULES;
    const schedulesFile = cfg?.schedulesFile ?? path.resolve(io.cwd, given ?? 'schedules.json');
    let schedules: SchedulesFile | undefined;
    if (!given && !fs.existsSync(schedulesFile)) {
      io.out(`--  schedules: none at ${schedulesFile} (only daemon and run --schedule need it; give --schedules <file>)`);
    } else {
      try {
        schedules = loadSchedules(schedulesFile, { reportIds: reports.map((r) => r.id) });
        ok(`schedules: ${schedules.schedules.length} schedule(s), ${Object.keys(schedules.roles).length} role(s) in ${schedulesFile}`);
      } catch (e) {
        problems.push(e instanceof AppError ? e.message : String(e));
      }
    }

    if (cfg) take(checkTargets(cfg, reports));
    if (schedules) {
      take(checkSubjects(schedules));
      take(checkRoles(schedules, cfg?.db ?? null));
      take(checkChannels(schedules, io.env));
      if (cfg) take(checkZones(cfg, schedules));
    }
    if (cfg) for (const line of environment(cfg, clock.now())) io.out(line);
    // A store named on purpose (--db, PSA_REPORTS_DB) that is not there is a mistyped path, not a first run.
    const dbGiven = (args.values.db as string | undefined) ?? io.env.PSA_REPORTS_DB;
    if (cfg && dbGiven && !fs.existsSync(cfg.db)) {
      problems.push(missingStore(cfg.db).message);
    }
    if (cfg && schedules) for (const line of refusedAddresses(cfg.db, schedules)) io.out(line);
    if (cfg) take(checkMail(cfg, io.env));
    if (cfg) take(checkWebAuth(cfg));
    if (cfg && args.values.online === true) {
      const { checkSmtp, checkAutotask } = await import('./check-online.js');
      take(await checkSmtp(cfg));
      take(await checkAutotask(cfg));
    }

    for (const p of problems) io.err(p);
    if (problems.length) {
      io.err(`check: ${problems.length} part(s) invalid`);
      return 2;
    }
    return 0;
  },
};
export default command;
