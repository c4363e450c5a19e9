import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf, valuesOf } from './rows.js';

/**
 * The Autotask webhook callouts received (table `webhook_events`, one row per guid and sequence number):
 * the receiver's replay guard and gap detector, and the figures `webhooks status` prints.
 */

/** One callout as recorded. */
export interface WebhookEvent {
  guid: string;
  sequence: number;
  entity: string;
  entityId: number;
  action: string;
  /** Autotask's EventTime, as sent. */
  eventTime: string;
  receivedAt: Instant;
}

/** Whether the callout (guid, sequence) was already recorded. */
export function webhookEventSeen(db: Db, guid: string, sequence: number): boolean {
  return valuesOf<number>(db, `SELECT 1 FROM webhook_events WHERE guid = ? AND sequence_number = ?`).get(guid, sequence) !== undefined;
}

/** The highest sequence number recorded for the webhook `guid`, or null before its first callout. */
export function lastWebhookSequence(db: Db, guid: string): number | null {
  return valuesOf<number | null>(db, `SELECT max(sequence_number) FROM webhook_events WHERE guid = ?`).get(guid) ?? null;
}

/** Records a callout; false when it was recorded meanwhile (the same callout, handled by another request). */
export function recordWebhookEvent(db: Db, e: WebhookEvent): boolean {
  return db.prepare(`INSERT OR IGNORE INTO webhook_events (guid, sequence_number, entity, entity_id, action, event_time, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .run(e.guid, e.sequence, e.entity, e.entityId, e.action, e.eventTime, e.receivedAt).changes > 0;
}

/** Callouts received in all and since `since`, and when the last one came (null: none yet). */
export function webhookEventCounts(db: Db, since: Instant): { total: number; since: number; last: Instant | null } {
  const all = rowsOf<{ n: number; last: Instant | null }>(db, `SELECT count(*) AS n, max(received_at) AS last FROM webhook_events`).get()!;
  const recent = valuesOf<number>(db, `SELECT count(*) FROM webhook_events WHERE received_at >= ?`).get(since)!;
  return { total: all.n, since: recent, last: all.last };
}
