import type { Config } from '../config.js';
import { computeByName, loadRegistry } from '../app.js';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import { PAST_WINDOW_KINDS, type PastWindowKind } from '../reporting/engine.js';
import { parseWhen } from '../reporting/time.js';
import type { Clock, ReportResult } from '../types.js';

/** The period of a request (`as-of`, `from`/`to`, `window`), parsed like the run command's flags. */
export function periodOf(cfg: Config, q: Record<string, string>, now: number): { asOf: number; from?: number; to?: number; windowKind?: PastWindowKind } {
  const tz = cfg.settings.timezone;
  const asOf = q['as-of'] ? parseWhen(q['as-of'], tz, 'as-of') : now;
  const hasFrom = Boolean(q.from);
  if (hasFrom !== Boolean(q.to)) throw new AppError('from and to go together: give both, or neither for the report\'s default window', 'USAGE');
  const out: { asOf: number; from?: number; to?: number; windowKind?: PastWindowKind } = { asOf };
  if (hasFrom) {
    out.from = parseWhen(q.from!, tz, 'from');
    out.to = parseWhen(q.to!, tz, 'to');
    if (!(out.to > out.from)) throw new AppError(`to (${q.to}) must be after from (${q.from})`, 'USAGE');
  }
  if (q.window) {
    if (!(PAST_WINDOW_KINDS as readonly string[]).includes(q.window)) throw new AppError(`window: "${q.window}" is not allowed. Allowed: ${PAST_WINDOW_KINDS.join(', ')}`, 'USAGE');
    if (hasFrom) throw new AppError('window and from/to both set the window: give one of them', 'USAGE');
    out.windowKind = q.window as PastWindowKind;
  }
  return out;
}

/** Computes one report for a request, through the same function as `run` (404 for an unknown id). */
export function computeOne(state: { db: Db; cfg: Config; clock: Clock }, id: string, q: Record<string, string>, trend: boolean | 'previous'): ReportResult {
  if (!loadRegistry().some((r) => r.id === id)) throw Object.assign(new AppError(`no report "${id}"`, 'USAGE'), { statusCode: 404 });
  const [r] = computeByName(state.db, state.cfg, [id], { ...periodOf(state.cfg, q, state.clock.now()), trend });
  if (!r) throw new AppError(`no report "${id}"`, 'USAGE');
  if (!r.ok) throw r.error;
  return r.value;
}

