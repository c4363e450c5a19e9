import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entity } from '../../src/autotask/entities.js';
import { openDb, type Db } from '../../src/store/db.js';
import { rowOf, upsertSqlOf } from '../../src/store/sync-store.js';

/**
 * Hand-built store fixtures for report tests: a fresh SQLite file per test, records given in Autotask
 * JSON shape (ISO datetimes, 'YYYY-MM-DD' dates), picklists given by label.
 */

/** Tenant-style picklists: labels as configured by people, values deliberately not the obvious numbers. */
export const PICKLISTS: Record<string, Record<string, Record<number, string>>> = {
  Tickets: {
    status: { 1: 'New', 5: 'Complete', 8: 'In Progress', 12: 'Escalate', 14: 'Scheduled', 15: 'Dispatched', 17: 'On Hold', 19: 'Waiting Customer', 20: 'Waiting Vendor', 21: 'Waiting Materials' },
    priority: { 1: 'High', 2: 'Medium', 4: 'Critical', 5: 'Low' },
    queueID: { 29682833: 'Triage', 29682834: 'Tier 1', 29682835: 'Tier 2', 29682836: 'Tier 3' },
    ticketType: { 1: 'Service Request', 2: 'Incident', 3: 'Problem', 4: 'Change Request', 5: 'Alert' },
    issueType: { 10: 'Quick Hit', 11: 'Install', 12: 'Hardware' },
    subIssueType: { 100: 'Printer' },
    ticketCategory: { 2: 'Standard', 3: 'Recurring' },
    source: { 2: 'Email', 4: 'Phone' },
    serviceLevelAgreementID: { 1: 'Standard SLA' },
  },
  Contracts: { status: { 0: 'Inactive', 1: 'Active' }, contractType: { 1: 'Time and Materials', 7: 'Recurring Service', 6: 'Block Hours' } },
  ConfigurationItems: { configurationItemType: { 1: 'Workstation', 2: 'Laptop', 3: 'Server', 4: 'Printer' } },
  Opportunities: { stage: { 1: 'Qualification', 2: 'Sales Engineering', 3: 'Proposal' }, status: { 1: 'Active', 2: 'Lost', 3: 'Closed', 4: 'Implemented' } },
  BillingItems: { billingItemType: { 1: 'Labor', 2: 'Expense', 6: 'Recurring Contract Service', 7: 'Recurring Contract Service Adjustment', 8: 'Labor Adjustment', 11: 'Product' } },
  Tasks: { status: { 1: 'New', 5: 'Complete', 8: 'In Progress' } },
  Companies: { companyType: { 1: 'Customer', 2: 'Lead', 3: 'Prospect', 5: 'Vendor' } },
};

/** A fresh store in a temp folder. */
export function makeStore(): { db: Db; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-test-'));
  const file = path.join(dir, 'store.db');
  const db = openDb(file);
  return { db, file, cleanup: () => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** Writes picklists (default: PICKLISTS). */
export function seedPicklists(db: Db, lists = PICKLISTS): void {
  const ins = db.prepare('INSERT OR REPLACE INTO picklists (entity, field, value, label, is_active, is_system) VALUES (?, ?, ?, ?, 1, 0)');
  for (const [e, fields] of Object.entries(lists)) for (const [f, vals] of Object.entries(fields)) for (const [v, l] of Object.entries(vals)) ins.run(e, f, Number(v), l);
}

/** Picklist value by label (throws if absent, so a typo fails the test). */
export function pv(entityName: string, field: string, label: string): number {
  const vals = PICKLISTS[entityName]?.[field] ?? {};
  const hit = Object.entries(vals).find(([, l]) => l === label);
  if (!hit) throw new Error(`no picklist ${entityName}.${field} "${label}"`);
  return Number(hit[0]);
}

/** Inserts records of an entity (Autotask JSON shape). */
export function insert(db: Db, entityName: string, records: Record<string, unknown>[]): void {
  const e = entity(entityName);
  const stmt = db.prepare(upsertSqlOf(e));
  db.transaction(() => {
    for (const r of records) stmt.run(...rowOf(e, r, Date.now()));
  })();
}

/** Appends ticket state records (kpi-spec §3) directly. Times as ISO strings. */
export function insertTicketStates(db: Db, states: { ticket: number; at: string; status: number; queue?: number | null; assigned?: number | null; priority?: number | null; completedDate?: string | null; completedBy?: number | null }[]): void {
  const stmt = db.prepare(`INSERT INTO ticket_states (ticket_id, changed_at, status, queue_id, assigned_resource_id, priority, completed_date, completed_by_resource_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const s of states) stmt.run(s.ticket, Date.parse(s.at), s.status, s.queue ?? null, s.assigned ?? null, s.priority ?? null, s.completedDate ? Date.parse(s.completedDate) : null, s.completedBy ?? null, Date.now());
}

/** Appends opportunity state records directly. */
export function insertOpportunityStates(db: Db, states: { opportunity: number; at: string; stage: number; status: number }[]): void {
  const stmt = db.prepare('INSERT INTO opportunity_states (opportunity_id, changed_at, stage, status, recorded_at) VALUES (?, ?, ?, ?, ?)');
  for (const s of states) stmt.run(s.opportunity, Date.parse(s.at), s.stage, s.status, Date.now());
}
