import type { AnyListener, AppEvents, EventName } from './events.js';
import type { Clock } from './types.js';
import { redactText } from './redact.js';

/** How log lines look: `human` for a terminal, `json` (one object per line) for the daemon and log shippers. */
export type LogFormat = 'human' | 'json';
/** Severity of a log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Allowed values, for flags and their errors. */
export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The level of an event: its name says what happened. Per-request and per-page events are debug. */
export function levelOf<K extends EventName>(name: K, e: AppEvents[K]): LogLevel {
  if (/failed|error|invalid/.test(name)) return 'error';
  if (name === 'sync:entity') return (e as AppEvents['sync:entity']).result.ok ? 'info' : 'error';
  if (/retry|waiting|stale|released|dropped|budget-wait|requery|doubt|refused/.test(name)) return 'warn';
  if (name === 'autotask:request' || name === 'sync:page' || name === 'sync:entity-start') return 'debug';
  if (name === 'tick' && !(e as AppEvents['tick']).due) return 'debug';
  return 'info';
}

/** Passwords in a URL's user part, and the process's known secrets, never reach a log line (one redaction). */
function scrub(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return redactText(v, secrets);
  if (Array.isArray(v)) return v.map((x) => scrub(x, secrets));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x, secrets)]));
  return v;
}

function human(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** The one logger of the process: every event of the map, as a line, at or above `level`. */
export function createLogger(opts: { format: LogFormat; level?: LogLevel; write: (line: string) => void; clock: Clock; secrets?: readonly (string | null | undefined)[] }): AnyListener {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const min = RANK[opts.level ?? 'info'];
  return (name, e) => {
    const level = levelOf(name, e);
    if (RANK[level] < min) return;
    const fields = scrub(e, secrets) as Record<string, unknown>;
    const ts = new Date(opts.clock.now()).toISOString();
    if (opts.format === 'json') {
      opts.write(JSON.stringify({ ts, level, event: name, ...fields }));
      return;
    }
    const kv = Object.entries(fields).map(([k, v]) => `${k}=${human(v)}`).join(' ');
    opts.write(`${ts.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${name}${kv ? ` ${kv}` : ''}`);
  };
}
