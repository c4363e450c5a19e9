import type { Db } from '../store/db.js';
import { picklistRows } from '../store/tenant.js';

/** Normalises a label for matching: trimmed, lower case (kpi-spec §1 "Labels, not ids"). */
export function norm(label: string | null | undefined): string {
  return (label ?? '').trim().toLowerCase();
}

/**
 * A label as a reader sees it: trimmed, inner runs of spaces made one, and a label typed all in lower case
 * ("negotiation ") given a capital first letter ("Negotiation"), as Autotask's own labels have. A label with
 * any capital ("Sales Engineering", "VoIP") is the tenant's spelling and stays as it is.
 */
export function displayLabel(label: string): string {
  const s = label.trim().replace(/\s+/g, ' ');
  return s === s.toLowerCase() ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** Picklist labels of the store, inactive values included. */
export interface Picklists {
  /** Raw label of a value, or null. */
  label(entity: string, field: string, value: number | null | undefined): string | null;
  /** Label of a value as shown in a report (see `displayLabel`), or null. */
  display(entity: string, field: string, value: number | null | undefined): string | null;
  /** Normalised label of a value, or null. */
  normLabel(entity: string, field: string, value: number | null | undefined): string | null;
  /** Whether the value's label is one of `labels` (normalised comparison). */
  is(entity: string, field: string, value: number | null | undefined, labels: readonly string[]): boolean;
  /** Values whose label is in `labels`. */
  valuesOf(entity: string, field: string, labels: readonly string[]): number[];
}

/** Loads every picklist once; lookups are map reads. */
export function loadPicklists(db: Db): Picklists {
  const rows = picklistRows(db);
  const byField = new Map<string, Map<number, string>>();
  for (const r of rows) {
    const k = `${r.entity}.${r.field}`;
    let m = byField.get(k);
    if (!m) { m = new Map(); byField.set(k, m); }
    m.set(r.value, r.label);
  }
  const label = (entity: string, field: string, value: number | null | undefined) =>
    value === null || value === undefined ? null : byField.get(`${entity}.${field}`)?.get(value) ?? null;
  return {
    label,
    display: (e, f, v) => { const l = label(e, f, v); return l === null ? null : displayLabel(l); },
    normLabel: (e, f, v) => { const l = label(e, f, v); return l === null ? null : norm(l); },
    is(e, f, v, labels) {
      const l = label(e, f, v);
      if (l === null) return false;
      const n = norm(l);
      return labels.some((x) => norm(x) === n);
    },
    valuesOf(e, f, labels) {
      const want = new Set(labels.map(norm));
      const m = byField.get(`${e}.${f}`);
      if (!m) return [];
      return [...m.entries()].filter(([, l]) => want.has(norm(l))).map(([v]) => v);
    },
  };
}
