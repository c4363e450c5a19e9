import type { Settings, WorkflowRule } from '../config.js';
import type { Db } from '../store/db.js';
import { norm, type Picklists } from './labels.js';

/** A workflow with its flags (kpi-spec §2). */
export interface Workflow {
  /** Name. */
  name: string;
  /** Break/fix incident work. */
  reactive: boolean;
  /** Eligible for first-contact resolution. */
  fcr: boolean;
  /** Counts in the backlog (service-desk work). */
  backlog: boolean;
}

export const UNCLASSIFIED: Workflow = { name: 'Unclassified', reactive: false, fcr: false, backlog: true };

/** Rule keys matched on picklist labels, and the ticket field each reads. */
const RULE_FIELDS: [keyof WorkflowRule, string][] = [
  ['ticketType', 'ticketType'], ['priority', 'priority'], ['queue', 'queueID'], ['issueType', 'issueType'],
  ['subIssueType', 'subIssueType'], ['ticketCategory', 'ticketCategory'], ['source', 'source'], ['status', 'status'],
];

/** The workflows of the settings in order, then Unclassified. */
export function workflowList(settings: Pick<Settings, 'workflows'>): Workflow[] {
  const seen = new Set<string>();
  const out: Workflow[] = [];
  for (const r of settings.workflows) {
    if (seen.has(r.name)) continue;
    seen.add(r.name);
    out.push({ name: r.name, reactive: r.reactive, fcr: r.fcr, backlog: r.backlog });
  }
  if (!seen.has(UNCLASSIFIED.name)) out.push(UNCLASSIFIED);
  return out;
}

/** The ticket fields a classifier reads. */
export interface TicketLabelsInput {
  ticketType: number | null; priority: number | null; queueID: number | null; issueType: number | null;
  subIssueType: number | null; ticketCategory: number | null; source: number | null; status: number | null;
  projectID: number | null;
}

/** Returns a classifier: first matching rule wins, no match → Unclassified. */
export function createClassifier(settings: Pick<Settings, 'workflows'>, pl: Picklists): (t: TicketLabelsInput) => Workflow {
  const list = workflowList(settings);
  const byName = new Map(list.map((w) => [w.name, w]));
  const rules = settings.workflows.map((r) => ({
    wf: byName.get(r.name)!,
    hasProject: r.hasProject,
    conds: RULE_FIELDS.flatMap(([key, field]) => {
      const v = r[key] as string | string[] | undefined;
      if (v === undefined) return [];
      return [{ field, want: new Set((Array.isArray(v) ? v : [v]).map(norm)) }];
    }),
  }));
  return (t) => {
    for (const r of rules) {
      if (r.hasProject !== undefined && (t.projectID !== null && t.projectID !== undefined) !== r.hasProject) continue;
      let ok = true;
      for (const c of r.conds) {
        const l = pl.normLabel('Tickets', c.field, (t as unknown as Record<string, number | null>)[c.field]);
        if (l === null || !c.want.has(l)) { ok = false; break; }
      }
      if (ok) return r.wf;
    }
    return byName.get(UNCLASSIFIED.name) ?? UNCLASSIFIED;
  };
}

/**
 * Materialises `temp.ticket_wf(ticket_id, workflow, reactive, fcr, backlog)` for every stored ticket, so
 * report SQL can join on workflows. Per connection; rebuilt on each call.
 *
 * The rules become one CASE over the tickets: each label condition is resolved once to the picklist values
 * whose label matches (the same test the classifier makes per ticket), so SQLite classifies every ticket
 * in one pass without calling back into JS or building a key per row.
 */
export function materialiseWorkflows(db: Db, settings: Pick<Settings, 'workflows'>, pl: Picklists): void {
  const list = workflowList(settings);
  const index = new Map<string, number>();
  list.forEach((w, i) => { if (!index.has(w.name)) index.set(w.name, i); });
  const lists: number[] = [];
  const whens = settings.workflows.map((r) => {
    const conds: string[] = [];
    if (r.hasProject !== undefined) conds.push(r.hasProject ? 't.projectID IS NOT NULL' : 't.projectID IS NULL');
    for (const [key, field] of RULE_FIELDS) {
      const v = r[key] as string | string[] | undefined;
      if (v === undefined) continue;
      const values = pl.valuesOf('Tickets', field, Array.isArray(v) ? v : [v]);
      lists.push(...values);
      conds.push(values.length ? `t.${field} IN (${values.map(() => '?').join(', ')})` : '0');
    }
    return `WHEN ${conds.length ? conds.join(' AND ') : '1'} THEN ${index.get(r.name)!}`;
  });
  db.exec(`DROP TABLE IF EXISTS temp.ticket_wf; DROP TABLE IF EXISTS temp.wf_list;
    CREATE TEMP TABLE ticket_wf (ticket_id INTEGER PRIMARY KEY, workflow TEXT NOT NULL, reactive INTEGER NOT NULL, fcr INTEGER NOT NULL, backlog INTEGER NOT NULL);
    CREATE TEMP TABLE wf_list (i INTEGER PRIMARY KEY, workflow TEXT NOT NULL, reactive INTEGER NOT NULL, fcr INTEGER NOT NULL, backlog INTEGER NOT NULL)`);
  const ins = db.prepare('INSERT INTO temp.wf_list VALUES (?, ?, ?, ?, ?)');
  const unclassified = index.get(UNCLASSIFIED.name)!;
  db.transaction(() => {
    list.forEach((w, i) => ins.run(i, w.name, w.reactive ? 1 : 0, w.fcr ? 1 : 0, w.backlog ? 1 : 0));
    // CROSS JOIN keeps the tickets as the outer loop: one pass, each row looks its workflow up by number.
    db.prepare(`INSERT INTO temp.ticket_wf SELECT t.id, l.workflow, l.reactive, l.fcr, l.backlog
      FROM tickets t CROSS JOIN temp.wf_list l ON l.i = CASE ${whens.join(' ')} ELSE ${unclassified} END`).run(...lists);
  })();
}
