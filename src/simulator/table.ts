import type { FieldType } from '../autotask/entities.js';
import { udfColumn, type SimEntity, type SimField } from './schema.js';
import { formatDate, formatDateTime } from './format.js';

/**
 * A columnar table: one typed array per numeric field, a plain array per string field, rows kept in
 * ascending `id` order. A million time entries fit in a few hundred MB this way, and a JSON record is
 * only materialised when a page is answered. Removed rows become tombstones so positions stay stable.
 */

type Column =
  | { kind: 'num'; data: Float64Array; whole: boolean }
  | { kind: 'bool'; data: Uint8Array }
  | { kind: 'str'; data: (string | null)[] };

const BOOL_NULL = 2;

/** A value as stored: numbers for ints, floats, datetimes (epoch ms) and dates (epoch ms at 00:00 UTC). */
export type Stored = number | string | boolean | null;

/** A plain record in storage form (datetimes as epoch ms). */
export type StoredRecord = Record<string, Stored>;

export class Table {
  /** Entity served from this table. */
  readonly entity: SimEntity;
  /** Fields by lower-case name (Autotask field names are case-insensitive in filters). */
  readonly byLower: Map<string, SimField>;
  private readonly cols = new Map<string, Column>();
  private ids: Float64Array;
  private alive: Uint8Array;
  private n = 0;
  private live = 0;
  private cap: number;
  private readonly udfCols: [string, Column][];
  private readonly eqIndexes = new Map<string, Map<number, number[]>>();
  private tsIndex: Uint32Array | null = null;
  private readonly tsPending = new Set<number>();

  constructor(entity: SimEntity, capacity = 64) {
    this.entity = entity;
    this.cap = Math.max(16, capacity);
    this.ids = new Float64Array(this.cap);
    this.alive = new Uint8Array(this.cap);
    this.byLower = new Map(entity.fields.map((f) => [f.name.toLowerCase(), f]));
    for (const f of entity.fields) {
      if (f.name === 'id') continue;
      this.cols.set(f.name, makeColumn(f.type, this.cap));
    }
    for (const u of entity.udfs ?? []) this.cols.set(udfColumn(u.name), makeColumn('string', this.cap));
    this.udfCols = (entity.udfs ?? []).map((u) => [u.name, this.cols.get(udfColumn(u.name))!]);
  }

  /** Rows ever stored, tombstones included (positions run 0..length-1). */
  get length(): number {
    return this.n;
  }

  /** Live rows. */
  get size(): number {
    return this.live;
  }

  /** Largest id ever stored (-1 when empty). */
  get maxId(): number {
    return this.n === 0 ? -1 : this.ids[this.n - 1]!;
  }

  /** Id at a position. */
  idAt(pos: number): number {
    return this.ids[pos]!;
  }

  /** Whether the row at a position is live. */
  isAlive(pos: number): boolean {
    return this.alive[pos] === 1;
  }

  /** Position of an id, or -1. */
  find(id: number): number {
    const pos = this.lowerBound(id);
    return pos < this.n && this.ids[pos] === id && this.alive[pos] === 1 ? pos : -1;
  }

  /** First position whose id is >= id. */
  lowerBound(id: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends a row; its id must exceed every stored id (ids only grow, as in Autotask). Returns its position. */
  append(rec: StoredRecord): number {
    const id = rec.id;
    if (typeof id !== 'number' || !Number.isFinite(id)) throw new Error(`${this.entity.name}: append needs a numeric id`);
    if (this.n > 0 && id <= this.ids[this.n - 1]!) throw new Error(`${this.entity.name}: id ${id} is not above the largest id ${this.maxId}`);
    if (this.n === this.cap) this.grow();
    const pos = this.n++;
    this.ids[pos] = id;
    this.alive[pos] = 1;
    this.live++;
    for (const [name, col] of this.cols) writeCell(col, pos, rec[name]);
    if (this.tsIndex) this.tsPending.add(pos);
    this.eqIndexes.clear();
    return pos;
  }

  /** Raw stored value of a field at a position (null when empty). */
  get(pos: number, field: string): Stored {
    if (field === 'id') return this.ids[pos]!;
    const col = this.cols.get(field);
    if (!col) return null;
    return readCell(col, pos);
  }

  /** Numeric column (for fast filters); undefined for non-numeric fields. */
  numColumn(field: string): Float64Array | undefined {
    if (field === 'id') return this.ids;
    const col = this.cols.get(field);
    return col?.kind === 'num' ? col.data : undefined;
  }

  /** Writes one field. */
  set(pos: number, field: string, value: Stored): void {
    if (field === 'id') throw new Error('id is immutable');
    const col = this.cols.get(field);
    if (!col) return;
    writeCell(col, pos, value);
    if (field === this.entity.changeField && this.tsIndex) this.tsPending.add(pos);
    this.eqIndexes.delete(field);
  }

  /** Marks a row removed. */
  remove(pos: number): void {
    if (this.alive[pos] !== 1) return;
    this.alive[pos] = 0;
    this.live--;
  }

  /** Storage-form record at a position. */
  stored(pos: number): StoredRecord {
    const out: StoredRecord = { id: this.ids[pos]! };
    for (const [name, col] of this.cols) out[name] = readCell(col, pos);
    return out;
  }

  /** API-form record at a position (camelCase JSON; datetimes as UTC ISO strings). */
  json(pos: number, fields?: readonly SimField[], withUdfs = this.hasUdfValues(pos)): Record<string, unknown> {
    const plan = this.plan(fields ?? this.entity.fields);
    const id = this.ids[pos]!;
    const out: Record<string, unknown> = {};
    for (const [name, col, type] of plan) {
      if (col === null) {
        out[name] = id;
        continue;
      }
      let v: unknown;
      if (col.kind === 'num') {
        const n = col.data[pos]!;
        v = Number.isNaN(n) ? null : type === 'datetime' ? formatDateTime(n, id) : type === 'date' ? formatDate(n) : n;
      } else if (col.kind === 'bool') {
        const b = col.data[pos]!;
        v = b === BOOL_NULL ? null : b === 1;
      } else v = col.data[pos] ?? null;
      out[name] = v;
    }
    if (withUdfs) out.userDefinedFields = this.udfCols.map(([name, col]) => ({ name, value: readCell(col, pos) }));
    return out;
  }

  /** Whether the entity has UDFs and this row carries a value in one of them. */
  hasUdfValues(pos: number): boolean {
    for (const [, col] of this.udfCols) if (readCell(col, pos) !== null) return true;
    return false;
  }

  /**
   * The same record as JSON text, written directly: a page of 500 wide rows is served without building
   * 500 objects and stringifying them again.
   */
  jsonText(pos: number, fields?: readonly SimField[], withUdfs = false): string {
    const plan = this.plan(fields ?? this.entity.fields);
    const id = this.ids[pos]!;
    let out = '{';
    for (let i = 0; i < plan.length; i++) {
      const [name, col, type] = plan[i]!;
      out += (i === 0 ? '"' : ',"') + name + '":';
      if (col === null) out += String(id);
      else if (col.kind === 'num') {
        const n = col.data[pos]!;
        out += Number.isNaN(n) ? 'null' : type === 'datetime' ? `"${formatDateTime(n, id)}"` : type === 'date' ? `"${formatDate(n)}"` : String(n);
      } else if (col.kind === 'bool') {
        const b = col.data[pos]!;
        out += b === BOOL_NULL ? 'null' : b === 1 ? 'true' : 'false';
      } else {
        const v = col.data[pos];
        out += v === null || v === undefined ? 'null' : JSON.stringify(v);
      }
    }
    if (withUdfs) out += `,"userDefinedFields":${JSON.stringify(this.udfCols.map(([name, col]) => ({ name, value: readCell(col, pos) })))}`;
    return `${out}}`;
  }

  private plans = new WeakMap<readonly SimField[], [string, Column | null, FieldType][]>();

  /** Field accessors resolved once per projection, so a 500-row page does no per-cell lookups. */
  private plan(fields: readonly SimField[]): [string, Column | null, FieldType][] {
    let p = this.plans.get(fields);
    if (!p) {
      p = fields.map((f) => [f.name, f.name === 'id' ? null : this.cols.get(f.name)!, f.type]);
      this.plans.set(fields, p);
    }
    return p;
  }

  /**
   * Positions sorted by the change timestamp (rows without one left out), rebuilt lazily after writes.
   * Lets `lastActivityDate gte X` answer from the few changed rows instead of scanning a million.
   */
  changeIndex(): { order: Uint32Array; ts: Float64Array } | null {
    const field = this.entity.changeField;
    if (!field) return null;
    const ts = this.numColumn(field);
    if (!ts) return null;
    if (this.tsIndex && this.tsPending.size === 0) return { order: this.tsIndex, ts };
    if (this.tsIndex && this.tsPending.size < this.n / 4) {
      // Writes only touched a few rows: drop them from the old order and merge them back in, O(n).
      const pending = sortByTs([...this.tsPending].filter((p) => !Number.isNaN(ts[p]!)), ts);
      const old = this.tsIndex;
      const out = new Uint32Array(old.length + pending.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < old.length || j < pending.length) {
        if (i < old.length && this.tsPending.has(old[i]!)) {
          i++;
          continue;
        }
        const a = i < old.length ? old[i]! : -1;
        const b = j < pending.length ? pending[j]! : -1;
        if (b < 0 || (a >= 0 && (ts[a]! < ts[b]! || (ts[a] === ts[b] && a < b)))) {
          out[k++] = a;
          i++;
        } else {
          out[k++] = b;
          j++;
        }
      }
      this.tsIndex = out.slice(0, k);
    } else {
      const all: number[] = [];
      for (let i = 0; i < this.n; i++) if (!Number.isNaN(ts[i]!)) all.push(i);
      this.tsIndex = sortByTs(all, ts);
    }
    this.tsPending.clear();
    return { order: this.tsIndex, ts };
  }

  /**
   * Positions per value of a numeric field (ascending), built lazily and dropped on writes. Answers
   * `ticketID eq N` or `ticketID in [...]` on a million time entries without a scan.
   */
  eqIndex(field: string): Map<number, number[]> | null {
    const col = this.numColumn(field);
    if (!col || field === 'id') return null;
    let idx = this.eqIndexes.get(field);
    if (!idx) {
      idx = new Map();
      for (let i = 0; i < this.n; i++) {
        const v = col[i]!;
        if (Number.isNaN(v)) continue;
        const list = idx.get(v);
        if (list) list.push(i);
        else idx.set(v, [i]);
      }
      this.eqIndexes.set(field, idx);
    }
    return idx;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const ids = new Float64Array(cap);
    ids.set(this.ids);
    this.ids = ids;
    const alive = new Uint8Array(cap);
    alive.set(this.alive);
    this.alive = alive;
    for (const [name, col] of this.cols) this.cols.set(name, growColumn(col, cap));
    // Cached projections hold the old column arrays: rows past the old capacity would read as garbage.
    this.plans = new WeakMap();
    this.cap = cap;
  }
}

function makeColumn(type: FieldType, cap: number): Column {
  if (type === 'bool') return { kind: 'bool', data: new Uint8Array(cap).fill(BOOL_NULL) };
  if (type === 'string') return { kind: 'str', data: [] };
  // Instants are whole milliseconds, as on the wire: a fractional value would never equal its own ISO string.
  return { kind: 'num', data: new Float64Array(cap).fill(NaN), whole: type === 'datetime' || type === 'date' };
}

function growColumn(col: Column, cap: number): Column {
  if (col.kind === 'str') return col;
  if (col.kind === 'bool') {
    const d = new Uint8Array(cap).fill(BOOL_NULL);
    d.set(col.data);
    return { kind: 'bool', data: d };
  }
  const d = new Float64Array(cap).fill(NaN);
  d.set(col.data);
  return { kind: 'num', data: d, whole: col.whole };
}

function writeCell(col: Column, pos: number, v: Stored | undefined): void {
  if (col.kind === 'num') {
    const n = v === null || v === undefined || v === '' ? NaN : Number(v);
    col.data[pos] = col.whole ? Math.floor(n) : n;
  }
  else if (col.kind === 'bool') col.data[pos] = v === null || v === undefined ? BOOL_NULL : v === true || v === 1 ? 1 : 0;
  else col.data[pos] = v === null || v === undefined ? null : String(v);
}

function readCell(col: Column, pos: number): Stored {
  if (col.kind === 'num') {
    const v = col.data[pos]!;
    return Number.isNaN(v) ? null : v;
  }
  if (col.kind === 'bool') {
    const v = col.data[pos]!;
    return v === BOOL_NULL ? null : v === 1;
  }
  return col.data[pos] ?? null;
}

/**
 * Positions sorted by (timestamp, position). Packs both into one 64-bit key so the native typed-array
 * sort does the work: a comparator sort of a million rows takes a second, this a fraction of it.
 */
function sortByTs(positions: number[], ts: Float64Array): Uint32Array {
  if (positions.length > 0 && Math.max(...positions.slice(-1)) >= 1 << 23) {
    return Uint32Array.from(positions.sort((a, b) => ts[a]! - ts[b]! || a - b));
  }
  const keys = new BigUint64Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    keys[i] = (BigInt(Math.max(0, ts[p]!)) << 23n) | BigInt(p);
  }
  keys.sort();
  const out = new Uint32Array(positions.length);
  const mask = (1n << 23n) - 1n;
  for (let i = 0; i < keys.length; i++) out[i] = Number(keys[i]! & mask);
  return out;
}
