import type { Instant } from '../types.js';
import type { Db } from './db.js';
import { rowsOf } from './rows.js';

/**
 * The health of alert channels (table `channel_health`, one row per recipient channel): the streak of
 * failed sends that makes a channel "failing", told to the owner once per streak (src/alerts/engine.ts).
 */

/** A failing channel as `alerts status` shows it. */
export interface FailingChannelRow {
  channel: string;
  consecutive_failures: number;
  last_error: string | null;
  last_failure_at: Instant | null;
}

/** Channels whose last `failingAfter` or more sends failed in a row. */
export function failingChannels(db: Db, failingAfter: number): FailingChannelRow[] {
  return rowsOf<FailingChannelRow>(db, `SELECT channel, consecutive_failures, last_error, last_failure_at FROM channel_health WHERE consecutive_failures >= ?`).all(failingAfter);
}

/** Records a failed send on `channel`: the streak so far and the number of the channel's last failing episode. */
export function noteChannelFailure(db: Db, channel: string, error: string, now: Instant): { consecutive_failures: number; failing_episode: number } {
  return rowsOf<{ consecutive_failures: number; failing_episode: number }>(db, `INSERT INTO channel_health (channel, consecutive_failures, last_error, last_failure_at) VALUES (?, 1, ?, ?)
    ON CONFLICT(channel) DO UPDATE SET consecutive_failures = consecutive_failures + 1, last_error = excluded.last_error, last_failure_at = excluded.last_failure_at
    RETURNING consecutive_failures, failing_episode`).get(channel, error, now)!;
}
