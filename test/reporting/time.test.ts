import { describe, expect, it } from 'vitest';
import { createBusinessHours } from '../../src/reporting/business-hours.js';
import { percentile } from '../../src/reporting/stats.js';
import { AppError } from '../../src/errors.js';
import { dateOf, dayStart, isoWeekLabel, parseWhen, previousWindow, resolveWindow, zonedTime } from '../../src/reporting/time.js';

const NY = 'America/New_York';

describe('time zones', () => {
  it('midnight of a date in New York, on both sides of DST', () => {
    expect(new Date(dayStart('2026-03-07', NY)).toISOString()).toBe('2026-03-07T05:00:00.000Z');
    expect(new Date(dayStart('2026-03-09', NY)).toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });
  it('a wall time in the spring-forward gap maps past the gap; fall-back picks the first', () => {
    expect(new Date(zonedTime('2026-03-08', 2, 30, NY)).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(new Date(zonedTime('2026-11-01', 1, 30, NY)).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });
  it('previous-week is the last full ISO week, 167 hours long across spring-forward', () => {
    const w = resolveWindow('previous-week', Date.parse('2026-03-11T12:00:00Z'), NY)!;
    expect(new Date(w.from).toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(new Date(w.to).toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect((w.to - w.from) / 3_600_000).toBe(167);
  });
  it('previous-month and the day boundary of T in the zone', () => {
    // 2026-12-01T03:00Z is still November 30 in New York: previous month is October.
    const w = resolveWindow('previous-month', Date.parse('2026-12-01T03:00:00Z'), NY)!;
    expect(dateOf(w.from, NY)).toBe('2026-10-01');
    expect(dateOf(w.to, NY)).toBe('2026-11-01');
    const p = previousWindow('previous-month', w, 1, NY);
    expect(dateOf(p.from, NY)).toBe('2026-09-01');
  });
  it('week labels and parsing', () => {
    expect(isoWeekLabel('2026-01-01')).toBe('2026-W01');
    expect(isoWeekLabel('2027-01-01')).toBe('2026-W53');
    expect(parseWhen('2026-11-02', NY, '--from')).toBe(Date.parse('2026-11-02T05:00:00Z'));
    expect(parseWhen('2026-11-02T09:00:00Z', NY, '--as-of')).toBe(Date.parse('2026-11-02T09:00:00Z'));
    expect(() => parseWhen('yesterday', NY, '--as-of')).toThrow(/--as-of: "yesterday"/);
    expect(parseWhen('2026-11-02T09:30', NY, '--as-of')).toBe(Date.parse('2026-11-02T14:30:00Z'));
    expect(parseWhen('2026-11-02T09:00:00+01:00', NY, '--as-of')).toBe(Date.parse('2026-11-02T08:00:00Z'));
    expect(parseWhen('2026-11-02T09:00:00-0130', NY, '--as-of')).toBe(Date.parse('2026-11-02T10:30:00Z'));
    expect(parseWhen('2028-02-29', 'UTC', '--from')).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });
  it('a time outside the calendar is refused, never rolled over (2026-13-45 is not 2027-02-14, 0050 is not 1950)', () => {
    const cases: [string, RegExp][] = [
      ['2026-13-45T09:00', /the month must be from 01 to 12/],
      ['2026-02-30', /02\/2026 has days 01 to 28/],
      ['2026-02-29T00:00:00Z', /02\/2026 has days 01 to 28/],
      ['0050-06-01', /the year must be from 2000 to 2100/],
      ['0050-06-01T00:00:00Z', /the year must be from 2000 to 2100/],
      ['2026-06-01T24:00', /the time must be from 00:00:00 to 23:59:59/],
      ['2026-06-01T09:60:00Z', /the time must be from/],
      ['2026-06-01T09:00:00+25:00', /the offset must be/],
    ];
    for (const [text, why] of cases) {
      let err: AppError | undefined;
      try { parseWhen(text, NY, '--as-of'); } catch (e) { err = e as AppError; }
      expect(err, text).toBeInstanceOf(AppError);
      expect(err!.exitCode).toBe(2);
      expect(err!.message).toMatch(why);
      expect(err!.message).toContain(`--as-of: "${text}" is not a valid date or time`);
      expect(err!.message).toContain('Allowed: YYYY-MM-DD');
    }
  });
});

describe('business hours', () => {
  const bh = createBusinessHours({ timezone: 'UTC', businessHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' } }, ['2026-11-26']);
  const h = (a: string, b: string) => bh.bh(Date.parse(a), Date.parse(b));
  it('counts only the open part of each day', () => {
    expect(h('2026-11-23T07:00:00Z', '2026-11-23T09:30:00Z')).toBe(1.5);
    expect(h('2026-11-23T16:00:00Z', '2026-11-24T09:00:00Z')).toBe(2);
  });
  it('skips weekends and holidays, sums long spans', () => {
    expect(h('2026-11-27T16:00:00Z', '2026-11-30T09:00:00Z')).toBe(2); // Fri 16-17, Mon 8-9
    expect(h('2026-11-25T00:00:00Z', '2026-11-28T00:00:00Z')).toBe(18); // Wed 9 + Thu holiday 0 + Fri 9
    expect(h('2026-01-05T00:00:00Z', '2026-02-02T00:00:00Z')).toBe(4 * 5 * 9);
    expect(h('2026-11-24T10:00:00Z', '2026-11-24T10:00:00Z')).toBe(0);
  });
  it('follows DST in the zone', () => {
    const ny = createBusinessHours({ timezone: NY, businessHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' } }, []);
    // Friday 16:00 EST to Monday 09:00 EDT across spring-forward: 1 + 1 hours.
    expect(ny.bh(Date.parse('2026-03-06T21:00:00Z'), Date.parse('2026-03-09T13:00:00Z'))).toBe(2);
  });
});

describe('percentile (nearest rank)', () => {
  it('P50 and P90', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeNull();
  });
});
