import cron, { type ScheduledTask } from 'node-cron';
import type { Schedule } from './schedules.js';

/**
 * What wakes the daemon at a schedule's minute instead of at its next check. Only a wake-up: whether a run
 * is due, DST, catch-up and the exactly-once claim stay in cron.ts and the ledger, which the daemon asks
 * at every check; a missed or early wake-up costs at most one check interval (≤ 30 s), never a run.
 */
export interface Wakeups {
  /** Watches these schedules (replacing the previous set); calls `wake` at each occurrence. */
  watch(schedules: readonly Schedule[], wake: () => void): void;
  /** Stops every watch. */
  stop(): void;
}

/** node-cron runs one timer per schedule, in the schedule's zone. */
export function cronWakeups(onUnwatched?: (scheduleId: string, reason: string) => void): Wakeups {
  let tasks: ScheduledTask[] = [];
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  const stop = () => {
    for (const t of tasks) void t.destroy();
    tasks = [];
  };
  return {
    watch(schedules, wake) {
      stop();
      for (const s of schedules) {
        if (!s.enabled) continue;
        try {
          // The timer fires at second 0 of the minute; the check runs a moment later so that the due
          // instant is certainly in the past by the daemon's clock.
          const task = cron.schedule(s.cron, () => { setTimeout(wake, 20).unref(); }, {
            timezone: s.timezone, name: `psa-reports:${s.id}`, logger: silent, suppressMissedWarning: true,
          });
          task.unref();
          tasks.push(task);
        } catch (e) {
          // An expression node-cron reads differently from ours: that schedule is served by the periodic check.
          onUnwatched?.(s.id, (e as Error).message);
        }
      }
    },
    stop,
  };
}

/** No wake-ups besides the periodic check (tests on a fake clock, `daemon --once`). */
export const noWakeups: Wakeups = { watch() {}, stop() {} };
