import type { EntityDef, FieldType } from '../autotask/entities.js';
import { recordId, type AutotaskRecord } from '../autotask/client.js';
import { printable } from '../errors.js';
import { parseInstant } from '../store/sync-store.js';

/**
 * Checks the records of a page against the entity's field list before they are stored.
 *
 * The store converts what it is given (a numeric string into a number, a datetime string into epoch ms),
 * and a value it cannot convert would become NULL without a word: a ticket with `status: "open"` would be
 * stored as a ticket without a status. So a value is accepted only when its conversion is lossless (the
 * safe coercions: numbers sent as numeric strings, booleans as 0/1 or "true"/"false", numbers in text
 * fields), and a record with any other value is left out whole and named in the entity's note, with
 * the field and what the field allows.
 */

/** A record left out of the store, and why. */
export interface RejectedRecord {
  /** The record's id when it has a usable one. */
  id: number | null;
  /** Operator-readable reason naming the entity and the field (safe to print). */
  reason: string;
}

/** A page's records split into those to store (with their raw JSON, when aligned) and those left out. */
export interface CheckedPage {
  /** Records to store. */
  items: AutotaskRecord[];
  /** Raw JSON of `items`, aligned, when the page had it. */
  raw?: string[];
  /** Records left out. */
  rejected: RejectedRecord[];
}

const INT = /^-?\d{1,15}$/;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOL = /^(true|false|0|1)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;

/** What a field of each type allows, for messages. */
const ALLOWED: Record<FieldType, string> = {
  int: 'an integer',
  float: 'a number',
  bool: 'true/false',
  datetime: 'an ISO date-time (UTC)',
  date: 'a date YYYY-MM-DD',
  string: 'text',
};

/** Whether `v` is a value of `type` the store converts without loss (null and empty mean "no value"). */
export function fieldValueOk(type: FieldType, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  switch (type) {
    case 'int':
      return typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && (v === '' || INT.test(v.trim()));
    case 'float':
      return typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && (v === '' || FLOAT.test(v.trim()));
    case 'bool':
      return typeof v === 'boolean' || v === 0 || v === 1 || (typeof v === 'string' && (v === '' || BOOL.test(v)));
    case 'datetime':
      return typeof v === 'string' && (v === '' || parseInstant(v) !== null);
    case 'date': {
      if (typeof v !== 'string') return false;
      if (v === '') return true;
      const m = DATE.exec(v);
      if (!m) return false;
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const t = new Date(Date.UTC(y, mo - 1, d));
      return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
    }
    case 'string':
      return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  }
}

/** A short, printable rendering of a bad value for a message. */
function shown(v: unknown): string {
  const t = Array.isArray(v) ? 'array' : typeof v;
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  s = printable(s);
  return `${t} ${s.length > 40 ? `${s.slice(0, 40)}…` : s}`;
}

/** Splits a page's records (already in our field spelling) into those to store and those left out. */
export function checkRecords(def: EntityDef, items: readonly AutotaskRecord[], raw?: readonly string[]): CheckedPage {
  let rejected: RejectedRecord[] | null = null;
  let keep: number[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const reason = recordProblem(def, items[i]);
    if (reason === null) {
      keep?.push(i);
      continue;
    }
    if (!keep) keep = Array.from({ length: i }, (_, k) => k);
    (rejected ??= []).push({ id: recordId((items[i] as { id?: unknown } | null)?.id), reason });
  }
  // The common case: every record fits, and the page goes on untouched (no copy on the hot path).
  if (!keep) return { items: items as AutotaskRecord[], ...(raw ? { raw: raw as string[] } : {}), rejected: [] };
  return {
    items: keep.map((i) => items[i]!),
    ...(raw && raw.length === items.length ? { raw: keep.map((i) => raw[i]!) } : {}),
    rejected: rejected!,
  };
}

/** Why a record cannot be stored, or null when it can. */
function recordProblem(def: EntityDef, r: unknown): string | null {
  const label = def.name;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return `${label}: a record that is not an object (${shown(r)})`;
  const rec = r as Record<string, unknown>;
  const id = recordId(rec.id);
  if (id === null) {
    return rec.id === undefined || rec.id === null
      ? `${label}: a record without an id`
      : `${label}: field id is ${shown(rec.id)}, allowed: an integer ≥ 0`;
  }
  for (const f of def.fields) {
    if (f.name === 'id') continue;
    const v = rec[f.name];
    if (!fieldValueOk(f.type, v)) return `${label} id ${id}: field ${f.name} is ${shown(v)}, allowed: ${ALLOWED[f.type]}`;
  }
  return null;
}

/** A note on the records left out of an entity (the first few named). */
export function rejectionNote(def: EntityDef, rejected: readonly RejectedRecord[]): string {
  const first = rejected.slice(0, 3).map((r) => r.reason).join('; ');
  const more = rejected.length > 3 ? `; and ${rejected.length - 3} more` : '';
  return `${rejected.length} ${def.name} record${rejected.length === 1 ? '' : 's'} not stored (malformed in Autotask's answer): ${first}${more}`;
}
