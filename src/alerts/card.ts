import type { CardInput, CardPoster, SummaryCard } from '../delivery/ports.js';
import { execSummary } from '../render/bundle.js';
import type { FormatOptions } from '../render/format.js';
import { redactText } from '../redact.js';
import type { AlertMessage } from './message.js';
import { channelName, targetOf } from './engine.js';
import { ChannelError, type ChannelSender, type ChannelTarget } from './channels/types.js';

/**
 * A schedule's summary card (schedules.json `post`): the executive summary's measures — value, target,
 * status, off target first — and a link to the report in the web app, carried by the same channel senders
 * as the alerts (Teams Adaptive Card, Slack Block Kit, signed JSON).
 */

/** Measures on a card: Slack shows at most 10 fields in a section, and a chat card is a glance, not the report. */
const CARD_FACTS = 10;

/** The link to a report of the run in the web app, as of the run (and in its window), or null without a base URL. */
export function reportLink(baseUrl: string | null, report: string, asOf: number, window: string | null): string | null {
  if (!baseUrl) return null;
  const q = new URLSearchParams({ 'as-of': new Date(asOf).toISOString() });
  if (window) q.set('window', window);
  return `${baseUrl.replace(/\/+$/, '')}/reports/${report}?${q.toString()}`;
}

/** Builds the card of a run from its results. */
export function summaryCard(input: CardInput, opts: { baseUrl: string | null; format?: Omit<FormatOptions, 'timezone'> }): SummaryCard {
  const { rows, more } = execSummary(input.results, { ...opts.format, timezone: input.timezone });
  const many = input.results.length > 1;
  const facts = rows.slice(0, CARD_FACTS).map((r) => ({
    name: many ? `${r.label} (${r.report})` : r.label,
    value: [r.value, r.target ? `target ${r.target}` : '', r.status && r.light !== 'none' ? r.status : ''].filter(Boolean).join(' · '),
  }));
  const rest = rows.length - facts.length + more;
  const rated = rows.filter((r) => r.light !== 'none');
  const off = rated.filter((r) => r.light === 'red' || r.light === 'amber');
  let summary: string;
  if (!rows.length) summary = `${input.results.length === 1 ? 'The report has' : `The ${input.results.length} reports have`} no measure with a target.`;
  else if (!rated.length) summary = `${rows.length} ${rows.length === 1 ? 'measure' : 'measures'}; none is rated against a target.`;
  else if (!off.length) summary = `All ${rated.length} ${rated.length === 1 ? 'measure' : 'measures'} with a target ${rated.length === 1 ? 'is' : 'are'} on target.`;
  else summary = `${off.length} of ${rated.length} ${rated.length === 1 ? 'measure' : 'measures'} with a target ${off.length === 1 ? 'is' : 'are'} off target.`;
  if (rest > 0) summary += ` ${rest} more in the report.`;
  const first = input.results[0]?.report;
  return { title: input.subject, summary, facts, link: first ? reportLink(opts.baseUrl, first, input.asOf, input.window) : null };
}

/** The card poster over the alert channel senders, the roles' channels and the environment that holds their URLs. */
export function createCardPoster(o: {
  /** Environment the URLs and keys are read from. */
  env: NodeJS.ProcessEnv;
  /** One sender per channel type (e-mail is never a card target). */
  senders: Record<Exclude<ChannelTarget['type'], 'email'>, ChannelSender>;
  /** settings web.baseUrl, or null. */
  baseUrl: string | null;
  /** Number format of the settings. */
  format?: Omit<FormatOptions, 'timezone'>;
  /** Clock of the card's instant. */
  now: () => number;
}): CardPoster {
  return {
    targets(file, roles) {
      return [...new Set(roles.flatMap((r) => (file.roles[r]?.channels ?? []).map(channelName)))];
    },
    card: (input) => summaryCard(input, { baseUrl: o.baseUrl, ...(o.format ? { format: o.format } : {}) }),
    async post(recipient, card, opts) {
      const target = targetOf(recipient, opts.file, o.env);
      if ('error' in target) throw new ChannelError(target.error, false);
      if (target.type === 'email') throw new ChannelError(`${recipient}: not a channel`, false);
      const msg: AlertMessage = {
        kind: 'card', title: card.title, summary: card.summary, facts: card.facts, link: card.link, source: opts.scheduleId,
        alertKey: `schedule:${opts.scheduleId}`, transition: `run#${opts.runId}`, at: new Date(o.now()).toISOString(),
      };
      try {
        return await o.senders[target.type].send(target, msg, { id: opts.id, seq: opts.runId, signal: opts.signal });
      } catch (e) {
        // The URL and key are secrets: whatever is kept or logged of the failure has them removed.
        const ce = e instanceof ChannelError ? e : new ChannelError((e as Error).message, true);
        const text = redactText(ce.message, [target.address, target.secret]);
        throw new ChannelError(text, ce.transient, ce.retryAfterMs, ce.status);
      }
    },
  };
}
