import { describe, expect, it } from 'vitest';
import { clip, formatCell, formatPeriod, formatValue, headlineChange, softWrap } from '../../src/render/format.js';

const o = { timezone: 'Europe/Berlin' };

describe('formatValue', () => {
  it('writes each unit the way a reader expects', () => {
    expect(formatValue(93.4, 'pct', o)).toBe('93.4\u00a0%');
    expect(formatValue(93.449, 'pct', o)).toBe('93.4\u00a0%');
    expect(formatValue(12.25, 'hours', o)).toBe('12.3\u00a0h');
    expect(formatValue(1234, 'count', o)).toBe('1,234');
    expect(formatValue(2.5, 'ratio', o)).toBe('2.50');
    // Money always carries a currency: the setting's, else the locale's region's (en-US → USD); whole units.
    expect(formatValue(182450.5, 'money', o)).toBe('$182,451');
    expect(formatValue(182450.5, 'money', { ...o, locale: 'en-GB' })).toBe('£182,451');
    expect(formatValue(182450.5, 'money', { ...o, currency: 'USD' })).toBe('$182,451');
    expect(formatValue(12.5, 'money', { ...o, currency: 'EUR', locale: 'de-DE' })).toBe('13\u00a0€');
    expect(formatValue(0.4, 'fte', o)).toBe('0.4\u00a0FTE');
    // Minutes in the unit a reader counts them in; a signed value (time to due) keeps its sign.
    expect(formatValue(45, 'minutes', o)).toBe('45\u00a0min');
    expect(formatValue(320, 'minutes', o)).toBe('5\u00a0h 20\u00a0min');
    expect(formatValue(120, 'minutes', o)).toBe('2\u00a0h');
    expect(formatValue(-575_674, 'minutes', o)).toBe('\u2212399\u00a0d 18\u00a0h');
    expect(formatValue(-1, 'minutes', o)).toBe('\u22121\u00a0min');
    expect(formatValue(null, 'pct', o)).toBe('—');
    expect(formatValue(Number.NaN, 'count', o)).toBe('—');
  });
});

describe('headlineChange', () => {
  it('gives percentage-point changes for percentages and judges them by "better"', () => {
    const c = headlineChange({ metric: 'm', label: 'M', value: 93.4, previous: 91.3, unit: 'pct', target: 90, better: 'higher', light: 'green' }, o);
    expect(c).toEqual({ arrow: '▲', text: '+2.1\u00a0pts', tone: 'good' });
    const d = headlineChange({ metric: 'm', label: 'M', value: 12, previous: 9, unit: 'count', target: 0, better: 'lower', light: 'red' }, o);
    expect(d?.tone).toBe('bad');
    expect(d?.text).toBe('+3 (+33.3\u00a0%)');
    expect(headlineChange({ metric: 'm', label: 'M', value: 1, previous: null, unit: 'count', target: null, better: 'none', light: 'none' }, o)).toBeNull();
  });
});

describe('periods and cells', () => {
  it('shows the half-open window as its first and last day in the zone', () => {
    expect(formatPeriod({ from: '2026-11-15T23:00:00Z', to: '2026-11-22T23:00:00Z' }, '2026-11-23T08:00:00Z', 'Europe/Berlin')).toBe('16 Nov 2026 – 22 Nov 2026');
    expect(formatPeriod(null, '2026-11-23T08:00:00Z', 'UTC')).toBe('As of 23 Nov 2026, 08:00 UTC');
  });
  it('formats datetimes in the zone and booleans as words', () => {
    expect(formatCell(Date.UTC(2026, 10, 20, 13, 5), { key: 'k', label: 'K', unit: 'datetime' }, o)).toBe('20 Nov 2026, 14:05');
    expect(formatCell(true, { key: 'k', label: 'K', unit: 'bool' }, o)).toBe('Yes');
    expect(formatCell(null, { key: 'k', label: 'K' }, o)).toBe('—');
  });
  it('shows cents and quarter hours in a column of single entries, whole units elsewhere', () => {
    const c = { ...o, currency: 'USD' };
    expect(formatCell(93.75, { key: 'v', label: 'Value', unit: 'money', exact: true }, c)).toBe('$93.75');
    expect(formatCell(93.75, { key: 'v', label: 'Value', unit: 'money' }, c)).toBe('$94');
    expect(formatCell(0.25, { key: 'h', label: 'Hours', unit: 'hours', exact: true }, c)).toBe('0.25\u00a0h');
    expect(formatCell(0.25, { key: 'h', label: 'Hours', unit: 'hours' }, c)).toBe('0.3\u00a0h');
  });
  it('gives long unbroken runs break opportunities without losing characters', () => {
    const long = 'x'.repeat(100);
    const w = softWrap(`a ${long} b`);
    expect(w.replace(/\u200b/g, '')).toBe(`a ${long} b`);
    expect(w.split('\u200b')).toHaveLength(4);
    expect(softWrap('short words only')).toBe('short words only');
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdefgh', 5)).toBe('abcde… [3 more characters; the CSV has the full text]');
  });
});
