import type { ReportContext } from '../../src/reporting/context.js';
import type { ServiceResource } from '../../src/reporting/resources.js';
import { addDays, isoWeekMonday } from '../../src/reporting/time.js';
import type { CalendarDate, Instant } from '../../src/types.js';

/**
 * The service-delivery forecast shared by intake/service-delivery-forecast and
 * intake/project-availability-forecast (kpi-spec §4): both use the same weeks, capacity and demand.
 */

/** One forecast week. */
export interface ForecastWeek {
  /** Monday of the week (calendar date in the zone). */
  start: CalendarDate;
  /** 00:00 of that Monday in the zone. */
  from: Instant;
  /** 00:00 of the next Monday (a DST week is 167 or 169 hours long). */
  to: Instant;
  /** Σ available hours of the service resources in the week. */
  available: number;
  /** available × settings.targetUtilization. */
  capacity: number;
  /** baseline + backlog remaining ÷ N. */
  demand: number;
}

/** The forecast of service capacity and demand. */
export interface ServiceForecast {
  /** The N weeks from W0. */
  weeks: ForecastWeek[];
  /** Σ hoursWorked on tickets without a project over [W0 − 56 d, W0), ÷ 8. */
  baseline: number;
  /** Σ over open tickets without a project of max(estimatedHours − hours worked, 0). */
  backlogRemaining: number;
  /** Open tickets without a project. */
  openTickets: number;
  /** Open tickets without a project whose estimatedHours is empty or 0. */
  withoutEstimate: number;
  /** Service resources without a ResourceDailyAvailabilities record (given the default hours). */
  withoutAvailability: ServiceResource[];
}

const SQL_OF = 'intake/service-delivery-forecast';

/** Computes the weeks, capacity and demand at the context's T (once per session: both reports use it). */
export function serviceForecast(ctx: ReportContext): ServiceForecast {
  return ctx.shared('intake/service-forecast', () => computeForecast(ctx));
}

function computeForecast(ctx: ReportContext): ServiceForecast {
  const n = ctx.settings.forecastWeeks;
  const w0 = isoWeekMonday(ctx.today);
  const cap = ctx.capacity();
  const resources = cap.serviceResources();
  // Calendar-day steps, not "+ 7 × 24 h": the week of a DST change is 167 or 169 hours long.
  const baseFromDay = addDays(w0, -56);
  const [base] = ctx.queryFrom<{ hours: number }>(SQL_OF, 'baseline', {
    baseFrom: ctx.dayStart(baseFromDay), baseTo: ctx.dayStart(w0), baseFromDay, baseToDay: w0,
  });
  const baseline = (base?.hours ?? 0) / 8;
  const [bl] = ctx.queryFrom<{ open_tickets: number; remaining: number; without_estimate: number }>(SQL_OF, 'backlog');
  const backlogRemaining = bl?.remaining ?? 0;
  const weeks: ForecastWeek[] = [];
  for (let i = 0; i < n; i++) {
    const start = addDays(w0, 7 * i);
    const end = addDays(w0, 7 * (i + 1));
    let available = 0;
    for (const r of resources) available += cap.availableHours(r.id, start, end);
    weeks.push({
      start, from: ctx.dayStart(start), to: ctx.dayStart(end), available,
      capacity: available * ctx.settings.targetUtilization,
      demand: baseline + backlogRemaining / n,
    });
  }
  return {
    weeks, baseline, backlogRemaining,
    openTickets: bl?.open_tickets ?? 0,
    withoutEstimate: bl?.without_estimate ?? 0,
    withoutAvailability: resources.filter((r) => !cap.hasAvailability(r.id)),
  };
}

/** The data-quality warning about technicians without availability records, or null. */
export function availabilityWarning(ctx: ReportContext, f: ServiceForecast): string | null {
  if (f.withoutAvailability.length === 0) return null;
  const names = f.withoutAvailability.map((r) => r.name);
  const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  return `${names.length} service technician(s) have no availability record (ResourceDailyAvailabilities) and are counted at ` +
    `${ctx.settings.defaultDailyHours} h Monday–Friday (the default daily hours of the settings): ${shown}.`;
}
