import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { AppError } from '../errors.js';
import { decodeLoose, redactText, redactUrl, splitUrl } from '../redact.js';
import { parseAddress, parseSender, quoteUntrusted, SENDER_RULE } from './address.js';
import type { Mailer, OutgoingMessage, SendOutcome } from './ports.js';

/**
 * Mail: nodemailer over SMTP_URL, or .eml files in the outbox folder when no SMTP server is configured.
 * The mailer sends once; `sendWithRetry` retries transient faults (4xx, connection errors) with backoff
 * until the run's deadline; a permanent 5xx fails that recipient only. A connection lost after the whole
 * message went out but before the server answered is "in doubt": the server may have accepted it, so it is
 * never sent again automatically.
 */

/** A send that was not accepted. */
export class MailError extends AppError {
  /** Whether trying again later may succeed (4xx, connection trouble). */
  readonly transient: boolean;
  /** SMTP reply code, when the server answered. */
  readonly responseCode: number | null;
  /** The whole message went out and no answer came back: it may have been delivered (never retried). */
  readonly inDoubt: boolean;

  constructor(message: string, opts: { transient: boolean; responseCode: number | null; cause?: unknown; inDoubt?: boolean }) {
    super(message, opts.inDoubt ? 'MAIL_IN_DOUBT' : opts.transient ? 'MAIL_TRANSIENT' : 'MAIL', { cause: opts.cause, details: { responseCode: opts.responseCode } });
    this.inDoubt = opts.inDoubt ?? false;
    // An in-doubt send is not retried: a retry could deliver the message twice.
    this.transient = opts.transient && !this.inDoubt;
    this.responseCode = opts.responseCode;
  }
}

const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EPROTOCOL']);

/** Turns whatever nodemailer threw into a MailError, every form of the secrets removed. */
export function classifyMailError(e: unknown, secrets: readonly (string | undefined)[] = [], extra: readonly string[] = []): MailError {
  if (e instanceof MailError) return e;
  const err = e as { responseCode?: number; code?: string; response?: string; message?: string };
  const text = redactText((err.response || err.message || String(e)).replace(/\s+/g, ' ').trim(), secrets, extra);
  const rc = typeof err.responseCode === 'number' ? err.responseCode : null;
  let transient: boolean;
  if (rc !== null) transient = rc >= 400 && rc < 500;
  else transient = err.code === undefined || TRANSIENT_CODES.has(err.code);
  // A wrong password will not fix itself by retrying.
  if (err.code === 'EAUTH') transient = false;
  // Without the original error as `cause`: nodemailer's error carries the server's raw reply (and the
  // connection's options) where a logger walking causes would find what was just redacted.
  return new MailError(rc !== null ? text : `${err.code ? `${err.code}: ` : ''}${text}`, { transient, responseCode: rc });
}

/** The sender of a message, or a permanent MailError naming MAIL_FROM: no message leaves without a From. */
function senderOf(from: string): { address: string; name: string | null; header: string } {
  const s = parseSender(from);
  if (!s.ok) throw new MailError(`MAIL_FROM ${quoteUntrusted(from)} is not usable: ${s.reason}; allowed: ${SENDER_RULE}`, { transient: false, responseCode: null });
  return s;
}

/** The one envelope recipient, exactly as the ledger has it, or a permanent MailError. */
function recipientOf(to: string): string {
  const a = parseAddress(to);
  if (!a.ok || a.address !== to) throw new MailError(`recipient ${quoteUntrusted(to)} refused: ${a.ok ? 'not in its normal form (lower case, trimmed)' : a.reason}`, { transient: false, responseCode: null });
  return a.address;
}

async function toMailOptions(msg: OutgoingMessage): Promise<Mail.Options> {
  // Header injection: a subject built from data must stay one line.
  const subject = msg.subject.replace(/[\r\n]+/g, ' ');
  const sender = senderOf(msg.from);
  const to = recipientOf(msg.to);
  // An explicit envelope: SMTP gets exactly this sender and this one recipient, whatever the headers say.
  const envelope = { from: sender.address, to: [to] };
  const { compose, ...content } = msg.content;
  if (compose) {
    const raw = await compose({ from: sender.header, to, subject, messageId: msg.messageId, date: msg.date, headers: msg.headers ?? {} });
    return { envelope, raw };
  }
  return {
    ...content,
    envelope,
    from: sender.name ? { name: sender.name, address: sender.address } : sender.address,
    to,
    subject,
    messageId: msg.messageId,
    date: new Date(msg.date),
    headers: msg.headers,
  };
}

function connectNoDelay(host: string, port: number, timeoutMs: number, cb: (err: Error | null, s?: { connection: net.Socket }) => void): net.Socket {
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
  // Destroyed before it connected (the send was abandoned): report it, or the callback never comes.
  sock.once('close', () => done(Object.assign(new Error(`connection to ${host}:${port} closed`), { code: 'ECONNECTION' })));
  return sock;
}

/**
 * Closes a connection we no longer want. With an error, so nodemailer runs its error path, which clears its
 * greeting timer: a plain close leaves that timer (30 s) holding the process open after a deadline.
 */
function abandon(sock: net.Socket): void {
  if (!sock.destroyed) sock.destroy(Object.assign(new Error('connection closed by psa-reports (send abandoned)'), { code: 'ECONNRESET' }));
}

/** SMTP_URL read: the parts nodemailer needs. The password is only ever kept here, never printed. */
interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  pass: string | null;
  query: URLSearchParams;
}

const SMTP_URL_RULE = 'expected smtp://user:password@host:587 or smtps://user:password@host:465';

/**
 * Reads SMTP_URL. The userinfo ends at the last "@" (see splitUrl), so a password holding "/", "?", "#",
 * "@" or "%" — encoded or not — is read whole and never mistaken for the host or the path.
 */
export function parseSmtpUrl(url: string): SmtpTarget {
  const parts = splitUrl(url.trim());
  if (!parts) throw new AppError(`SMTP_URL is not a URL (${SMTP_URL_RULE})`, 'CONFIG');
  const scheme = parts.scheme.toLowerCase();
  if (scheme !== 'smtp://' && scheme !== 'smtps://') {
    throw new AppError(`SMTP_URL must start with smtp:// or smtps:// (got ${JSON.stringify(parts.scheme)}; ${SMTP_URL_RULE})`, 'CONFIG');
  }
  let hostPart: URL;
  try {
    hostPart = new URL(`${scheme}${parts.rest}`);
  } catch {
    throw new AppError(`SMTP_URL has no valid host after the "@": ${redactUrl(url)} (${SMTP_URL_RULE})`, 'CONFIG');
  }
  if (!hostPart.hostname) throw new AppError(`SMTP_URL has no host: ${redactUrl(url)} (${SMTP_URL_RULE})`, 'CONFIG');
  const secure = scheme === 'smtps://';
  let user: string | null = null;
  let pass: string | null = null;
  if (parts.userinfo !== null) {
    const colon = parts.userinfo.indexOf(':');
    user = decodeLoose(colon < 0 ? parts.userinfo : parts.userinfo.slice(0, colon));
    pass = colon < 0 ? null : decodeLoose(parts.userinfo.slice(colon + 1));
  }
  return {
    host: hostPart.hostname.replace(/^\[|\]$/g, ''),
    port: hostPart.port ? Number(hostPart.port) : secure ? 465 : 587,
    secure,
    user: user || null,
    pass,
    query: hostPart.searchParams,
  };
}

/** Levels nodemailer logs at; only one entry matters to us (see `send`). */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Sends through an SMTP server (TLS, STARTTLS and auth as the URL says). */
export class SmtpMailer implements Mailer {
  private readonly target: SmtpTarget;
  private readonly secrets: string[];
  private readonly extraSecrets: string[];
  private readonly timeouts: { connection: number; socket: number };
  /** Sockets of sends in progress: close() and an abandoned send destroy them. */
  private readonly live = new Set<net.Socket>();

  constructor(private readonly url: string, opts: { connectionTimeoutMs?: number; socketTimeoutMs?: number } = {}) {
    this.target = parseSmtpUrl(url);
    const { user, pass } = this.target;
    this.secrets = pass ? [pass, url] : [];
    // The forms a password takes on the wire (AUTH PLAIN's blob, as it sat raw in the URL): a hostile
    // or broken server may echo them back in a reply we would otherwise print.
    const rawPass = splitUrl(url.trim())?.userinfo?.split(':').slice(1).join(':');
    this.extraSecrets = pass
      ? [Buffer.from(`\u0000${user ?? ''}\u0000${pass}`).toString('base64'), Buffer.from(`${user ?? ''}\u0000${user ?? ''}\u0000${pass}`).toString('base64'), rawPass ?? '']
      : [];
    this.timeouts = { connection: opts.connectionTimeoutMs ?? 30_000, socket: opts.socketTimeoutMs ?? 120_000 };
  }

  /**
   * A transport for one send. One connection per message, no pool: the pool re-queues a message by itself
   * when a connection closes mid-send, a retry the ledger would not see (and a duplicate when the server
   * had already accepted it). Its own transport per send lets us see, for this message alone, whether the
   * whole message went out (nodemailer logs the end of the DATA stream), and own its socket.
   */
  private transport(state: { dataSent: boolean; sockets: Set<net.Socket> }): nodemailer.Transporter {
    const t = this.target;
    const q = t.query;
    const flag = (name: string) => q.get(name) === 'true' || q.get(name) === '1';
    const logger = Object.fromEntries(LOG_LEVELS.map((l) => [l, (entry: { tnx?: string } | undefined) => {
      // Logged by nodemailer once the DATA stream (message and final ".") has been written to the socket.
      if (l === 'info' && entry?.tnx === 'message') state.dataSent = true;
    }]));
    // STARTTLS is used whenever the server offers it; `?requireTLS=true` insists on it,
    // `?rejectUnauthorized=false` accepts a self-signed relay.
    return nodemailer.createTransport({
      host: t.host,
      port: t.port,
      secure: t.secure,
      requireTLS: flag('requireTLS'),
      ignoreTLS: flag('ignoreTLS'),
      tls: { rejectUnauthorized: q.get('rejectUnauthorized') !== 'false' },
      auth: t.user ? { user: t.user, pass: t.pass ?? '' } : undefined,
      // Our own socket (nodemailer adds TLS on top for smtps and STARTTLS), so a deadline can close it,
      // with Nagle off: with Nagle on, the final "." of a message can sit ~40 ms in the kernel, and a crash
      // in that time still delivers it (the kernel flushes on exit) before we can record it.
      getSocket: (o: { host?: string; port?: number; connectionTimeout?: number }, cb: (err: Error | null, s?: { connection: net.Socket }) => void) => {
        const sock = connectNoDelay(o.host!, o.port!, o.connectionTimeout ?? 30_000, cb);
        // Errors reach nodemailer through its own listener; this one only keeps a socket we close with an
        // error (below) from being an uncaught 'error' before nodemailer has attached it.
        sock.on('error', () => {});
        state.sockets.add(sock);
        this.live.add(sock);
        sock.once('close', () => {
          state.sockets.delete(sock);
          this.live.delete(sock);
        });
      },
      connectionTimeout: this.timeouts.connection,
      greetingTimeout: this.timeouts.connection,
      socketTimeout: this.timeouts.socket,
      logger: logger as unknown as boolean,
      debug: false,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(msg: OutgoingMessage, opts: { signal: AbortSignal }): Promise<SendOutcome> {
    opts.signal.throwIfAborted();
    const mail = await toMailOptions(msg);
    const state = { dataSent: false, sockets: new Set<net.Socket>() };
    const transport = this.transport(state);
    const sending = transport.sendMail(mail);
    const inDoubt = (why: string) => new MailError(
      `in doubt: ${why} after the whole message was sent and before the server answered; it may have been delivered, so it is not sent again automatically (Message-ID ${msg.messageId})`,
      { transient: false, responseCode: null, inDoubt: true },
    );
    // nodemailer has no AbortSignal: on abort the connection is closed, so nothing outlives the deadline.
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        for (const sock of state.sockets) abandon(sock);
        const why = `send abandoned: ${String(opts.signal.reason?.message ?? opts.signal.reason)}`;
        reject(state.dataSent ? inDoubt(why) : new MailError(why, { transient: false, responseCode: null }));
      };
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    });
    sending.catch(() => {});
    let ok = false;
    try {
      const info = (await Promise.race([sending, aborted])) as { response?: string; rejected?: unknown[] };
      if (info.rejected && info.rejected.length) {
        throw new MailError(`recipient rejected: ${redactText(String(info.response ?? ''), this.secrets, this.extraSecrets)}`, { transient: false, responseCode: null });
      }
      ok = true;
      return { response: redactText(String(info.response ?? '250'), this.secrets, this.extraSecrets) };
    } catch (e) {
      if (e instanceof MailError) throw e;
      const err = classifyMailError(e, this.secrets, this.extraSecrets);
      // No reply to the end of DATA (a reply would carry a code): the server has the message, or not.
      if (state.dataSent && err.responseCode === null) throw inDoubt(err.message);
      throw err;
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      // Accepted: nodemailer says QUIT and closes. Otherwise nothing more is wanted from this connection.
      if (!ok) for (const sock of state.sockets) abandon(sock);
      transport.close();
    }
  }

  describe(): string {
    return `SMTP ${redactUrl(this.url)}`;
  }

  close(): void {
    for (const sock of this.live) abandon(sock);
    this.live.clear();
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
