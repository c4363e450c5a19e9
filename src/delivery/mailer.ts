import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { AppError } from '../errors.js';
import type { Mailer, OutgoingMessage, SendOutcome } from './ports.js';

/**
 * Mail: nodemailer over SMTP_URL, or .eml files in the outbox folder when no SMTP server is configured.
 * The mailer sends once; `sendWithRetry` retries transient faults (4xx, connection errors) with backoff
 * until the run's deadline; a permanent 5xx fails that recipient only.
 */

/** A send that was not accepted. */
export class MailError extends AppError {
  /** Whether trying again later may succeed (4xx, connection trouble). */
  readonly transient: boolean;
  /** SMTP reply code, when the server answered. */
  readonly responseCode: number | null;

  constructor(message: string, opts: { transient: boolean; responseCode: number | null; cause?: unknown }) {
    super(message, opts.transient ? 'MAIL_TRANSIENT' : 'MAIL', { cause: opts.cause, details: { responseCode: opts.responseCode } });
    this.transient = opts.transient;
    this.responseCode = opts.responseCode;
  }
}

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EPROTOCOL']);

/** Removes the password (and user) from a URL for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** Turns whatever nodemailer threw into a MailError, secrets removed. */
export function classifyMailError(e: unknown, secret?: string): MailError {
  if (e instanceof MailError) return e;
  const err = e as { responseCode?: number; code?: string; response?: string; message?: string };
  let text = (err.response || err.message || String(e)).replace(/\s+/g, ' ').trim();
  if (secret) text = text.split(secret).join('***');
  const rc = typeof err.responseCode === 'number' ? err.responseCode : null;
  let transient: boolean;
  if (rc !== null) transient = rc >= 400 && rc < 500;
  else transient = err.code === undefined || TRANSIENT_CODES.has(err.code);
  // A wrong password will not fix itself by retrying.
  if (err.code === 'EAUTH') transient = false;
  return new MailError(rc !== null ? text : `${err.code ? `${err.code}: ` : ''}${text}`, { transient, responseCode: rc, cause: e });
}

async function toMailOptions(msg: OutgoingMessage): Promise<Mail.Options> {
  // Header injection: a subject built from data must stay one line.
  const subject = msg.subject.replace(/[\r\n]+/g, ' ');
  const { compose, ...content } = msg.content;
  if (compose) {
    const raw = await compose({ from: msg.from, to: msg.to, subject, messageId: msg.messageId, date: msg.date, headers: msg.headers ?? {} });
    return { envelope: { from: envelopeOf(msg.from), to: [msg.to] }, raw };
  }
  return {
    ...content,
    from: msg.from,
    to: msg.to,
    subject,
    messageId: msg.messageId,
    date: new Date(msg.date),
    headers: msg.headers,
  };
}

/** The bare address of `Name <addr>`. */
function envelopeOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

function connectNoDelay(host: string, port: number, timeoutMs: number, cb: (err: Error | null, s?: { connection: net.Socket }) => void): void {
  const sock = net.connect({ host, port, noDelay: true });
  const timer = setTimeout(() => {
    sock.destroy();
    done(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
  }, timeoutMs);
  let called = false;
  const done = (err: Error | null) => {
    if (called) return;
    called = true;
    clearTimeout(timer);
    sock.off('error', onError);
    if (err) cb(Object.assign(err, { code: (err as NodeJS.ErrnoException).code ?? 'ECONNECTION' }));
    else cb(null, { connection: sock });
  };
  const onError = (e: Error) => done(e);
  sock.once('error', onError);
  sock.once('connect', () => done(null));
}

/** Sends through an SMTP server (TLS, STARTTLS and auth as the URL says). */
export class SmtpMailer implements Mailer {
  private readonly transport: nodemailer.Transporter;
  private readonly password: string | undefined;

  constructor(private readonly url: string, opts: { connectionTimeoutMs?: number; socketTimeoutMs?: number } = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError(`SMTP_URL is not a URL (expected smtp://user:pass@host:587 or smtps://…:465): ${redactUrl(url)}`, 'CONFIG');
    }
    if (!['smtp:', 'smtps:'].includes(parsed.protocol)) {
      throw new AppError(`SMTP_URL must start with smtp:// or smtps:// (got ${parsed.protocol}//)`, 'CONFIG');
    }
    this.password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    const secure = parsed.protocol === 'smtps:';
    const q = parsed.searchParams;
    const flag = (name: string) => q.get(name) === 'true' || q.get(name) === '1';
    // STARTTLS is used whenever the server offers it; `?requireTLS=true` insists on it,
    // `?rejectUnauthorized=false` accepts a self-signed relay. One connection per message, no pool: the
    // pool re-queues a message by itself when a connection closes mid-send, a retry the ledger would not
    // see (and a duplicate when the server had already accepted it).
    this.transport = nodemailer.createTransport({
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
      secure,
      requireTLS: flag('requireTLS'),
      ignoreTLS: flag('ignoreTLS'),
      tls: { rejectUnauthorized: q.get('rejectUnauthorized') !== 'false' },
      auth: parsed.username ? { user: decodeURIComponent(parsed.username), pass: this.password ?? '' } : undefined,
      // Plain/STARTTLS: our own socket with Nagle off. With Nagle on, the final "." of a message can sit
      // ~40 ms in the kernel, and a crash in that time still delivers it (the kernel flushes on exit)
      // before we can record it: the in-doubt window before a re-send grows from ~1 ms to ~40 ms.
      ...(secure ? {} : { getSocket: (o: { host?: string; port?: number; connectionTimeout?: number }, cb: (err: Error | null, s?: { connection: net.Socket }) => void) => connectNoDelay(o.host!, o.port!, o.connectionTimeout ?? 30_000, cb) }),
      connectionTimeout: opts.connectionTimeoutMs ?? 30_000,
      greetingTimeout: opts.connectionTimeoutMs ?? 30_000,
      socketTimeout: opts.socketTimeoutMs ?? 120_000,
      logger: false,
      debug: false,
    });
  }

  async send(msg: OutgoingMessage, opts: { signal: AbortSignal }): Promise<SendOutcome> {
    opts.signal.throwIfAborted();
    const sending = toMailOptions(msg).then((m) => this.transport.sendMail(m));
    // nodemailer has no AbortSignal; on abort we stop waiting (the socket times out on its own).
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(new MailError(`send abandoned: ${String(opts.signal.reason?.message ?? opts.signal.reason)}`, { transient: false, responseCode: null }));
      if (opts.signal.aborted) onAbort();
      opts.signal.addEventListener('abort', onAbort, { once: true });
      sending.finally(() => opts.signal.removeEventListener('abort', onAbort)).catch(() => {});
    });
    try {
      const info = (await Promise.race([sending, aborted])) as { response?: string; rejected?: unknown[] };
      if (info.rejected && info.rejected.length) {
        throw new MailError(`recipient rejected: ${String(info.response ?? '')}`, { transient: false, responseCode: null });
      }
      return { response: String(info.response ?? '250') };
    } catch (e) {
      throw classifyMailError(e, this.password);
    }
  }

  describe(): string {
    return `SMTP ${redactUrl(this.url)}`;
  }

  close(): void {
    this.transport.close();
  }
}

/** Writes each message as `<outbox>/<run>-<recipient>.eml`, atomically (temp file + rename). */
export class OutboxMailer implements Mailer {
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly dir: string) {}

  /** File name of a message: the run id and the recipient, safe for any file system. */
  static fileName(runId: number, recipient: string, tag?: string): string {
    return `${runId}-${recipient.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_')}${tag ? `-${tag.replace(/[^a-z0-9-]/gi, '_')}` : ''}.eml`;
  }

  async send(msg: OutgoingMessage, opts: { signal: AbortSignal }): Promise<SendOutcome> {
    opts.signal.throwIfAborted();
    let info: { message: Buffer };
    try {
      info = (await this.composer.sendMail(await toMailOptions(msg))) as unknown as { message: Buffer };
    } catch (e) {
      throw new MailError(`cannot build the message: ${(e as Error).message}`, { transient: false, responseCode: null, cause: e });
    }
    const file = path.join(this.dir, OutboxMailer.fileName(msg.runId, msg.to, msg.tag));
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await fs.promises.mkdir(this.dir, { recursive: true });
      const fh = await fs.promises.open(tmp, 'w');
      try {
        await fh.writeFile(info.message);
        await fh.sync();
      } finally {
        await fh.close();
      }
      // rename is atomic: a reader sees no file or the whole message, never half of one.
      await fs.promises.rename(tmp, file);
    } catch (e) {
      await fs.promises.rm(tmp, { force: true }).catch(() => {});
      const code = (e as NodeJS.ErrnoException).code;
      throw new MailError(`cannot write ${file}: ${code ?? (e as Error).message}`, { transient: code === 'ENOSPC' || code === 'EMFILE' || code === 'EAGAIN', responseCode: null, cause: e });
    }
    return { response: `written ${file}` };
  }

  describe(): string {
    return `outbox ${this.dir}`;
  }

  close(): void {}
}

/** SMTP when `smtpUrl` is set, else the outbox folder. */
export function createMailer(opts: { smtpUrl: string | null; outbox: string }): Mailer {
  return opts.smtpUrl ? new SmtpMailer(opts.smtpUrl) : new OutboxMailer(opts.outbox);
}

/** Retry policy for transient faults. */
export interface RetryPolicy {
  /** Attempts in all, including the first. */
  attempts: number;
  /** First backoff delay (ms); doubled each time, with ±20 % jitter. */
  baseDelayMs: number;
  /** Longest single delay (ms). */
  maxDelayMs: number;
}

/** Default: 5 attempts, 2 s, 4 s, 8 s, 16 s (capped by the run's deadline). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 2000, maxDelayMs: 60_000 };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Sends with retries: transient faults back off and try again (same Message-ID) until the attempts or
 * the deadline run out; a permanent fault ends at once. `onRetry` is told of each retry.
 */
export async function sendWithRetry(
  mailer: Mailer,
  msg: OutgoingMessage,
  opts: {
    /** Stops retrying (and waiting to retry). */
    signal: AbortSignal;
    /** Abandons a send in progress; default `signal`. A graceful shutdown lets a send in flight finish. */
    sendSignal?: AbortSignal;
    policy?: RetryPolicy;
    onRetry?: (attempt: number, delayMs: number, error: MailError) => void;
  },
): Promise<SendOutcome & { attempts: number }> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) throw new MailError(`not sent: ${String(opts.signal.reason?.message ?? opts.signal.reason)}`, { transient: true, responseCode: null });
    try {
      const out = await mailer.send(msg, { signal: opts.sendSignal ?? opts.signal });
      return { ...out, attempts: attempt };
    } catch (e) {
      const err = classifyMailError(e);
      if (!err.transient || attempt >= policy.attempts || opts.signal.aborted) throw err;
      const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      opts.onRetry?.(attempt, delay, err);
      try {
        await sleep(delay, opts.signal);
      } catch {
        throw new MailError(`${err.message} (gave up: the run was stopped during the retry wait)`, { transient: true, responseCode: err.responseCode, cause: err });
      }
    }
  }
}
