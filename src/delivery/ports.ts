import type Mail from 'nodemailer/lib/mailer/index.js';
import type { ReportList } from '../types.js';
import type { Clock, ItemResult, ReportResult } from '../types.js';
import type { SchedulesFile } from './schedules.js';

/**
 * Narrow ports of the delivery core. The composition root (src/app.ts) adapts the real report engine,
 * renderer, sync and SMTP to these; tests pass small stand-ins. Nothing here imports another module's code.
 */

export type { Clock };

/** What the delivery core needs from the report engine. */
export interface ReportComputer {
  /** Every known report id `group/name` (used to expand a group name in schedules.json). */
  reportIds(): readonly string[];
  /** Computes reports as of `asOf` in `timezone`; one result per id, never throws for one bad report. */
  compute(ids: readonly string[], opts: ComputeOptions): Promise<ItemResult<ReportResult>[]>;
  /**
   * A technician's own lists for a personal scorecard (reopened tickets, late entries, aged and on-hold
   * past-due tickets) over `window` (ms, half-open) as of `asOf`. Optional: without it a scorecard has none.
   */
  personalLists?(resourceId: number, opts: { asOf: number; window: { from: number; to: number } | null }): ReportList[];
}

/** Options of one compute call. */
export interface ComputeOptions {
  /** The instant the reports are run at: the run's due instant. */
  asOf: number;
  /** IANA zone of the schedule: days, weeks and months are computed there. */
  timezone: string;
  /** The run's deadline signal. */
  signal: AbortSignal;
  /** The schedule's window kind for reports with a past window (default: each report's own). */
  window?: 'previous-week' | 'previous-month' | 'last-7-days';
}

/** The body and attachments of one message; a subset of nodemailer's options so `buildEmail` output fits. */
export type MessageContent = Pick<Mail.Options, 'html' | 'text' | 'attachments'> & {
  /**
   * Builds the whole RFC 5322 message for one recipient, when the renderer controls the MIME tree itself
   * (multipart/related > multipart/alternative with CID charts). Without it the mailer composes the message
   * from html/text/attachments.
   */
  compose?: (h: ComposeHeaders) => Promise<Buffer>;
};

/** The per-recipient headers a composed message carries. */
export interface ComposeHeaders {
  /** Sender. */
  from: string;
  /** The one recipient. */
  to: string;
  /** Subject (one line). */
  subject: string;
  /** Stable Message-ID. */
  messageId: string;
  /** Date header instant. */
  date: number;
  /** Extra headers (List-Unsubscribe, run id…). */
  headers: Record<string, string>;
}

/** What one message shows: its reports and the format asked for. */
export interface RenderInput {
  /** Results to show (already filtered to the recipient when bursting). */
  results: ReportResult[];
  /** Format of schedules.json: the body is always HTML + text; pdf/html/csv say what is attached. */
  format: ScheduleFormat;
  /** Subject line (already expanded). */
  subject: string;
  /** Schedule id. */
  scheduleId: string;
  /** Plain sentences the body must carry (reports that could not be computed, empty burst…). */
  notes: string[];
  /** Whom this copy is for when bursting (their name), else null. */
  audience: string | null;
  /** Email body layout of the schedule (default full). */
  layout?: 'full' | 'digest';
}

/** Renders one message's content (HTML body with CID images, text alternative, attachments). */
export interface MessageRenderer {
  /** Renders; must give up when `signal` aborts. */
  render(input: RenderInput, opts: { signal: AbortSignal; deadline: number }): Promise<MessageContent>;
}

/** Attachment formats a schedule can ask for. */
export type ScheduleFormat = 'pdf' | 'html' | 'both' | 'csv' | 'xlsx';

/** The sync, as far as freshness is concerned. */
export interface Syncer {
  /** Instant of the last successful sync, or null when there has been none. */
  lastSuccessAt(): number | null;
  /** Runs a sync; resolves with the outcome (does not throw for an Autotask fault). */
  sync(opts: { signal: AbortSignal }): Promise<{ ok: boolean; error?: string }>;
}

/** One message to one recipient, ready to send. */
export interface OutgoingMessage {
  /** Ledger run id (outbox file names). */
  runId: number;
  /** Recipient address (one per message). */
  to: string;
  /** Sender (`MAIL_FROM`). */
  from: string;
  /** Subject; CR/LF are removed before sending. */
  subject: string;
  /** Stable Message-ID `<…@…>`: a retry reuses it. */
  messageId: string;
  /** Date header instant. */
  date: number;
  /** Body and attachments. */
  content: MessageContent;
  /** Extra headers (List-Unsubscribe…). */
  headers?: Record<string, string>;
  /** Distinguishes messages of one run to one address (the owner's failure notice), for outbox names. */
  tag?: string;
}

/** Outcome of a send that the server accepted. */
export interface SendOutcome {
  /** Server response line (`250 OK …`) or the outbox file path. */
  response: string;
}

/** What a schedule's summary card is built from (once per run). */
export interface CardInput {
  /** Schedule id. */
  scheduleId: string;
  /** The run's subject (expanded, no personal name): the card's title. */
  subject: string;
  /** Every computed report of the run (never a personal copy). */
  results: ReportResult[];
  /** The run's as-of instant (the link opens the report as of it). */
  asOf: number;
  /** The schedule's window kind, when it sets one (the link keeps it). */
  window: string | null;
  /** IANA zone of the schedule. */
  timezone: string;
}

/** A schedule's summary card: the executive-summary measures and a link to the report in the web app. */
export interface SummaryCard {
  /** One line. */
  title: string;
  /** One or two plain sentences. */
  summary: string;
  /** One per measure: its label, and its value, target and status. */
  facts: { name: string; value: string }[];
  /** The report in the web app (settings web.baseUrl), or null when it is not set. */
  link: string | null;
}

/**
 * Posts a schedule's summary card to its roles' channels (Teams, Slack, signed JSON webhook). A post is a
 * delivery of the run like an e-mail: its ledger recipient is the channel's name (`teams:TEAMS_DESK_URL`),
 * never the URL, which is a secret.
 */
export interface CardPoster {
  /** The channel names of these roles of `file`, each once. */
  targets(file: Pick<SchedulesFile, 'roles'>, roles: readonly string[]): string[];
  /** The run's card. */
  card(input: CardInput): SummaryCard;
  /**
   * Posts once (the caller retries). `id` is the same on every retry and after a crash (the generic
   * webhook's X-Psa-Delivery). Throws an error whose `transient` says whether a retry may help and whose
   * `retryAfterMs` is the channel's Retry-After, when it gave one.
   */
  post(recipient: string, card: SummaryCard, opts: { id: string; scheduleId: string; runId: number; file: Pick<SchedulesFile, 'roles'>; signal: AbortSignal }): Promise<SendOutcome>;
}

/** Sends one message. Throws `MailError` (transient or permanent) when it was not accepted. */
export interface Mailer {
  /** Sends once, no retries (the caller retries). */
  send(msg: OutgoingMessage, opts: { signal: AbortSignal }): Promise<SendOutcome>;
  /** Where mail goes, safe to print (no password). */
  describe(): string;
  /** Releases connections. */
  close(): void;
}
