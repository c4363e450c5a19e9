import { AppError } from '../../errors.js';
import type { AlertMessage } from '../message.js';

/** A channel target, resolved: where to post, with its secrets read from the environment. */
export interface ChannelTarget {
  /** Ledger recipient: `teams:ENV_NAME`, `slack:ENV_NAME`, `webhook:ENV_NAME` or an e-mail address. Never a URL. */
  name: string;
  /** Channel kind. */
  type: 'email' | 'teams' | 'slack' | 'webhook';
  /** Webhook URL (a secret: never printed or logged), or the e-mail address. */
  address: string;
  /** HMAC key of the generic webhook. */
  secret?: string;
}

/** Posts one message to one target; throws ChannelError when it was not accepted. */
export interface ChannelSender {
  /** Sends once (the caller retries). `id` is stable across retries (Message-ID, X-Psa-Delivery). */
  send(target: ChannelTarget, msg: AlertMessage, opts: { id: string; seq: number; signal: AbortSignal }): Promise<{ response: string }>;
}

/** A post that was not accepted. */
export class ChannelError extends AppError {
  constructor(message: string, readonly transient: boolean, readonly retryAfterMs: number | null = null, readonly status: number | null = null) {
    super(message, transient ? 'CHANNEL_TRANSIENT' : 'CHANNEL');
  }
}
