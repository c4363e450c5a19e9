/** Events of the delivery core and the daemon (design style 10): they feed the log and let tests wait. */
export interface DeliveryEvents {
  'tick': { now: number; due: number; lockHeld: boolean };
  'lock:acquired': { owner: string };
  'lock:waiting': { owner: string; heldBy: string; pid: number; host: string };
  'lock:released': { owner: string };
  'run:claimed': { runId: number; scheduleId: string; dueAt: number; kind: string; attempt: number; recovered: boolean };
  'run:phase': { runId: number; scheduleId: string; phase: RunPhase };
  'run:finished': { runId: number; scheduleId: string; state: 'sent' | 'partial' | 'failed' | 'skipped'; reason: string | null };
  'run:failed': { runId: number; scheduleId: string; phase: RunPhase | null; error: string };
  'run:released': { runId: number; scheduleId: string; reason: string };
  'run:dropped': { scheduleId: string; count: number; policy: string };
  'sync:stale': { runId: number; lastSuccessAt: number | null; freshnessMs: number };
  'report:rendered': { runId: number; audience: string | null; reports: number; attachments: number };
  'mail:sent': { runId: number; recipient: string; messageId: string; attempts: number; response: string; inDoubt: boolean };
  'mail:retry': { runId: number; recipient: string; attempt: number; delayMs: number; error: string };
  'mail:failed': { runId: number; recipient: string; error: string; permanent: boolean };
  'mail:in-doubt': { runId: number; recipient: string; messageId: string; error: string };
  'recipient:refused': { runId: number; scheduleId: string; source: string; address: string; reason: string };
  'notice:sent': { runId: number; to: string; messageId: string };
  'notice:failed': { runId: number; to: string; error: string };
  'daemon:started': { pid: number; owner: string; db: string; schedulesFile: string; mail: string; schedules: { id: string; enabled: boolean; cron: string; timezone: string; next: string | null }[] };
  'daemon:error': { error: string };
  'schedules:reloaded': { file: string; added: string[]; removed: string[]; changed: string[] };
  'schedules:invalid': { file: string; error: string; kept: string[] };
  'settings:reloaded': { file: string; needRestart: string[] };
  'settings:invalid': { file: string; error: string };
  'daemon:stopping': { signal: string };
  'daemon:stopped': Record<string, never>;
  'alert:evaluated': { ruleId: string; observation: string; notifications: number };
  'alert:sent': { recipient: string; transition: string; alertKey: string; detail: string };
  'alert:retry': { recipient: string; transition: string; alertKey: string; detail: string };
  'alert:failed': { recipient: string; transition: string; alertKey: string; detail: string };
  'channel:failing': { recipient: string; transition: string; alertKey: string; detail: string };
  'poll:sync': { ok: boolean; error?: string };
  'webhook:event': { guid: string; sequence: number; entity: string; id: number; action: string; outcome: string };
}

/** Phases of a run, in order; the one that failed or overran the deadline is recorded. */
export type RunPhase = 'sync' | 'compute' | 'render' | 'deliver' | 'notify';

export { Events } from '../events.js';
export type { AnyListener } from '../events.js';
