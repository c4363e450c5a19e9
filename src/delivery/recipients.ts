import type { Db } from '../store/db.js';
import { activeResourcesMatching, resourceByEmailLookup, type ResourceNameRow } from '../store/tenant.js';
import { parseAddress, quoteUntrusted } from './address.js';
import type { RecipientSpec, RoleDef, Schedule, SchedulesFile } from './schedules.js';

/** One resolved recipient. */
export interface Recipient {
  /** Lower-cased address: the ledger key. */
  address: string;
  /** Display name, when known. */
  name: string | null;
  /** Autotask resource id (bursting by technician), when known. */
  resourceId: number | null;
  /** Autotask company id (bursting by company), when given. */
  companyId: number | null;
}

/**
 * An address that was not used: an Autotask resource's e-mail field (or a schedules.json entry) that is not
 * exactly one plain address. Nobody is sent anything for it; the run's notes name it.
 */
export interface RefusedRecipient {
  /** Where it came from: `Autotask resource 12 (Tom Jones)` or `schedules.json role "team"`. */
  source: string;
  /** The text as found, quoted and escaped for one line. */
  shown: string;
  /** Why it was refused. */
  reason: string;
}

/** The note a refused address gives the run. */
export function refusedNote(r: RefusedRecipient): string {
  return `${r.source}: e-mail ${r.shown} refused (${r.reason}): no message goes to it`;
}

function nameOf(r: ResourceNameRow): string | null {
  const n = [r.firstName, r.lastName].filter(Boolean).join(' ').trim();
  return n || null;
}

function expand(db: Db, specs: readonly RecipientSpec[], refused: RefusedRecipient[], where: string): Recipient[] {
  const out: Recipient[] = [];
  const byEmail = resourceByEmailLookup(db);
  for (const spec of specs) {
    if (typeof spec === 'string' || 'address' in spec) {
      const raw = typeof spec === 'string' ? spec : spec.address;
      const parsed = parseAddress(raw);
      if (!parsed.ok) {
        refused.push({ source: where, shown: quoteUntrusted(raw), reason: parsed.reason });
        continue;
      }
      const address = parsed.address;
      const res = byEmail(address);
      out.push({
        address,
        name: (typeof spec === 'object' ? spec.name : undefined) ?? (res ? nameOf(res) : null),
        resourceId: (typeof spec === 'object' ? spec.resourceId : undefined) ?? res?.id ?? null,
        companyId: (typeof spec === 'object' ? spec.companyId : undefined) ?? null,
      });
    } else {
      for (const r of activeResourcesMatching(db, spec.autotask)) {
        // Autotask text is untrusted: one plain address or nothing (a CRLF or a comma in it would add
        // or replace recipients).
        const parsed = parseAddress(r.email);
        const name = nameOf(r);
        if (!parsed.ok) {
          refused.push({ source: `Autotask resource ${r.id}${name ? ` (${quoteUntrusted(name, 60).slice(1, -1)})` : ''}`, shown: quoteUntrusted(r.email), reason: parsed.reason });
          continue;
        }
        out.push({ address: parsed.address, name, resourceId: r.id, companyId: null });
      }
    }
  }
  return out;
}

/**
 * The recipients of one role: its list minus its exceptions, deduplicated by address (first wins).
 * Addresses that are not exactly one plain address are left out and added to `refused`.
 */
export function resolveRecipients(db: Db, role: RoleDef, refused: RefusedRecipient[] = [], roleName = 'role'): Recipient[] {
  const excluded = new Set(expand(db, role.except ?? [], [], `role "${roleName}" except`).map((r) => r.address));
  const seen = new Map<string, Recipient>();
  for (const r of expand(db, role.recipients, refused, `role "${roleName}"`)) {
    if (excluded.has(r.address) || seen.has(r.address)) continue;
    seen.set(r.address, r);
  }
  return [...seen.values()];
}

/** The recipients of a schedule: the union of its roles; refused addresses are added to `refused` (each once). */
export function resolveScheduleRecipients(db: Db, file: Pick<SchedulesFile, 'roles'>, schedule: Pick<Schedule, 'roles'>, refused: RefusedRecipient[] = []): Recipient[] {
  const seen = new Map<string, Recipient>();
  const notes = new Set<string>();
  for (const name of schedule.roles) {
    const role = file.roles[name];
    if (!role) continue;
    const mine: RefusedRecipient[] = [];
    for (const r of resolveRecipients(db, role, mine, name)) if (!seen.has(r.address)) seen.set(r.address, r);
    for (const r of mine) {
      // The same resource refused through two roles is one problem.
      const key = `${r.source.replace(/^role "[^"]*"/, 'role')}|${r.shown}`;
      if (!notes.has(key)) {
        notes.add(key);
        refused.push(r);
      }
    }
  }
  return [...seen.values()];
}
