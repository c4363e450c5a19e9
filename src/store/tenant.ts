import type { Db } from './db.js';
import { rowsOf, valuesOf } from './rows.js';

/**
 * Reads of the tenant's synced tables (resources, their availability, holidays, picklists, companies) that
 * the product makes outside the report SQL files: names, recipients, capacity, the web pages. The sync
 * writes these tables (sync-store.ts); the column names are Autotask's (src/autotask/entities.ts).
 */

/** A resource's id and name (table `resources`). */
export interface ResourceNameRow {
  id: number;
  firstName: string | null;
  lastName: string | null;
}

/** A resource's id, name and e-mail field as synced (untrusted text: parse before sending to it). */
export interface ResourceContactRow extends ResourceNameRow {
  email: string;
}

/** Days of `resource_daily_availabilities`, Monday first. */
export const AVAILABILITY_DAYS = ['mondayAvailableHours', 'tuesdayAvailableHours', 'wednesdayAvailableHours', 'thursdayAvailableHours',
  'fridayAvailableHours', 'saturdayAvailableHours', 'sundayAvailableHours'] as const;

/** One row of `resource_daily_availabilities` (hours per weekday and the weekly billable goal). */
export type AvailabilityRow = { id: number; resourceID: number; weeklyBillableHoursGoal: number | null }
  & Record<(typeof AVAILABILITY_DAYS)[number], number | null>;

/** One picklist value of a field (table `picklists`, inactive values included). */
export interface PicklistRow {
  entity: string;
  field: string;
  value: number;
  label: string;
}

/** Every resource's id and name. */
export function resourceNames(db: Db): ResourceNameRow[] {
  return rowsOf<ResourceNameRow>(db, 'SELECT id, firstName, lastName FROM resources').all();
}

/** Active resources by last and first name. */
export function activeResources(db: Db): ResourceNameRow[] {
  return rowsOf<ResourceNameRow>(db, 'SELECT id, firstName, lastName FROM resources WHERE isActive = 1 ORDER BY lastName, firstName').all();
}

/** One resource, or undefined. */
export function resourceById(db: Db, id: number): ResourceNameRow | undefined {
  return rowsOf<ResourceNameRow>(db, 'SELECT id, firstName, lastName FROM resources WHERE id = ?').get(id);
}

/**
 * A lookup of the resource whose e-mail field is `email` (lower case, trimmed): the active one first,
 * then the lowest id. Prepared once for a loop over addresses.
 */
export function resourceByEmailLookup(db: Db): (email: string) => ResourceContactRow | undefined {
  const stmt = rowsOf<ResourceContactRow>(db, `SELECT id, email, firstName, lastName FROM resources WHERE lower(trim(email)) = ? ORDER BY isActive DESC, id LIMIT 1`);
  return (email) => stmt.get(email);
}

/** Whether the store holds any resource (a sync has run). */
export function hasResources(db: Db): boolean {
  return (valuesOf<number>(db, 'SELECT count(*) FROM resources').get() ?? 0) > 0;
}

/** Selectors of resources by Autotask role, department and security level (names compared trimmed, case-blind). */
export interface ResourceSelector {
  role?: string | string[];
  department?: string | string[];
  securityLevel?: number;
}

/** Active resources with an e-mail field that match `sel`, by id. */
export function activeResourcesMatching(db: Db, sel: ResourceSelector): ResourceContactRow[] {
  const where = [`r.isActive = 1`, `r.email IS NOT NULL`, `trim(r.email) <> ''`];
  const params: Record<string, unknown> = {};
  const names = (prefix: string, v: string | string[]) => {
    const list = Array.isArray(v) ? v : [v];
    return list.map((n, i) => {
      params[`${prefix}${i}`] = n;
      return `lower(trim(:${prefix}${i}))`;
    }).join(', ');
  };
  if (sel.securityLevel !== undefined) {
    where.push('r.securityLevelID = :level');
    params.level = sel.securityLevel;
  }
  if (sel.role !== undefined || sel.department !== undefined) {
    // Role and department must hold on the same active role/department pairing of the resource; a
    // department alone also matches the resource's own department field.
    const rrd: string[] = ['rrd.resourceID = r.id', 'coalesce(rrd.isActive, 1) = 1'];
    if (sel.role !== undefined) {
      rrd.push(`EXISTS (SELECT 1 FROM roles ro WHERE ro.id = rrd.roleID AND lower(trim(ro.name)) IN (${names('role', sel.role)}))`);
    }
    let deptList = '';
    if (sel.department !== undefined) {
      deptList = names('dept', sel.department);
      rrd.push(`EXISTS (SELECT 1 FROM departments d WHERE d.id = rrd.departmentID AND lower(trim(d.name)) IN (${deptList}))`);
    }
    const viaRrd = `EXISTS (SELECT 1 FROM resource_role_departments rrd WHERE ${rrd.join(' AND ')})`;
    const viaOwnDept = sel.role === undefined
      ? ` OR EXISTS (SELECT 1 FROM departments d2 WHERE d2.id = r.departmentID AND lower(trim(d2.name)) IN (${deptList}))`
      : '';
    where.push(`(${viaRrd}${viaOwnDept})`);
  }
  return rowsOf<ResourceContactRow, [Record<string, unknown>]>(db, `SELECT r.id, r.email, r.firstName, r.lastName FROM resources r WHERE ${where.join(' AND ')} ORDER BY r.id`).all(params);
}

/**
 * Ids of active resources with a time entry in a window (kpi-spec §1 "service resources"): a start time in
 * [from, to), or, for a date-only entry, a date in [fromDay, toDay). Two probes of time_entries_resource
 * (resourceID, startDateTime, dateWorked, …; migrations 7 and 26) per resource.
 */
export function serviceResourceIds(db: Db, w: { from: number; to: number; fromDay: string; toDay: string }): number[] {
  return valuesOf<number, [typeof w]>(db, `SELECT r.id FROM resources r
    WHERE r.isActive = 1 AND (
      EXISTS (SELECT 1 FROM time_entries te WHERE te.resourceID = r.id AND te.startDateTime >= :from AND te.startDateTime < :to)
      OR EXISTS (SELECT 1 FROM time_entries te WHERE te.resourceID = r.id AND te.startDateTime IS NULL
        AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay))
    ORDER BY r.id`).all(w);
}

/** Availability records by id (a record without a resource is of no one's capacity, and is left out). */
export function availabilities(db: Db): AvailabilityRow[] {
  return rowsOf<AvailabilityRow>(db, 'SELECT * FROM resource_daily_availabilities WHERE resourceID IS NOT NULL ORDER BY id').all();
}

/** The `holidayDate` of every holiday that has one, as synced (a date or a datetime string). */
export function holidayDates(db: Db): string[] {
  return valuesOf<string>(db, 'SELECT holidayDate FROM holidays WHERE holidayDate IS NOT NULL').all();
}

/** Every picklist value of every field. */
export function picklistRows(db: Db): PicklistRow[] {
  return rowsOf<PicklistRow>(db, 'SELECT entity, field, value, label FROM picklists').all();
}

/** Distinct trimmed names in `roles` or `departments`, for "known names" hints. */
export function distinctNamesIn(db: Db, table: 'roles' | 'departments'): string[] {
  return valuesOf<string>(db, `SELECT DISTINCT trim(name) FROM ${table} WHERE name IS NOT NULL ORDER BY 1`).all();
}

/** The name of company 0 (Autotask's own company: the MSP), null when it has none, undefined before a sync. */
export function ownCompanyName(db: Db): string | null | undefined {
  return rowsOf<{ name: string | null }>(db, 'SELECT companyName AS name FROM companies WHERE id = 0').get()?.name;
}
