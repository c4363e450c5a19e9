import { describe, expect, it } from 'vitest';
import { dueRuns, nextRun, occurrencesBetween, parseCatchUp, parseCron, previousRun, wallToInstant, CronError } from '../../src/delivery/cron.js';

const NY = 'America/New_York';
const iso = (t: number) => new Date(t).toISOString();
const H = 3_600_000;

describe('parseCron', () => {
  it('reads lists, ranges, steps and names; 7 is Sunday', () => {
    const c = parseCron('*/15 7-9 1,15 jan-mar mon-fri');
    expect(c.minutes).toEqual([0, 15, 30, 45]);
    expect(c.hours).toEqual([7, 8, 9]);
    expect([...c.days]).toEqual([1, 15]);
    expect([...c.months]).toEqual([1, 2, 3]);
    expect([...c.weekdays].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...parseCron('0 0 * * 7').weekdays]).toEqual([0]);
    expect([...parseCron('0 0 * * 5-7').weekdays].sort()).toEqual([0, 5, 6]);
  });

  it('names the field and the allowed range on errors', () => {
    expect(() => parseCron('0 7 * *')).toThrow(/4 fields; expected 5: minute hour/);
    expect(() => parseCron('60 7 * * *')).toThrow(/minute field: 60 is outside 0–59/);
    expect(() => parseCron('0 7 * * funday')).toThrow(/day-of-week field: "funday" is not a number or a name \(sun, mon/);
    expect(() => parseCron('0 0 30 2 *')).toThrow(CronError);
  });

  it('parses catch-up policies', () => {
    expect(parseCatchUp('skip')).toEqual({ kind: 'skip' });
    expect(parseCatchUp('all-within:6h')).toEqual({ kind: 'all-within', ms: 6 * H });
    expect(() => parseCatchUp('all')).toThrow(/allowed values are "skip", "latest" or "all-within/);
  });
});

describe('DST in America/New_York (documented behaviour)', () => {
  it('02:30 on spring-forward day fires once, at 03:00 EDT (first valid minute after the gap)', () => {
    const got = occurrencesBetween('30 2 * * *', NY, Date.parse('2026-03-07T00:00:00Z'), Date.parse('2026-03-10T00:00:00Z'));
    expect(got.map(iso)).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT — the gap day
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('every missing minute of the gap collapses into one firing', () => {
    const got = occurrencesBetween('*/10 2 * * *', NY, Date.parse('2026-03-08T00:00:00Z'), Date.parse('2026-03-08T12:00:00Z'));
    expect(got.map(iso)).toEqual(['2026-03-08T07:00:00.000Z']);
  });

  it('01:30 on fall-back day fires once, at the first occurrence (EDT)', () => {
    const got = occurrencesBetween('30 1 * * *', NY, Date.parse('2026-10-31T00:00:00Z'), Date.parse('2026-11-03T00:00:00Z'));
    expect(got.map(iso)).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, not again at 01:30 EST (06:30Z)
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('a daemon checking every 30 s across both changes fires each job exactly at the documented instant, never twice', () => {
    for (const [cron, from, to, expected] of [
      ['30 2 * * *', '2026-03-08T04:00:00Z', '2026-03-08T10:00:00Z', ['2026-03-08T07:00:00.000Z']],
      ['30 1 * * *', '2026-11-01T03:00:00Z', '2026-11-01T09:00:00Z', ['2026-11-01T05:30:00.000Z']],
    ] as const) {
      const schedule = { cron, timezone: NY, catchUp: parseCatchUp('skip') };
      let cursor: number | null = Date.parse(from);
      const fired: number[] = [];
      for (let now = Date.parse(from) + 30_000; now <= Date.parse(to); now += 30_000) {
        fired.push(...dueRuns(schedule, cursor, now));
        cursor = now;
      }
      expect(fired.map(iso)).toEqual([...expected]);
    }
  });

  it('nextRun and previousRun agree across the gap and the overlap', () => {
    const s = { cron: '30 2 * * *', timezone: NY };
    expect(iso(nextRun(s, Date.parse('2026-03-08T05:00:00Z'))!)).toBe('2026-03-08T07:00:00.000Z');
    expect(iso(previousRun(s, Date.parse('2026-03-08T08:00:00Z'))!)).toBe('2026-03-08T07:00:00.000Z');
    const f = { cron: '30 1 * * *', timezone: NY };
    expect(iso(nextRun(f, Date.parse('2026-11-01T05:30:00Z'))!)).toBe('2026-11-02T06:30:00.000Z');
  });

  it('wall times resolve with the zone offset in force', () => {
    expect(iso(wallToInstant({ y: 2026, mo: 7, d: 1, h: 7, mi: 0 }, NY))).toBe('2026-07-01T11:00:00.000Z');
    expect(iso(wallToInstant({ y: 2026, mo: 1, d: 5, h: 7, mi: 0 }, 'Europe/London'))).toBe('2026-01-05T07:00:00.000Z');
    expect(iso(wallToInstant({ y: 2026, mo: 1, d: 5, h: 7, mi: 0 }, 'Asia/Kolkata'))).toBe('2026-01-05T01:30:00.000Z');
  });
});

describe('dueRuns: catch-up after a 3-period outage', () => {
  // Hourly at :00; the daemon last looked at 09:00:30 and comes back at 12:20 (10:00, 11:00, 12:00 missed).
  const last = Date.parse('2026-03-02T09:00:30Z');
  const back = Date.parse('2026-03-02T12:20:00Z');
  const hourly = (catchUp: string) => ({ cron: '0 * * * *', timezone: 'UTC', catchUp: parseCatchUp(catchUp) });

  it('skip: none of the missed ones', () => {
    expect(dueRuns(hourly('skip'), last, back)).toEqual([]);
  });
  it('skip: but one due right now (within the grace minute) fires', () => {
    expect(dueRuns(hourly('skip'), last, Date.parse('2026-03-02T12:00:40Z')).map(iso)).toEqual(['2026-03-02T12:00:00.000Z']);
  });
  it('latest: only the last missed one', () => {
    expect(dueRuns(hourly('latest'), last, back).map(iso)).toEqual(['2026-03-02T12:00:00.000Z']);
  });
  it('all-within:Nh: every missed one in the last N hours', () => {
    expect(dueRuns(hourly('all-within:6h'), last, back).map(iso)).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z', '2026-03-02T12:00:00.000Z']);
    expect(dueRuns(hourly('all-within:2h'), last, back).map(iso)).toEqual(['2026-03-02T11:00:00.000Z', '2026-03-02T12:00:00.000Z']);
  });
  it('no history: nothing from the past, whatever the policy', () => {
    expect(dueRuns(hourly('all-within:6h'), null, back)).toEqual([]);
    expect(dueRuns(hourly('latest'), null, Date.parse('2026-03-02T12:00:10Z')).map(iso)).toEqual(['2026-03-02T12:00:00.000Z']);
  });
  it('nothing when the clock went backwards', () => {
    expect(dueRuns(hourly('latest'), back, last)).toEqual([]);
  });
  // How cheap, against a one-hour outage, is a bench figure (schedules section).
  it('a long outage: only the latest missed run, not every one since', () => {
    const got = dueRuns({ cron: '0 7 1 1 *', timezone: NY, catchUp: parseCatchUp('latest') }, Date.parse('2022-01-01T00:00:00Z'), Date.parse('2026-06-01T00:00:00Z'));
    expect(got.map(iso)).toEqual(['2026-01-01T12:00:00.000Z']);
  });
});
