import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { AppError, toError } from '../errors.js';
import { ENTITIES } from '../autotask/entities.js';
import { F } from '../autotask/filter.js';
import type { AutotaskClient } from '../autotask/client.js';
import { createConfiguredClient } from '../app.js';
import { packageRoot } from '../reporting/context.js';
import { groupsByTable, type CheckOutcome } from './check-config.js';

/**
 * `check --online`: the credentials tried before the first sync or the first Monday. SMTP is logged into
 * (no message sent); Autotask answers ThresholdInformation (budget use) and, per entity the sync reads, a
 * `query/count` — the cheapest request that proves the API user may read it.
 */

/**
 * Where in the API user's security level each entity is granted (Admin → Account Settings & Users →
 * Security Levels → the API user's level). Names follow Autotask's security-level sections.
 */
export const ENTITY_PERMISSION: Record<string, string> = {
  Companies: 'CRM → Companies: View All',
  Resources: 'Admin → Resources/Users (HR): View',
  Roles: 'Admin → Resources/Users (HR): View',
  Departments: 'Admin → Resources/Users (HR): View',
  ResourceRoleDepartments: 'Admin → Resources/Users (HR): View',
  ResourceDailyAvailabilities: 'Admin → Resources/Users (HR): View',
  HolidaySets: 'Admin → Company Settings (holiday sets): View',
  Holidays: 'Admin → Company Settings (holiday sets): View',
  Contracts: 'Contracts → Contracts: View All',
  ConfigurationItems: 'CRM → Configuration Items: View All',
  Projects: 'Projects → Projects: View All',
  Tasks: 'Projects → Tasks: View All',
  Tickets: 'Service Desk → Tickets: View All',
  TimeEntries: 'Timesheets / Time Entry → View All (non-billable time included)',
  BillingItems: 'Contracts → Approve and Post: View',
  ServiceCalls: 'Service Desk → Service Calls (dispatch): View All',
  ServiceCallTickets: 'Service Desk → Service Calls (dispatch): View All',
  Opportunities: 'CRM → Opportunities: View All',
  CompanyToDos: 'CRM → To-Dos: View All',
  Appointments: 'CRM → Appointments: View All',
  ExpenseReports: 'Expenses → Expense Reports: View All (optional: the expense reports say so without it)',
  ExpenseItems: 'Expenses → Expense Reports: View All (optional: the expense reports say so without it)',
  SalesOrders: 'CRM → Sales Orders: View All (optional: the won-deal hand-off says so without it)',
  DeletedTicketLogs: 'Service Desk: admin-level access (deletion logs)',
  DeletedTicketActivityLogs: 'Service Desk: admin-level access (deletion logs)',
  DeletedTaskActivityLogs: 'Projects: admin-level access (deletion logs)',
};

/** Tables every report reads through the engine (business hours, capacity, names), besides its own. */
const ENGINE_TABLES = ['resources', 'holidays', 'resource_daily_availabilities'];
/** Deletion logs keep these tables right, so their readers need the logs too. */
const LOG_OF: Record<string, string> = { deleted_ticket_logs: 'tickets', deleted_ticket_activity_logs: 'time_entries', deleted_task_activity_logs: 'time_entries' };

/** Report groups that need each entity (for "needed by" in messages and the README's permission list). */
export function groupsByEntity(reportsRoot = path.join(packageRoot(), 'reports')): Map<string, string[]> {
  const byTable = groupsByTable(reportsRoot, ENTITIES.map((e) => e.table));
  const all = [...new Set([...byTable.values()].flat())].sort();
  const out = new Map<string, string[]>();
  for (const e of ENTITIES) {
    const groups = ENGINE_TABLES.includes(e.table) ? all : LOG_OF[e.table] ? byTable.get(LOG_OF[e.table]!)! : byTable.get(e.table)!;
    out.set(e.name, [...groups].sort());
  }
  return out;
}

/** Readers of an entity other than the reports (whose SQL groupsByEntity finds). */
const OTHER_READERS: Record<string, string> = {
  Departments: 'schedules whose recipients are chosen by Autotask department',
  ResourceRoleDepartments: 'schedules whose recipients are chosen by Autotask role or department',
  Roles: 'schedules whose recipients are chosen by Autotask role',
};

/** Entities a tenant in use always has rows of: zero readable means a restricted security level. */
const NEVER_EMPTY = new Set(['Companies', 'Resources', 'Tickets', 'TimeEntries']);

/**
 * Rows of another entity that prove an entity has rows: when the entity answers none, a count of these says
 * whether it is empty or hidden — a restricted security level answers empty instead of refusing, so a
 * ticket naming a contract while no contract is readable means the contracts are withheld. Asked only for
 * entities that answered none (a few requests at most). Only references Autotask keeps whole: a record
 * cannot be deleted while others name it.
 */
export const EVIDENCE: Record<string, readonly { entity: string; field: string }[]> = {
  Companies: [{ entity: 'Tickets', field: 'companyID' }, { entity: 'Contracts', field: 'companyID' }, { entity: 'Opportunities', field: 'companyID' }],
  Resources: [{ entity: 'TimeEntries', field: 'resourceID' }, { entity: 'Tickets', field: 'assignedResourceID' }],
  Roles: [{ entity: 'TimeEntries', field: 'roleID' }, { entity: 'ResourceRoleDepartments', field: 'roleID' }],
  Departments: [{ entity: 'ResourceRoleDepartments', field: 'departmentID' }],
  HolidaySets: [{ entity: 'Holidays', field: 'holidaySetID' }],
  Contracts: [{ entity: 'Tickets', field: 'contractID' }, { entity: 'TimeEntries', field: 'contractID' }, { entity: 'BillingItems', field: 'contractID' }],
  Projects: [{ entity: 'Tasks', field: 'projectID' }, { entity: 'Tickets', field: 'projectID' }],
  Tasks: [{ entity: 'TimeEntries', field: 'taskID' }],
  Tickets: [{ entity: 'TimeEntries', field: 'ticketID' }, { entity: 'ServiceCallTickets', field: 'ticketID' }],
  TimeEntries: [{ entity: 'BillingItems', field: 'timeEntryID' }],
  // Approved and posted time becomes billing items.
  BillingItems: [{ entity: 'TimeEntries', field: 'billingApprovalDateTime' }],
  ServiceCalls: [{ entity: 'ServiceCallTickets', field: 'serviceCallID' }],
  Opportunities: [{ entity: 'Contracts', field: 'opportunityID' }, { entity: 'Projects', field: 'opportunityID' }, { entity: 'SalesOrders', field: 'opportunityID' }],
  ExpenseReports: [{ entity: 'ExpenseItems', field: 'expenseReportID' }],
  ExpenseItems: [{ entity: 'BillingItems', field: 'expenseItemID' }],
};

/** Autotask's security-level setting without which non-billable time entries are left out of every answer. */
export const NON_BILLABLE_PERMISSION = 'Timesheets / Time Entry → "Can view non-billable time entries"';

/** Logs into SMTP without sending; the password never appears in what is returned. */
export async function checkSmtp(cfg: Config): Promise<CheckOutcome> {
  if (!cfg.smtpUrl) return { problems: [], info: ['--  smtp: no SMTP_URL, nothing to log into (messages go to the outbox)'] };
  let u: URL;
  try {
    u = new URL(cfg.smtpUrl);
  } catch {
    return { problems: [], info: [] }; // the syntax check has said it
  }
  const where = `${u.hostname}:${u.port || (u.protocol === 'smtps:' ? 465 : 587)}`;
  const secrets = [u.password, decodeURIComponent(u.password)].filter((s) => s.length >= 3);
  const scrub = (s: string) => secrets.reduce((a, p) => a.split(p).join('***'), s);
  const transport = nodemailer.createTransport({ url: cfg.smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 20_000 } as never);
  try {
    await transport.verify();
    return { problems: [], info: [`ok  smtp: logged into ${where}${u.username ? ` as ${decodeURIComponent(u.username)}` : ''} (no message sent)`] };
  } catch (e) {
    const err = e as Error & { code?: string; responseCode?: number };
    const auth = err.code === 'EAUTH' || err.responseCode === 535;
    const fix = auth ? 'check the user and password in SMTP_URL (escape @ : / as %40 %3A %2F)' : 'check the host and port in SMTP_URL, and that this machine may reach it';
    return { problems: [`environment: SMTP_URL: ${auth ? 'the server refused the login' : 'cannot talk to the server'} at ${where}: ${scrub(err.message)}; ${fix}`], info: [] };
  } finally {
    transport.close();
  }
}

/** ThresholdInformation, then a count per catalogue entity. `fetch` is for tests. */
export async function checkAutotask(cfg: Config, opts: { fetch?: typeof fetch; client?: AutotaskClient } = {}): Promise<CheckOutcome> {
  const problems: string[] = [];
  const info: string[] = [];
  const missing = (['AUTOTASK_USERNAME', 'AUTOTASK_SECRET', 'AUTOTASK_INTEGRATION_CODE'] as const).filter((k, i) => ![cfg.env.username, cfg.env.secret, cfg.env.integrationCode][i]);
  if (missing.length) return { problems: [`environment: ${missing.join(', ')} not set: --online cannot log into Autotask; set them (see psa-reports.env.example from psa-reports init)`], info };
  const client = opts.client ?? await createConfiguredClient(cfg, {
    // Fail fast: a check is interactive, and repeated failed logins can lock the API user.
    maxAttempts: 2, baseDelayMs: 200, requestTimeoutMs: Math.min(cfg.autotask.requestTimeoutMs, 20_000),
    budgetShare: cfg.autotask.budgetShare, ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  try {
    const t = await client.threshold();
    const pct = t.externalRequestThreshold > 0 ? Math.round((100 * t.currentTimeframeRequestCount) / t.externalRequestThreshold) : 0;
    info.push(`ok  autotask: logged in as ${cfg.env.username}; ${t.currentTimeframeRequestCount} of ${t.externalRequestThreshold} requests used in the current ${t.requestThresholdTimeframe} min by all integrations (${pct} %); this program may use ${Math.round(cfg.autotask.budgetShare * 100)} % (autotask.budgetShare)`);
  } catch (e) {
    const err = toError(e);
    problems.push(`environment: autotask: ${err.message}`);
    return { problems, info }; // every entity would fail the same way
  }
  const needs = groupsByEntity();
  const denied: string[] = [];
  const results: { def: (typeof ENTITIES)[number]; n: number; err: Error | null }[] = [];
  // Four at a time: quick, and gentle on a tenant other integrations share.
  for (let i = 0; i < ENTITIES.length; i += 4) {
    results.push(...await Promise.all(ENTITIES.slice(i, i + 4).map(async (def) => {
      try {
        return { def, n: await client.count(def.name, [F.gt('id', 0)]), err: null };
      } catch (e) {
        return { def, n: -1, err: toError(e) };
      }
    })));
  }
  const readable = new Map(results.filter((r) => !r.err).map((r) => [r.def.name, r.n]));
  /** Rows of `entity` naming one of the entity's records (`field exist`), when that entity is readable and not empty. */
  const evidenceOf = async (name: string): Promise<{ entity: string; rows: number } | null> => {
    for (const ev of EVIDENCE[name] ?? []) {
      if (!readable.get(ev.entity)) continue;
      try {
        const rows = await client.count(ev.entity, [F.exist(ev.field)]);
        if (rows > 0) return { entity: ev.entity, rows };
      } catch {
        // No evidence from this one; the next may say.
      }
    }
    return null;
  };
  let hidden = 0;
  for (const { def, n, err } of results) {
    const readers = [...(needs.get(def.name)?.length ? [needs.get(def.name)!.join(', ')] : []), ...(OTHER_READERS[def.name] ? [OTHER_READERS[def.name]!] : [])];
    const who = readers.length ? `needed by ${readers.join('; and by ')}` : 'no report reads it';
    const grant = ENTITY_PERMISSION[def.name] ?? 'the entity in Web Services API';
    if (err) {
      const perm = err instanceof AppError && err.code === 'PERMISSION';
      const line = perm
        ? `autotask: ${def.name}: the API user may not read it (${who}); grant its security level ${grant}`
        : `autotask: ${def.name}: ${err.message}`;
      if (def.optional) info.push(`--  ${line} (optional: the sync skips it with a note)`);
      else {
        problems.push(`environment: ${line}`);
        denied.push(def.name);
      }
    } else if (n === 0) {
      // A restricted security level answers with nothing rather than an error: another entity's rows
      // naming this one's records prove them withheld.
      const ev = await evidenceOf(def.name);
      if (ev) {
        hidden++;
        const line = `autotask: ${def.name}: 0 records readable, but ${ev.rows} ${ev.entity} record(s) name one (${who}): the API user's security level withholds them (Autotask answers empty, not an error); grant ${grant}`;
        if (def.optional) info.push(`!!  ${line} (optional: the reports that use it show no rows)`);
        else problems.push(`environment: ${line}`);
      } else if (NEVER_EMPTY.has(def.name)) {
        info.push(`!!  autotask: ${def.name}: 0 records readable (${who}): a restricted security level answers empty instead of refusing; check ${grant}`);
      }
    } else if (def.name === 'TimeEntries') {
      // Without the setting Autotask leaves non-billable entries out (no error): utilisation and
      // profitability then count only billable hours.
      try {
        if (await client.count(def.name, [F.eq('isNonBillable', true)]) === 0) {
          info.push(`!!  autotask: TimeEntries: none of the ${n} readable time entries is non-billable (${who}): an API user without ${NON_BILLABLE_PERMISSION} is shown billable time only; check that setting unless this tenant really logs no non-billable time`);
        }
      } catch {
        // The entity itself is readable; this refinement is not worth a failure.
      }
    }
  }
  if (!denied.length && !hidden) info.push(`ok  autotask: the API user may read all ${results.filter((r) => !r.err).length} entities the sync reads`);
  return { problems, info };
}
