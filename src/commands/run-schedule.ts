import type { Clock } from '../types.js';
import { createDeliveryDeps, openStore } from '../app.js';
import type { Config } from '../config.js';
import { runScheduleNow } from '../delivery/execute.js';
import { testCopyOf } from '../delivery/schedules.js';
import { loadSchedulesFor } from '../app.js';
import { AppError } from '../errors.js';
import type { CommandContext, CommandIO } from './types.js';
import { Events } from '../events.js';
import { createLogger } from '../log.js';

/**
 * `run <schedule-id> --send | --dry-run`. --send is a manual run in the ledger (its own row, delivered once
 * per recipient, visible in `history`); --dry-run renders every message into a folder and sends nothing.
 */
export async function runScheduleNow_(cfg: Config, io: CommandIO, clock: Clock, ids: string[], opts: { send: boolean; dryRun: boolean; to?: string; log?: CommandContext['log'] }): Promise<number> {
  if (opts.send && opts.dryRun) throw new AppError('--send and --dry-run exclude each other: choose one', 'USAGE');
  // --to: a test copy for one address instead of the schedule's recipients.
  let schedules = opts.to !== undefined ? loadSchedulesFor(cfg) : undefined;
  if (schedules && opts.to !== undefined) for (const id of ids) if (schedules.schedules.some((s) => s.id === id)) schedules = testCopyOf(schedules, id, opts.to);
  const events = new Events();
  // --log-format: every event of the run (sync, client, browser, delivery) as log lines on stderr.
  if (opts.log?.format) events.onAny(createLogger({ format: opts.log.format, level: opts.log.level, write: (l) => io.err(l), clock }));
  // A schedule run reads the store (a dry run only reads it): a mistyped --db must not start a new one.
  const db = openStore(cfg, { mustExist: true });
  let wiring: Awaited<ReturnType<typeof createDeliveryDeps>>;
  try {
    wiring = await createDeliveryDeps(cfg, io, { db, clock, events, ...(opts.dryRun ? { dryRun: true } : {}), ...(schedules ? { schedules } : {}) });
  } catch (e) {
    db.close();
    throw e;
  }
  try {
    const unknown = ids.filter((id) => !wiring.schedules.schedules.some((s) => s.id === id));
    if (unknown.length) {
      throw new AppError(`${cfg.schedulesFile}: no schedule with id ${unknown.map((u) => `"${u}"`).join(', ')}. Allowed: ${wiring.schedules.schedules.map((s) => s.id).join(', ')}. (To compute reports instead, leave out --send/--dry-run.)`, 'USAGE');
    }
    let failed = 0;
    for (const id of ids) {
      const schedule = wiring.schedules.schedules.find((s) => s.id === id)!;
      const outcome = await runScheduleNow(wiring.deps, schedule);
      const sent = outcome.deliveries.filter((d) => d.state === 'sent').length;
      const bad = outcome.deliveries.filter((d) => d.state === 'failed');
      if (opts.dryRun) {
        io.out(`${id}: dry run ${outcome.state === 'sent' ? 'rendered' : outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}; ${sent} message(s) written to ${wiring.outbox}, nothing sent${bad.length ? `, ${bad.length} failed` : ''}`);
      } else {
        io.out(`${id}: run ${outcome.runId ?? '-'} ${outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}; ${sent} sent, ${bad.length} failed (${wiring.outbox})`);
      }
      for (const d of bad) io.err(`  ${d.recipient}: ${d.last_error ?? 'failed'}`);
      if (outcome.state !== 'sent' && outcome.state !== 'skipped') failed++;
    }
    return failed ? 1 : 0;
  } finally {
    await wiring.close();
    db.close();
  }
}
export { runScheduleNow_ as runScheduleNow };
