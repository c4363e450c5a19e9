import { isGood, type AlertMessage } from '../message.js';
import { postJson } from './http.js';
import type { ChannelSender } from './types.js';

/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): the body is a
 * message with one Adaptive Card attachment (the retired Office 365 connectors took MessageCards).
 */
export function teamsPayload(m: AlertMessage): unknown {
  const body: unknown[] = [
    { type: 'TextBlock', text: plain(m.title), weight: 'Bolder', size: 'Medium', wrap: true, color: isGood(m) ? 'Good' : m.kind === 'notice' || m.kind === 'card' ? 'Default' : 'Attention' },
    { type: 'TextBlock', text: plain(m.summary), wrap: true },
  ];
  if (m.facts.length) body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: plain(f.name), value: plain(f.value) })) });
  const card: Record<string, unknown> = { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body };
  if (m.link) card.actions = [{ type: 'Action.OpenUrl', title: 'Open the report', url: m.link }];
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}

/** Adaptive Card text is Markdown: data (a ticket title) must not turn into links or formatting. */
function plain(s: string): string {
  return s.replace(/([\\`*_{}[\]()#+\-!|>~<])/g, '\\$1').replace(/\r?\n/g, ' ');
}

/** Posts the card; `X-Psa-Delivery` (ignored by Teams) is the same on a repeat after a crash, so a proxy or a test can tell one. */
export const teamsSender: ChannelSender = {
  async send(target, msg, opts) {
    return postJson(target.name, target.address, JSON.stringify(teamsPayload(msg)), { 'x-psa-delivery': opts.id }, opts);
  },
};
