/** Stable error codes. Exit code 2 for usage/config codes, 1 otherwise. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'AUTH'
  | 'PERMISSION'
  | 'ZONE'
  | 'AUTOTASK_HTTP'
  | 'AUTOTASK_LIMIT'
  | 'AUTOTASK_MALFORMED'
  /** The API budget of the rolling hour is spent and waiting for it would exceed the allowed wait. */
  | 'BUDGET'
  | 'AUTOTASK_UNTRUSTED'
  | 'NETWORK'
  | 'DB'
  | 'REPORT_INVALID'
  | 'REPORT_FAILED'
  | 'RENDER'
  | 'RENDER_TIMEOUT'
  | 'MAIL'
  | 'MAIL_TRANSIENT'
  | 'MAIL_IN_DOUBT'
  | 'DEADLINE'
  | 'LOCKED'
  /** A Teams, Slack or webhook channel refused a post for good (4xx other than 429/408). */
  | 'CHANNEL'
  /** A channel post that may pass on a later try (429, 5xx, no answer). */
  | 'CHANNEL_TRANSIENT'
  /** An Autotask webhook callout refused (unsigned, wrong signature, unreadable). */
  | 'WEBHOOK'
  | 'INTERNAL';

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['USAGE', 'CONFIG', 'AUTH', 'ZONE', 'REPORT_INVALID']);

/** The one error type of the project: an operator-actionable message, a stable code, the cause kept. */
export class AppError extends Error {
  /** Stable code. */
  readonly code: ErrorCode;
  /** Extra facts (file, field, status…), safe to log: never secrets. */
  readonly details: Record<string, unknown>;

  constructor(message: string, code: ErrorCode, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = opts.details ?? {};
  }

  /** Exit code for the CLI: 2 for bad usage or configuration, 1 for a failed run. */
  get exitCode(): number {
    return USAGE_CODES.has(this.code) ? 2 : 1;
  }
}

/** Normalise anything thrown into an Error (once, at the boundary). */
export function toError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new AppError(typeof e === 'string' ? e : JSON.stringify(e), 'INTERNAL');
}

/** Exit code for anything thrown. */
export function exitCodeOf(e: unknown): number {
  return e instanceof AppError ? e.exitCode : 1;
}

/**
 * Text from outside (an Autotask answer, a record) made safe to print on a terminal: C0 and C1 control
 * characters other than newline are removed (tabs become spaces), so escape sequences cannot recolour,
 * move the cursor, retitle the window or hide what came before on the user's terminal.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '');
}
