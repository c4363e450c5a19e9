import type { AlertMessage } from '../message.js';
import { postJson } from './http.js';
import type { ChannelSender } from './types.js';

/** Slack incoming webhook with Block Kit (header, summary, fields, a button to the report). */
export function slackPayload(m: AlertMessage): unknown {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: esc(m.summary).slice(0, 3000) } },
  ];
  if (m.facts.length) blocks.push({ type: 'section', fields: m.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${esc(f.name)}*\n${esc(f.value)}`.slice(0, 2000) })) });
  if (m.link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the report' }, url: m.link }] });
  return { text: m.title, blocks };
}

/** Slack's mrkdwn: `&`, `<` and `>` escaped, so data cannot write `<!channel>` or a link. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Posts the blocks; `X-Psa-Delivery` (ignored by Slack) is the same on a repeat after a crash, so a proxy or a test can tell one. */
export const slackSender: ChannelSender = {
  async send(target, msg, opts) {
    return postJson(target.name, target.address, JSON.stringify(slackPayload(msg)), { 'x-psa-delivery': opts.id }, opts);
  },
};
