import type { EntityDef, FieldDef } from '../autotask/entities.js';

/** Converts one Autotask JSON value to its stored form (see the catalogue's storage rules). */
export function toColumn(f: FieldDef, v: unknown): string | number | null {
  if (v === null || v === undefined || v === '') return null;
  switch (f.type) {
    case 'datetime': {
      if (typeof v === 'number') return v;
      const s = String(v);
      // Autotask sends UTC; an offset-less string is UTC too (never shifted).
      const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
      return Number.isNaN(t) ? null : t;
    }
    case 'date': {
      const s = String(v);
      return /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : null;
    }
    case 'bool':
      return v === true || v === 1 || v === '1' || v === 'true' ? 1 : 0;
    case 'int': {
      const n = Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : null;
    }
    case 'float': {
      const n = Number(v);
      return Number.isFinite(n) ? n : null;
    }
    case 'string':
      return String(v);
  }
}

/** Column values of a record in catalogue field order (id first). */
export function toRow(e: EntityDef, record: Record<string, unknown>): (string | number | null)[] {
  return e.fields.map((f) => toColumn(f, record[f.name]));
}

/** `INSERT OR REPLACE` statement text for an entity: catalogue columns, then raw and synced_at. */
export function upsertSql(e: EntityDef): string {
  const cols = [...e.fields.map((f) => `"${f.name}"`), 'raw', 'synced_at'];
  return `INSERT OR REPLACE INTO ${e.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}
