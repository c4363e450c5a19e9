/** What one notification says, independent of the channel that carries it (e-mail, Teams, Slack, webhook). */
export interface AlertMessage {
  /** firing, reminder, escalation, resolved, notice (to the owner), card (a schedule's summary). */
  kind: 'firing' | 'reminder' | 'escalation' | 'resolved' | 'notice' | 'card';
  /** One line: what happened ("FIRING: backlog-high — Open backlog 130 (above 120)"). */
  title: string;
  /** One or two plain sentences. */
  summary: string;
  /** Label/value pairs shown as a table (value, threshold, target, since…). */
  facts: { name: string; value: string }[];
  /** Link to the web report, when settings web.baseUrl is set. */
  link: string | null;
  /** Rule id (or schedule id for a card). */
  source: string;
  /** Alert key (rule, or rule|row). */
  alertKey: string;
  /** Ledger transition (firing#2…). */
  transition: string;
  /** Instant it was decided, ISO. */
  at: string;
}

/** Whether the message is good news (green in cards). */
export function isGood(m: AlertMessage): boolean {
  return m.kind === 'resolved';
}
