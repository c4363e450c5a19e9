import type { Settings } from '../config.js';
import type { Db } from '../store/db.js';
import { AVAILABILITY_DAYS, availabilities, resourceNames, serviceResourceIds } from '../store/tenant.js';
import type { CalendarDate, Instant } from '../types.js';
import { personName } from './names.js';
import { DAY, addDays, dateOf, dayStart, weekday } from './time.js';

/** A service resource (kpi-spec §1). */
export interface ServiceResource {
  /** Resource id. */
  id: number;
  /** Display name "First Last". */
  name: string;
}

/** Capacity facts about resources. */
export interface Capacity {
  /** Active resources with a time entry whose work instant lies in [T − 56 d, T). */
  serviceResources(): ServiceResource[];
  /** Available hours of a resource for the dates [fromDay, toDay) (holidays 0). */
  availableHours(resourceId: number, fromDay: CalendarDate, toDay: CalendarDate): number;
  /** Weekly billable hours goal, or null when none is recorded. */
  weeklyGoal(resourceId: number): number | null;
  /** Whether the resource has a ResourceDailyAvailabilities record. */
  hasAvailability(resourceId: number): boolean;
  /** Display name of any resource id ("Unassigned" for null, "#id" when unknown). */
  resourceName(id: number | null): string;
}

/**
 * The first calendar date whose 00:00 (in tz) is at or after `t`: with it, "a date lies in [from, to)"
 * becomes `fromDay ≤ date < toDay`, an index-friendly string comparison.
 */
export function firstDayAtOrAfter(t: Instant, tz: string): CalendarDate {
  const d = dateOf(t, tz);
  return dayStart(d, tz) >= t ? d : addDays(d, 1);
}

/** What capacity reads of the store whatever the as-of instant: names and availability per resource. */
export interface ResourceBase {
  names: Map<number, string>;
  avail: Map<number, { hours: number[]; goal: number | null }>;
}

/** Reads the resources' names and availability (a session keeps them for every as-of instant it computes). */
export function loadResourceBase(db: Db): ResourceBase {
  const names = new Map<number, string>();
  for (const r of resourceNames(db)) {
    names.set(r.id, personName(r.id, r.firstName, r.lastName));
  }
  const avail = new Map<number, { hours: number[]; goal: number | null }>();
  for (const r of availabilities(db)) {
    const rid = r.resourceID;
    if (avail.has(rid)) continue; // one record per resource; the lowest id wins if a tenant has duplicates
    avail.set(rid, { hours: AVAILABILITY_DAYS.map((f) => r[f] ?? 0), goal: r.weeklyBillableHoursGoal ?? null });
  }
  return { names, avail };
}

export function loadCapacity(db: Db, settings: Settings, asOf: Instant, holidays: Set<CalendarDate>, base: ResourceBase = loadResourceBase(db)): Capacity {
  const tz = settings.timezone;
  const { names, avail } = base;
  // Reports ask for the same date range for every resource: walk its calendar once.
  const weekdaysOf = new Map<string, number[]>();
  const workingWeekdays = (d1: CalendarDate, d2: CalendarDate): number[] => {
    const key = `${d1}|${d2}`;
    let list = weekdaysOf.get(key);
    if (!list) {
      list = [];
      for (let d = d1; d < d2; d = addDays(d, 1)) if (!holidays.has(d)) list.push(weekday(d));
      weekdaysOf.set(key, list);
    }
    return list;
  };
  let service: ServiceResource[] | null = null;
  const from = asOf - 56 * DAY;
  const fromDay = firstDayAtOrAfter(from, tz);
  const toDay = firstDayAtOrAfter(asOf, tz);
  return {
    serviceResources() {
      service ??= serviceResourceIds(db, { from, to: asOf, fromDay, toDay }).map((id) => ({ id, name: names.get(id) ?? `#${id}` }));
      return service;
    },
    availableHours(resourceId, d1, d2) {
      const a = avail.get(resourceId);
      let total = 0;
      for (const wd of workingWeekdays(d1, d2)) total += a ? a.hours[wd - 1]! : wd <= 5 ? settings.defaultDailyHours : 0;
      return total;
    },
    weeklyGoal: (id) => avail.get(id)?.goal ?? null,
    hasAvailability: (id) => avail.has(id),
    resourceName: (id) => (id === null ? 'Unassigned' : names.get(id) ?? `#${id}`),
  };
}
