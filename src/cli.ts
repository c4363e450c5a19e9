import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { AppError, exitCodeOf } from './errors.js';
import { systemClock, type Clock } from './types.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import type { Command, CommandIO, OptionSpec } from './commands/types.js';

/**
 * Thin CLI: argv → command → exit code. Each subcommand lives in src/commands/<name>.ts and is loaded
 * only when used, so `psa-reports --help` starts fast and a broken optional part (Chromium, canvas)
 * never stops `sync` or `check`.
 */

const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  init: () => import('./commands/init.js'),
  demo: () => import('./commands/demo.js'),
  sync: () => import('./commands/sync.js'),
  run: () => import('./commands/run.js'),
  daemon: () => import('./commands/daemon.js'),
  check: () => import('./commands/check.js'),
  list: () => import('./commands/list.js'),
  history: () => import('./commands/history.js'),
  simulate: () => import('./commands/simulate.js'),
  serve: () => import('./commands/serve.js'),
  users: () => import('./commands/users.js'),
  backup: () => import('./commands/backup.js'),
  restore: () => import('./commands/restore.js'),
  alerts: () => import('./commands/alerts.js'),
  webhooks: () => import('./commands/webhooks.js'),
};

/** One-line summaries, kept here so the top-level help needs no imports. */
const SUMMARIES: Record<string, string> = {
  init: 'write a starting settings.json, schedules.json and psa-reports.env.example, then say what to do next',
  demo: 'start the built-in Autotask simulator, sync it, run every schedule once: PDFs and .eml files in out/demo',
  sync: 'bring the local SQLite store up to date with Autotask (incremental; --full re-reads everything)',
  run: 'compute reports (json/csv/html/pdf) or run a schedule now (--send, --dry-run)',
  daemon: 'run schedules on time: sync, compute, render and deliver each due run exactly once',
  check: 'validate settings, schedules.json and every report definition; exit 2 on problems',
  list: 'list reports, schedules, roles or entities',
  history: 'recent runs and deliveries, failures first',
  simulate: 'serve a seeded Autotask-compatible REST API on 127.0.0.1 (for trials and tests)',
  serve: 'the web app: reports for any period, the board, scorecards, schedules, history (127.0.0.1:8080)',
  users: 'add, list or remove users of the web app',
  backup: 'copy the store to a file with SQLite\'s online backup (safe while the daemon runs)',
  restore: 'replace the store with a backup (refused while a daemon uses it; the replaced store is kept)',
  alerts: 'list alert rules and their states; "alerts test <id>" shows what an evaluation now would send',
  webhooks: 'install, show or remove the Autotask ticket webhook that tells "serve" about changes in seconds',
};

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'config', type: 'string', arg: '<settings.json>', help: 'settings file (KPI settings, Autotask budget, renderer); default: built-in defaults' },
  { name: 'db', type: 'string', arg: '<file>', help: 'SQLite store (env PSA_REPORTS_DB; default ./psa-reports.db)' },
  { name: 'schedules', type: 'string', arg: '<file>', help: 'schedules file (env PSA_REPORTS_SCHEDULES; default ./schedules.json)' },
  { name: 'log-format', type: 'string', arg: '<human|json>', help: 'log every event (sync, Autotask client, browser, delivery) as human lines or JSON lines; the daemon logs JSON by default' },
  { name: 'log-level', type: 'string', arg: '<level>', help: 'debug | info (default) | warn | error; debug adds every request and page' },
  { name: 'help', type: 'boolean', short: 'h', help: 'show help' },
];

function topHelp(): string {
  const width = Math.max(...Object.keys(SUMMARIES).map((k) => k.length));
  return [
    'psa-reports — KPI reports from Autotask PSA, rendered and emailed on schedule',
    '',
    'Usage: psa-reports <command> [options]',
    '',
    'Commands:',
    ...Object.entries(SUMMARIES).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
    '',
    'Environment:',
    '  AUTOTASK_USERNAME, AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE   API-only user credentials (required for sync)',
    '  AUTOTASK_BASE_URL   REST base ending in ATServicesRest/ (skips zone discovery)',
    '  AUTOTASK_ZONE_URL   zone discovery base (default https://webservices.autotask.net/atservicesrest/)',
    '  SMTP_URL            smtp://user:pass@host:587 (without it, mail goes to the outbox folder as .eml)',
    '  MAIL_FROM           sender address',
    '',
    'Start here:  psa-reports demo        then  psa-reports <command> --help',
  ].join('\n');
}

export function formatOptions(opts: OptionSpec[]): string[] {
  const left = opts.map((o) => `  ${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.arg ? ` ${o.arg}` : ''}`);
  const w = Math.max(...left.map((l) => l.length));
  return opts.map((o, i) => `${left[i]!.padEnd(w)}  ${o.help}`);
}

export function commandHelp(cmd: Command): string {
  return [
    `psa-reports ${cmd.name} — ${cmd.summary}`,
    '',
    `Usage: psa-reports ${cmd.name} ${cmd.usage}`.trimEnd(),
    '',
    cmd.description.trim(),
    '',
    'Options:',
    ...formatOptions(cmd.options),
    '',
    'Global options:',
    ...formatOptions(GLOBAL_OPTIONS),
  ].join('\n');
}

export function defaultIO(): CommandIO {
  return {
    out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    isTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Entry point: returns the exit code. */
export async function main(argv: string[], io: CommandIO = defaultIO(), clock: Clock = systemClock): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out('psa-reports 0.1.0');
    return 0;
  }
  const loader = COMMANDS[name];
  if (!loader) {
    io.err(`psa-reports: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. Try: psa-reports --help`);
    return 2;
  }
  let cached: Config | undefined;
  try {
    const cmd = (await loader()).default;
    const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
    for (const o of [...GLOBAL_OPTIONS, ...cmd.options]) {
      options[o.name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new AppError(`${(e as Error).message}. Try: psa-reports ${name} --help`, 'USAGE', { cause: e });
    }
    if (parsed.values.help) {
      io.out(commandHelp(cmd));
      return 0;
    }
    const load = (o: { fresh?: boolean } = {}) => {
      const read = () => loadConfig(
        { config: parsed.values.config as string | undefined, db: parsed.values.db as string | undefined, schedules: parsed.values.schedules as string | undefined },
        io.env,
        io.cwd,
      );
      // fresh: read the files again (the daemon, after the settings file changed).
      if (o.fresh) return read();
      cached ??= read();
      return cached;
    };
    const format = parsed.values['log-format'] as string | undefined;
    const level = (parsed.values['log-level'] as string | undefined) ?? 'info';
    if (format !== undefined && !(LOG_FORMATS as readonly string[]).includes(format)) throw new AppError(`--log-format: "${format}" is not allowed. Allowed: ${LOG_FORMATS.join(', ')}`, 'USAGE');
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new AppError(`--log-level: "${level}" is not allowed. Allowed: ${LOG_LEVELS.join(', ')}`, 'USAGE');
    const log = { ...(format ? { format: format as LogFormat } : {}), level: level as LogLevel };
    return await cmd.run({ values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals: parsed.positionals }, { io, loadConfig: load, clock, log });
  } catch (thrown) {
    // A SQLite failure past the opening (a disk full during a sync, a page found damaged) names the store.
    const sqlite = cached && /^SQLITE_/.test(String((thrown as { code?: unknown } | null)?.code));
    const e = sqlite ? (await import('./store/db.js')).storeError(cached!.db, thrown) : thrown;
    const msg = e instanceof AppError ? e.message : (e as Error)?.stack ?? String(e);
    io.err(`psa-reports ${name}: ${msg}`);
    return exitCodeOf(e);
  }
}
