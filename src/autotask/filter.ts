/**
 * The Autotask query filter grammar, as this client serialises it.
 *
 * Autotask silently ignores a clause with an unknown operator (and returns unfiltered rows), so the
 * operator set is closed here: a typo is a compile error or an exception, never a wrong result.
 */

/** Comparison operators that take a single value. */
export type ValueOp = 'eq' | 'noteq' | 'gt' | 'gte' | 'lt' | 'lte' | 'beginsWith' | 'endsWith' | 'contains';
/** Operators that take no value. */
export type ExistOp = 'exist' | 'notExist';
/** Operators that take an array value. */
export type ListOp = 'in' | 'notIn';
/** Grouping operators that take `items`. */
export type GroupOp = 'and' | 'or';

/** A scalar filter value: instants and Dates are sent as UTC ISO-8601 strings. */
export type FilterValue = string | number | boolean;

/** One filter clause in the JSON shape Autotask accepts. */
export interface Filter {
  /** Operator. */
  op: ValueOp | ExistOp | ListOp | GroupOp;
  /** Field name (omitted for groups). */
  field?: string;
  /** Value: scalar, or an array for in/notIn; absent for exist/notExist and groups. */
  value?: FilterValue | FilterValue[];
  /** True when `field` names a user-defined field. */
  udf?: boolean;
  /** Nested clauses of and/or groups. */
  items?: Filter[];
}

/** The body of `E/query` and `E/query/count`. */
export interface QueryBody {
  /** Clauses, ANDed at the top level. */
  filter: Filter[];
  /** Only these fields are returned (`id` is added when missing: paging relies on it). */
  includeFields?: string[];
  /** Page size 1–500 (default 500). */
  maxRecords?: number;
}

const VALUE_OPS = new Set<string>(['eq', 'noteq', 'gt', 'gte', 'lt', 'lte', 'beginsWith', 'endsWith', 'contains']);
const EXIST_OPS = new Set<string>(['exist', 'notExist']);
const LIST_OPS = new Set<string>(['in', 'notIn']);
const GROUP_OPS = new Set<string>(['and', 'or']);

/** An instant (ms) or Date as Autotask's UTC datetime string. */
export function isoUtc(v: number | Date): string {
  return (typeof v === 'number' ? new Date(v) : v).toISOString();
}

function scalar(v: FilterValue | Date): FilterValue {
  return v instanceof Date ? v.toISOString() : v;
}

/** Filter builders. Each returns the JSON clause Autotask expects. */
export const F = {
  eq: (field: string, value: FilterValue | Date): Filter => ({ op: 'eq', field, value: scalar(value) }),
  noteq: (field: string, value: FilterValue | Date): Filter => ({ op: 'noteq', field, value: scalar(value) }),
  gt: (field: string, value: FilterValue | Date): Filter => ({ op: 'gt', field, value: scalar(value) }),
  gte: (field: string, value: FilterValue | Date): Filter => ({ op: 'gte', field, value: scalar(value) }),
  lt: (field: string, value: FilterValue | Date): Filter => ({ op: 'lt', field, value: scalar(value) }),
  lte: (field: string, value: FilterValue | Date): Filter => ({ op: 'lte', field, value: scalar(value) }),
  beginsWith: (field: string, value: string): Filter => ({ op: 'beginsWith', field, value }),
  endsWith: (field: string, value: string): Filter => ({ op: 'endsWith', field, value }),
  contains: (field: string, value: string): Filter => ({ op: 'contains', field, value }),
  exist: (field: string): Filter => ({ op: 'exist', field }),
  notExist: (field: string): Filter => ({ op: 'notExist', field }),
  in: (field: string, values: FilterValue[]): Filter => ({ op: 'in', field, value: values }),
  notIn: (field: string, values: FilterValue[]): Filter => ({ op: 'notIn', field, value: values }),
  and: (...items: Filter[]): Filter => ({ op: 'and', items }),
  or: (...items: Filter[]): Filter => ({ op: 'or', items }),
  udf: (clause: Filter): Filter => ({ ...clause, udf: true }),
  /** Every row (`id exist`): Autotask expects at least one clause. */
  all: (): Filter => ({ op: 'exist', field: 'id' }),
};

/** Throws on a clause Autotask would silently ignore or reject; returns the clause list unchanged. */
export function validateFilter(filter: Filter[], path = 'filter'): Filter[] {
  if (!Array.isArray(filter)) throw new TypeError(`${path} must be an array of clauses`);
  let orCount = 0;
  const walk = (c: Filter, p: string): void => {
    if (!c || typeof c !== 'object') throw new TypeError(`${p}: not a clause`);
    if (GROUP_OPS.has(c.op)) {
      if (!Array.isArray(c.items) || c.items.length === 0) throw new TypeError(`${p}: "${c.op}" needs items`);
      if (c.op === 'or') orCount += c.items.length;
      c.items.forEach((x, i) => walk(x, `${p}.items[${i}]`));
      return;
    }
    if (!c.field) throw new TypeError(`${p}: "${c.op}" needs a field`);
    if (VALUE_OPS.has(c.op)) {
      if (c.value === undefined || c.value === null || Array.isArray(c.value)) throw new TypeError(`${p}: "${c.op}" needs one value`);
    } else if (EXIST_OPS.has(c.op)) {
      if (c.value !== undefined) throw new TypeError(`${p}: "${c.op}" takes no value`);
    } else if (LIST_OPS.has(c.op)) {
      if (!Array.isArray(c.value) || c.value.length === 0) throw new TypeError(`${p}: "${c.op}" needs a non-empty array`);
      if (c.value.length > 500) throw new TypeError(`${p}: "${c.op}" takes at most 500 values`);
    } else {
      throw new TypeError(`${p}: unknown operator "${String(c.op)}" (Autotask would ignore it and return unfiltered rows)`);
    }
  };
  filter.forEach((c, i) => walk(c, `${path}[${i}]`));
  if (orCount > 500) throw new TypeError(`${path}: more than 500 OR conditions`);
  return filter;
}

/** The JSON body sent for a query; `id` is added to includeFields because paging needs it. */
export function serializeQuery(body: QueryBody): string {
  validateFilter(body.filter);
  const out: Record<string, unknown> = { filter: body.filter };
  if (body.includeFields && body.includeFields.length) {
    const inc = body.includeFields.some((x) => x.toLowerCase() === 'id') ? body.includeFields : ['id', ...body.includeFields];
    out.includeFields = inc;
  }
  if (body.maxRecords !== undefined) {
    if (!Number.isInteger(body.maxRecords) || body.maxRecords < 1 || body.maxRecords > 500) {
      throw new TypeError(`maxRecords must be an integer 1–500 (got ${body.maxRecords})`);
    }
    out.maxRecords = body.maxRecords;
  }
  return JSON.stringify(out);
}
