import crypto from 'node:crypto';
import type { AlertMessage } from '../message.js';
import { postJson } from './http.js';
import { ChannelError, type ChannelSender } from './types.js';

/** The signature header of the generic webhook: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-psa-signature';

/** Signs a body with the channel's key. */
export function signBody(body: string, secret: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * A generic JSON webhook: the message as JSON, signed with HMAC-SHA256 so the receiver can tell it came from
 * us; `X-Psa-Delivery` is the same on every retry of one notification, so the receiver can drop repeats.
 */
export const webhookSender: ChannelSender = {
  async send(target, msg, opts) {
    if (!target.secret) throw new ChannelError(`${target.name}: no signing key (its secretEnv is empty)`, false);
    const body = JSON.stringify({ event: msg.kind, id: opts.id, ...msg });
    return postJson(target.name, target.address, body, { [SIGNATURE_HEADER]: signBody(body, target.secret), 'x-psa-delivery': opts.id }, opts);
  },
};
