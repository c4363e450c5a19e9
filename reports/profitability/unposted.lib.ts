import type { ReportContext } from '../../src/reporting/context.js';

/**
 * The data-quality note of the reports whose revenue comes from billing items (labour and contract
 * profitability): billable time worked in the window but not yet approved and posted is not revenue yet.
 * One SQL text (profitability/labor-profitability.unposted.sql) and one sentence for both.
 */
export function unpostedNote(ctx: ReportContext): string | null {
  // A past period of a trend keeps no warning: the note's query (a scan of the window's time) is not run for it.
  if (ctx.trendPeriod) return null;
  const unposted = ctx.queryFrom<{ entries: number; hours: number }>('profitability/labor-profitability', 'unposted')[0];
  if (!unposted || unposted.entries <= 0) return null;
  const one = unposted.entries === 1;
  return `${unposted.entries} billable time ${one ? 'entry' : 'entries'} (${+unposted.hours.toFixed(1)} h) worked in the period ${one ? 'is' : 'are'} not yet approved and posted, so revenue is understated until ${one ? 'it is' : 'they are'}.`;
}
