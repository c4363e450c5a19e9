import { createDeliveryDeps, loadSchedulesFor } from '../app.js';
import { watchFile } from '../files.js';
import { Daemon } from '../daemon.js';
import { createLogger } from '../log.js';
import { nextRun } from '../delivery/cron.js';
import { Events } from '../delivery/events.js';
import { cronWakeups } from '../delivery/wakeups.js';
import { AppError } from '../errors.js';

import type { Command } from './types.js';

const command: Command = {
  name: 'daemon',
  summary: 'run schedules on time: sync, compute, render and deliver each due run exactly once',
  usage: '[--once] [--tick <seconds>] [--serve [--host 127.0.0.1] [--port 8080]]',
  description: `
Runs every enabled schedule of schedules.json when it is due, in the schedule's time zone. Before a run,
data older than the schedule's "freshness" is synced; each run has one deadline covering sync, compute,
render and delivery. Every run and every message is recorded in the database (see "psa-reports history"),
so a recipient gets each report once even across restarts, crashes and a second daemon on the same
database: only one daemon per database works at a time, another one waits as a standby.

After downtime, each schedule's "catchUp" decides what is sent late: "skip" (nothing), "latest" (the most
recent missed run) or "all-within:6h" (every missed run of the last 6 hours).

Edits to schedules.json are picked up at the next check (within the tick, at once on SIGHUP): the log says
which schedules were added, removed or changed. An edit that is not valid is logged as an error naming the
file and field, and the schedules in use stay until the file is fixed ("psa-reports check" shows the same).
Edits to the settings file (--config) work the same way for the KPI settings (targets, workflows, business
hours, the MSP's name…), which apply from the next run; its render, autotask and paths parts need a restart,
and the log says so. A schedule's reports are computed in the schedule's own "timezone": the settings' time
zone is only the default of "psa-reports run" on the command line, so editing it changes no schedule.

With alert rules in schedules.json ("alerts"), the daemon also syncs every alerts.syncEveryMinutes (default
5) inside business hours and every alerts.syncOutsideHoursMinutes (default 60) outside them, and evaluates
the rules after every successful sync; notifications go out once per change of state and recipient.

Logs are JSON lines on standard output (no passwords). SIGTERM or SIGINT stops it gracefully: the current
run finishes (up to 20 s) or is handed back, and the next start resumes it.

Examples:
  SMTP_URL=smtp://user:pass@mail.example:587 MAIL_FROM=reports@msp.example psa-reports daemon
  psa-reports daemon --once        # one check: run whatever is due now, then exit (for cron/systemd timers)
  psa-reports daemon --serve       # also serve the web app (see "psa-reports serve --help") in the same process`,
  options: [
    { name: 'once', type: 'boolean', help: 'check once, run what is due, wait for it, exit (1 if a run failed)' },
    { name: 'tick', type: 'string', arg: '<seconds>', help: 'longest wait between checks, 1–30 (default 30)' },
    { name: 'serve', type: 'boolean', help: 'also serve the web app in this process (psa-reports serve)' },
    { name: 'host', type: 'string', arg: '<address>', help: 'with --serve: address to listen on (default 127.0.0.1)' },
    { name: 'port', type: 'string', arg: '<port>', help: 'with --serve: TCP port (default 8080)' },
  ],
  async run(args, { io, loadConfig, clock, log: logOpts }) {
    const cfg = loadConfig();
    let tickMs = 30_000;
    if (args.values.tick !== undefined) {
      const n = Number(args.values.tick);
      if (!Number.isFinite(n) || n < 1 || n > 30) throw new AppError(`--tick: "${String(args.values.tick)}" is not a number of seconds from 1 to 30`, 'USAGE');
      tickMs = Math.round(n * 1000);
    }
    if (!args.values.serve && (args.values.host !== undefined || args.values.port !== undefined)) throw new AppError('--host and --port go with --serve', 'USAGE');
    const { listenOptions, startServe } = await import('./serve.js');
    const listen = args.values.serve ? listenOptions(args.values) : null;
    const events = new Events();
    const log = createLogger({ format: logOpts?.format ?? 'json', level: logOpts?.level ?? 'info', write: (l) => io.out(l), clock, secrets: [cfg.env.secret, cfg.env.integrationCode, cfg.webAuth.oidcClientSecret] });
    events.onAny(log);
    const wiring = await createDeliveryDeps(cfg, io, { events, clock });
    const { deps, schedules } = wiring;
    const reload = watchFile(schedules.file, () => loadSchedulesFor(cfg));
    // settings.json: its KPI settings (targets, workflows, hours…) apply from the next run; the rest needs a restart.
    const settingsFile = cfg.configFile;
    const settingsChanged = settingsFile ? watchFile(settingsFile, () => true) : () => null;
    const reloadSettings = () => {
      if (!settingsFile || !settingsChanged()) return;
      try {
        const needRestart = wiring.useSettings(loadConfig({ fresh: true }));
        events.emit('settings:reloaded', { file: settingsFile, needRestart });
      } catch (e) {
        events.emit('settings:invalid', { file: settingsFile, error: (e as Error).message });
      }
    };
    const wakeups = cronWakeups((schedule, reason) => events.emit('daemon:error', { error: `schedule ${schedule}: no timer for its cron (${reason}); it is checked every ${tickMs / 1000} s instead` }));
    // Alert rules want fresh data: sync every alerts.syncEveryMinutes inside business hours (the API budget
    // ledger paces every request), alerts.syncOutsideHoursMinutes outside. Without rules, syncs are only
    // the ones a schedule's freshness asks for.
    const { businessHoursTest } = await import('../app.js');
    const inHours = businessHoursTest(deps.db, cfg);
    let current = schedules;
    const poll = wiring.alerts ? {
      everyMs: (now: number) => {
        if (!current.alerts.some((a) => a.enabled)) return null;
        const m = inHours(now) ? cfg.alerts.syncEveryMinutes : cfg.alerts.syncOutsideHoursMinutes;
        return m === null ? null : m * 60_000;
      },
      run: async (signal: AbortSignal) => {
        const r = await deps.syncer.sync({ signal });
        events.emit('poll:sync', r.ok ? { ok: true } : { ok: false, error: r.error ?? 'failed' });
        // Notifications a failed sync left pending (a channel was down) are tried again.
        await wiring.alerts?.deliver(signal);
      },
    } : undefined;
    const reloadAll = () => {
      const next = reload();
      if (next) {
        current = next;
        wiring.alerts?.useSchedules(next);
      }
      return next;
    };
    const daemon = new Daemon(deps, { schedules, tickMs, reload: reloadAll, reloadSettings, wakeups, ...(poll ? { poll } : {}) });
    // The web app in the same process (the simplest deployment); refused before any run when its address is.
    let web: Awaited<ReturnType<typeof startServe>> | null = null;
    try {
      if (listen) web = await startServe(cfg, io, listen, clock);
    } catch (e) {
      await wiring.close();
      throw e;
    }
    if (web) io.err(`psa-reports daemon: web app on ${web.url}`);
    const now = clock.now();
    events.emit('daemon:started', {
      pid: process.pid, owner: deps.owner.id, db: cfg.db, schedulesFile: schedules.file, mail: deps.mailer.describe(),
      schedules: schedules.schedules.map((s) => ({ id: s.id, enabled: s.enabled, cron: s.cron, timezone: s.timezone, next: s.enabled ? new Date(nextRun(s, now) ?? 0).toISOString() : null })),
    });
    try {
      if (args.values.once) {
        const t = await daemon.tick();
        if (!t.lockHeld) {
          io.err('psa-reports daemon --once: another daemon holds this database; nothing done');
          return 1;
        }
        await daemon.idle();
        await daemon.pollIdle();
        await daemon.stop('once');
        return daemon.outcomes.some((o) => o.state === 'failed' || o.state === 'partial') ? 1 : 0;
      }
      const stopped = new Promise<string>((resolve) => {
        const on = (sig: string) => () => resolve(sig);
        process.once('SIGTERM', on('SIGTERM'));
        process.once('SIGINT', on('SIGINT'));
      });
      const hup = () => daemon.wakeUp();
      process.on('SIGHUP', hup);
      daemon.start();
      const sig = await stopped;
      process.off('SIGHUP', hup);
      await daemon.stop(sig);
      return 0;
    } finally {
      await web?.closeAll();
      await wiring.close();
    }
  },
};
export default command;
