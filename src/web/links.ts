import type { Config } from '../config.js';
import type { Db } from '../store/db.js';
import { metaValue, setMetaValue } from '../store/meta.js';
import type { ColumnSpec, Row } from '../types.js';

/** Links from report cells into Autotask's web UI. */
export interface Links {
  /** Autotask's web UI base (zone information's `webUrl`), or null: then cells are plain text. */
  webUrl: string | null;
  /** The URL a cell opens, or null. */
  linkOf(row: Row, column: ColumnSpec): string | null;
}

const META_KEY = 'autotask.webUrl';

function httpUrl(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href.replace(/\/?$/, '/') : null;
  } catch {
    return null;
  }
}

/**
 * Finds Autotask's web URL: AUTOTASK_WEB_URL, else the one remembered in the store, else zone discovery
 * (`zoneInformation?user=`, no credentials needed; its `webUrl`), remembered for the next start. Without
 * any of them ticket numbers are shown as text.
 */
export async function autotaskLinks(cfg: Config, db: Db, env: NodeJS.ProcessEnv = process.env): Promise<Links> {
  let webUrl = httpUrl(env.AUTOTASK_WEB_URL);
  if (!webUrl) webUrl = httpUrl(metaValue(db, META_KEY));
  if (!webUrl && cfg.env.username) {
    try {
      const base = cfg.env.zoneUrl.endsWith('/') ? cfg.env.zoneUrl : `${cfg.env.zoneUrl}/`;
      const res = await fetch(`${base}v1.0/zoneInformation?user=${encodeURIComponent(cfg.env.username)}`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) webUrl = httpUrl(((await res.json()) as { webUrl?: unknown }).webUrl);
      if (webUrl) setMetaValue(db, META_KEY, webUrl);
    } catch {
      // No network to Autotask right now: the pages work, ticket numbers are plain text until the next start.
    }
  }
  return {
    webUrl,
    linkOf(row, column) {
      if (!webUrl) return null;
      // Autotask's documented deep link (ExecuteCommand) opens a ticket by its number.
      if (column.key === 'ticket_number' && typeof row.ticket_number === 'string' && row.ticket_number) {
        return `${webUrl}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenTicketDetail&TicketNumber=${encodeURIComponent(row.ticket_number)}`;
      }
      if (column.key === 'opportunity' && typeof row.opportunity_id === 'number') {
        return `${webUrl}Autotask/AutotaskExtend/ExecuteCommand.aspx?Code=OpenOpportunity&OpportunityID=${row.opportunity_id}`;
      }
      return null;
    },
  };
}
