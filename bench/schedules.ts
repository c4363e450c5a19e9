/**
 * Schedules bench: what a catch-up decision costs after a long outage. `latest` looks back from now for
 * the last occurrence, so its cost must not grow with the outage: the 4-year figure is compared with a
 * one-day outage of the same schedule, in the same run. The delivery tests assert which runs are due.
 */
import { performance } from 'node:perf_hooks';
import { dueRuns, parseCatchUp, type CronSchedule } from '../src/delivery/cron.js';

const DAY = 86_400_000;

/** Median milliseconds of one call, over `times` samples of `batch` calls each (one call is microseconds). */
function medianMs(times: number, fn: () => unknown, batch = 50): number {
  const xs: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    for (let j = 0; j < batch; j++) fn();
    xs.push((performance.now() - t) / batch);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

/** Figures of the schedules bench (milliseconds are medians). */
export interface SchedulesBench {
  /** Daily 07:00 New York, `latest`, after a one-day outage (ms). */
  dailyOneDayMs: number;
  /** The same after a 4-year outage (ms). */
  dailyFourYearsMs: number;
  /** dailyFourYearsMs ÷ dailyOneDayMs (goal ≤ 2: the cost does not grow with the outage). */
  outageRatio: number;
  /** Yearly (1 January 07:00 New York), `latest`, after a 4.4-year outage: a year of days looked back (ms, goal < 2000). */
  yearlyFourYearsMs: number;
}

/** Runs the schedules bench (well under a second). */
export function benchSchedules(): SchedulesBench {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const latest = parseCatchUp('latest');
  const daily: CronSchedule = { cron: '0 7 * * *', timezone: 'America/New_York', catchUp: latest };
  const yearly: CronSchedule = { cron: '0 7 1 1 *', timezone: 'America/New_York', catchUp: latest };
  // Warm the parser, the time-zone formatter and the JIT on both cases before timing either.
  for (let i = 0; i < 500; i++) {
    dueRuns(daily, now - DAY, now);
    dueRuns(daily, now - 4 * 365 * DAY, now);
  }
  const oneDay = medianMs(41, () => dueRuns(daily, now - DAY, now));
  const fourYears = medianMs(41, () => dueRuns(daily, now - 4 * 365 * DAY, now));
  const yearlyMs = medianMs(11, () => dueRuns(yearly, Date.parse('2022-01-01T00:00:00Z'), now), 5);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return { dailyOneDayMs: r3(oneDay), dailyFourYearsMs: r3(fourYears), outageRatio: Math.round((fourYears / oneDay) * 100) / 100, yearlyFourYearsMs: r3(yearlyMs) };
}
