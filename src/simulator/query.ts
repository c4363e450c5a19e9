import type { Table } from './table.js';
import { udfColumn, type SimField } from './schema.js';
import { parseInstant } from './format.js';

/**
 * The query language of `E/query`: a filter tree (implicit AND at the top, nested and/or via `items`),
 * IncludeFields and MaxRecords, answered in ascending id order. Unknown operators are silently ignored
 * (Autotask drops them and returns rows unfiltered for that clause); unknown fields fail with 500.
 */

/** A 500-style error with Autotask's `{"errors":[...]}` body. */
export class QueryError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;
  constructor(message: string, status = 500) {
    super(message);
    this.status = status;
  }
}

/** A parsed query body. */
export interface QuerySpec {
  /** Filter clauses (top level ANDed). */
  filter: unknown[];
  /** Projected fields, if any. */
  includeFields?: string[];
  /** Page size 1..500. */
  maxRecords?: number;
}

/** A query made executable against one table. */
export interface CompiledQuery {
  /** Row test. */
  pred: (pos: number) => boolean;
  /** Inclusive lower id bound implied by top-level AND clauses. */
  idLo: number;
  /** Inclusive upper id bound. */
  idHi: number;
  /** Inclusive lower bound on the change timestamp. */
  tsLo: number;
  /** Inclusive upper bound on the change timestamp. */
  tsHi: number;
  /** Projection (undefined = all fields). */
  fields?: SimField[];
  /** Top-level `eq`/`in` clauses on numeric fields: candidate sources through the table's value index. */
  eqHints: { field: string; values: number[] }[];
  /** Page size. */
  pageSize: number;
}

function keyOf(obj: Record<string, unknown>, name: string): unknown {
  for (const k of Object.keys(obj)) if (k.toLowerCase() === name) return obj[k];
  return undefined;
}

/** Reads a query body; keys are case-insensitive (`filter`/`Filter`, `MaxRecords`/`maxRecords`). */
export function parseQuerySpec(body: unknown): QuerySpec {
  if (body === null || body === undefined || body === '') return { filter: [] };
  if (typeof body !== 'object' || Array.isArray(body)) throw new QueryError('Invalid query: the body must be a JSON object.');
  const o = body as Record<string, unknown>;
  const filter = keyOf(o, 'filter');
  const include = keyOf(o, 'includefields');
  const max = keyOf(o, 'maxrecords');
  const spec: QuerySpec = { filter: Array.isArray(filter) ? filter : filter ? [filter] : [] };
  if (Array.isArray(include) && include.length > 0) spec.includeFields = include.map(String);
  if (max !== undefined && max !== null) {
    const n = Number(max);
    spec.maxRecords = Number.isFinite(n) ? n : NaN;
  }
  return spec;
}

const OPS = new Set(['eq', 'noteq', 'gt', 'gte', 'lt', 'lte', 'beginswith', 'endswith', 'contains', 'exist', 'notexist', 'in', 'notin', 'and', 'or']);

interface Bounds {
  idLo: number;
  idHi: number;
  tsLo: number;
  tsHi: number;
  eqHints: { field: string; values: number[] }[];
}

/** Compiles a spec against a table; throws QueryError for what Autotask rejects. */
export function compileQuery(t: Table, spec: QuerySpec, defaultPageSize = 500): CompiledQuery {
  const pageSize = spec.maxRecords ?? defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new QueryError('maxCountOfRecordsToReturn must be between 1 and 500');
  const counter = { or: 0, udf: 0 };
  const bounds: Bounds = { idLo: -Infinity, idHi: Infinity, tsLo: -Infinity, tsHi: Infinity, eqHints: [] };
  const preds = spec.filter.map((item) => compileItem(t, item, counter, bounds));
  if (counter.or > 500) throw new QueryError("Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions.");
  const active = preds.filter((p): p is (pos: number) => boolean => p !== null);
  const pred = active.length === 0 ? () => true : active.length === 1 ? active[0]! : (pos: number) => active.every((p) => p(pos));
  let fields: SimField[] | undefined;
  if (spec.includeFields) {
    const wanted = new Set(spec.includeFields.map((s) => s.toLowerCase()));
    wanted.add('id');
    fields = t.entity.fields.filter((f) => wanted.has(f.name.toLowerCase()));
  }
  return { pred, ...bounds, ...(fields ? { fields } : {}), pageSize };
}

type Pred = ((pos: number) => boolean) | null;

function compileItem(t: Table, raw: unknown, counter: { or: number; udf: number }, bounds: Bounds | null): Pred {
  if (!raw || typeof raw !== 'object') throw new QueryError('Invalid query syntax: a filter must be an object.');
  const item = raw as Record<string, unknown>;
  const op = String(keyOf(item, 'op') ?? '').toLowerCase();
  if (!OPS.has(op)) return null;
  if (op === 'and' || op === 'or') {
    const items = keyOf(item, 'items');
    const list = Array.isArray(items) ? items : [];
    if (op === 'or') counter.or += list.length;
    // Range hints only survive through AND groups: an OR may widen them.
    const subs = list.map((x) => compileItem(t, x, counter, op === 'and' ? bounds : null)).filter((p): p is (pos: number) => boolean => p !== null);
    if (subs.length === 0) return null;
    return op === 'and' ? (pos) => subs.every((p) => p(pos)) : (pos) => subs.some((p) => p(pos));
  }
  const fieldName = String(keyOf(item, 'field') ?? '');
  const isUdf = keyOf(item, 'udf') === true;
  if (isUdf) {
    counter.udf++;
    if (counter.udf > 1) throw new QueryError('Only one user-defined field may be used in a query filter.');
    const udf = t.entity.udfs?.find((u) => u.name.toLowerCase() === fieldName.toLowerCase());
    if (!udf) throw new QueryError(`Unable to find ${fieldName} in the ${t.entity.singular} Entity`);
    return compileLeaf(t, { name: udfColumn(udf.name), type: 'string' }, op, keyOf(item, 'value'), null);
  }
  const f = t.byLower.get(fieldName.toLowerCase());
  if (!f) throw new QueryError(`Unable to find ${fieldName} in the ${t.entity.singular} Entity`);
  if (f.notQueryable) throw new QueryError(`The field ${f.name} is not queryable.`);
  const value = keyOf(item, 'value');
  return compileLeaf(t, f, op, value, bounds);
}

function coerce(f: SimField, v: unknown): number | string | boolean {
  if (f.type === 'bool') {
    if (v === true || v === false) return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
    throw new QueryError(`Invalid value for boolean field ${f.name}: booleans must be true or false.`);
  }
  if (f.type === 'datetime' || f.type === 'date') {
    const ms = parseInstant(v);
    if (Number.isNaN(ms)) throw new QueryError(`Unable to convert ${JSON.stringify(v)} to a date for field ${f.name}.`);
    return ms;
  }
  if (f.type === 'int' || f.type === 'float') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? NaN : NaN;
    if (Number.isNaN(n)) throw new QueryError(`Input value ${JSON.stringify(v)} is not valid for field ${f.name}.`);
    return n;
  }
  return String(v);
}

function compileLeaf(t: Table, f: SimField, op: string, value: unknown, bounds: Bounds | null): Pred {
  const name = f.name;
  if (op === 'exist' || op === 'notexist') {
    const want = op === 'exist';
    return (pos) => {
      const v = t.get(pos, name);
      return (v !== null && v !== '') === want;
    };
  }
  if (op === 'in' || op === 'notin') {
    const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    const set = new Set(list.map((v) => norm(coerce(f, v))));
    if (op === 'in' && bounds && t.numColumn(name) && name !== 'id') bounds.eqHints.push({ field: name, values: [...set] as number[] });
    const want = op === 'in';
    return (pos) => {
      const v = t.get(pos, name);
      if (v === null) return !want;
      return set.has(norm(v)) === want;
    };
  }
  if ((value === undefined || value === null) && f.type === 'bool') {
    throw new QueryError(`Invalid value for boolean field ${f.name}: booleans must be true or false.`);
  }
  if (value === undefined || value === null) {
    // Comparing with null: Autotask treats it like exist/notExist.
    if (op === 'eq') return (pos) => t.get(pos, name) === null;
    if (op === 'noteq') return (pos) => t.get(pos, name) !== null;
    return () => false;
  }
  if (op === 'beginswith' || op === 'endswith' || op === 'contains') {
    const needle = String(value).toLowerCase();
    return (pos) => {
      const v = t.get(pos, name);
      if (v === null) return false;
      const s = String(v).toLowerCase();
      return op === 'beginswith' ? s.startsWith(needle) : op === 'endswith' ? s.endsWith(needle) : s.includes(needle);
    };
  }
  const c = coerce(f, value);
  const col = t.numColumn(name);
  if (col && typeof c === 'number') {
    if (bounds) narrow(bounds, name === 'id' ? 'id' : name === t.entity.changeField ? 'ts' : null, op, c);
    if (bounds && op === 'eq' && name !== 'id') bounds.eqHints.push({ field: name, values: [c] });
    switch (op) {
      case 'eq': return (pos) => col[pos] === c;
      case 'noteq': return (pos) => col[pos] !== c;
      case 'gt': return (pos) => col[pos]! > c;
      case 'gte': return (pos) => col[pos]! >= c;
      case 'lt': return (pos) => col[pos]! < c;
      case 'lte': return (pos) => col[pos]! <= c;
    }
    return null;
  }
  const cv = norm(c);
  return (pos) => {
    const raw = t.get(pos, name);
    if (raw === null) return op === 'noteq';
    const v = norm(raw);
    switch (op) {
      case 'eq': return v === cv;
      case 'noteq': return v !== cv;
      case 'gt': return v > cv;
      case 'gte': return v >= cv;
      case 'lt': return v < cv;
      case 'lte': return v <= cv;
    }
    return true;
  };
}

function norm(v: number | string | boolean): number | string | boolean {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function narrow(b: Bounds, which: 'id' | 'ts' | null, op: string, c: number): void {
  if (!which) return;
  const lo = which === 'id' ? 'idLo' : 'tsLo';
  const hi = which === 'id' ? 'idHi' : 'tsHi';
  // Ids are integers, so a strict bound becomes an inclusive one; timestamps keep a tiny epsilon.
  const step = which === 'id' ? 1 : 0.001;
  if (op === 'eq') {
    b[lo] = Math.max(b[lo], c);
    b[hi] = Math.min(b[hi], c);
  } else if (op === 'gt') b[lo] = Math.max(b[lo], c + step);
  else if (op === 'gte') b[lo] = Math.max(b[lo], c);
  else if (op === 'lt') b[hi] = Math.min(b[hi], c - step);
  else if (op === 'lte') b[hi] = Math.min(b[hi], c);
}

/**
 * Candidate positions in ascending id order: either a contiguous id range (scanned lazily) or, when the
 * change-timestamp range is much narrower, the positions from the timestamp index.
 */
function* candidates(t: Table, q: CompiledQuery, afterId: number, reverseBeforeId?: number): Generator<number> {
  let idLo = Math.max(q.idLo, afterId + 1);
  let idHi = q.idHi;
  if (reverseBeforeId !== undefined) idHi = Math.min(idHi, reverseBeforeId - 1);
  if (idLo > idHi) return;
  const lo = t.lowerBound(Number.isFinite(idLo) ? Math.ceil(idLo) : -Infinity);
  const hi = Number.isFinite(idHi) ? t.lowerBound(Math.floor(idHi) + 1) : t.length;
  if (reverseBeforeId === undefined && q.eqHints.length > 0 && hi - lo > 2000) {
    // The most selective equality clause, if it beats a range scan by far.
    let best: number[] | null = null;
    for (const h of q.eqHints) {
      const idx = t.eqIndex(h.field);
      if (!idx) continue;
      let total = 0;
      for (const v of h.values) total += idx.get(v)?.length ?? 0;
      if (best === null || total < best.length) {
        best = [];
        for (const v of h.values) for (const p of idx.get(v) ?? []) best.push(p);
      }
    }
    if (best !== null && best.length < (hi - lo) / 8) {
      const sorted = Uint32Array.from(best).sort();
      for (const p of sorted) if (p >= lo && p < hi) yield p;
      return;
    }
  }
  if (reverseBeforeId === undefined && (q.tsLo > -Infinity || q.tsHi < Infinity)) {
    const idx = t.changeIndex();
    if (idx) {
      const a = lowerBoundTs(idx.order, idx.ts, q.tsLo);
      const b = upperBoundTs(idx.order, idx.ts, q.tsHi);
      if (b - a < (hi - lo) / 4) {
        const picked: number[] = [];
        for (let i = a; i < b; i++) {
          const p = idx.order[i]!;
          if (p >= lo && p < hi) picked.push(p);
        }
        const sorted = Uint32Array.from(picked).sort();
        for (const p of sorted) yield p;
        return;
      }
    }
  }
  if (reverseBeforeId !== undefined) {
    for (let p = hi - 1; p >= lo; p--) yield p;
    return;
  }
  for (let p = lo; p < hi; p++) yield p;
}

function lowerBoundTs(order: Uint32Array, ts: Float64Array, v: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[order[mid]!]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBoundTs(order: Uint32Array, ts: Float64Array, v: number): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[order[mid]!]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page: positions of up to pageSize matching rows after `afterId`, and whether more exist. */
export function runPage(t: Table, q: CompiledQuery, afterId = -Infinity): { positions: number[]; hasMore: boolean } {
  const out: number[] = [];
  for (const p of candidates(t, q, afterId)) {
    if (!t.isAlive(p) || !q.pred(p)) continue;
    if (out.length === q.pageSize) return { positions: out, hasMore: true };
    out.push(p);
  }
  return { positions: out, hasMore: false };
}

/** The page that ends just before `beforeId` (for prevPageUrl). */
export function runPrevPage(t: Table, q: CompiledQuery, beforeId: number): number[] {
  const out: number[] = [];
  for (const p of candidates(t, q, -Infinity, beforeId)) {
    if (!t.isAlive(p) || !q.pred(p)) continue;
    out.push(p);
    if (out.length === q.pageSize) break;
  }
  return out.reverse();
}

/** Number of matching rows. */
export function runCount(t: Table, q: CompiledQuery): number {
  let n = 0;
  for (const p of candidates(t, q, -Infinity)) if (t.isAlive(p) && q.pred(p)) n++;
  return n;
}
