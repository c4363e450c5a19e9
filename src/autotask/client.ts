import type { AutotaskEnv } from '../config.js';
import { AppError, printable, type ErrorCode } from '../errors.js';
import { systemClock, type Clock, type Instant } from '../types.js';
import { allowedRequests, DEFAULT_THRESHOLD, memoryLedger, TENANT_RESERVE, type RequestLedger, type ThresholdReading } from './budget.js';
import { F, serializeQuery, type Filter, type QueryBody } from './filter.js';
import { splitItems } from './raw-items.js';
import { redactText, redactUrl } from '../redact.js';

/**
 * The Autotask REST client: zone discovery, the three auth headers, queries as async page iterators,
 * a per-endpoint concurrency limit, an hourly budget governor and retries.
 *
 * Autotask limits each integration to 3 concurrent requests per object endpoint and each database to
 * 10,000 requests per rolling hour shared by every integration; exceeding either annoys the MSP's
 * admins (threshold e-mails) or suspends all integrations. So this client is conservative by design:
 * it takes every request from a request ledger shared by every process on the store, reads
 * ThresholdInformation now and then to see the other integrations' use, and waits rather than fails
 * (the rule: src/autotask/budget.ts).
 */

/** One Autotask record as returned (camelCase JSON). */
export type AutotaskRecord = Record<string, unknown> & { id: number };

/** One page of a query. */
export interface QueryPage {
  /** Records of this page, ascending id. */
  items: AutotaskRecord[];
  /** Absolute URL of the next page, or null when exhausted. */
  nextPageUrl: string | null;
  /** Each item's JSON text as received, aligned with `items`, when the body could be sliced. */
  raw?: string[];
}

/** A picklist value from `entityInformation/fields`. */
export interface PicklistValueInfo {
  /** The value (a string in metadata; entities carry it as an integer). */
  value: string;
  /** Label shown in Autotask. */
  label: string;
  /** Whether the value is active. */
  isActive?: boolean;
  /** Whether the value is a system value. */
  isSystem?: boolean;
  /** Parent value for dependent picklists. */
  parentValue?: string | null;
  /** Sort order. */
  sortOrder?: number | null;
  /** Default value flag. */
  isDefaultValue?: boolean;
}

/** A field description from `entityInformation/fields`. */
export interface FieldInfo {
  /** Field name (camelCase). */
  name: string;
  /** Autotask data type string (`integer`, `datetime`, `string`…). */
  dataType: string;
  /** Whether the field is a picklist. */
  isPickList: boolean;
  /** Whether the field can be used in filters. */
  isQueryable?: boolean;
  /** Picklist values when `isPickList`. */
  picklistValues?: PicklistValueInfo[] | null;
  /** Parent field of a dependent picklist. */
  picklistParentValueField?: string | null;
}

/** `ThresholdInformation`. */
export interface ThresholdInfo {
  /** Requests allowed per timeframe (10,000). */
  externalRequestThreshold: number;
  /** Timeframe in minutes (60). */
  requestThresholdTimeframe: number;
  /** Requests counted in the current timeframe, all integrations of the database. */
  currentTimeframeRequestCount: number;
}

/** Events the client reports (design style 10). Never carry credentials. */
export type AutotaskEvent =
  | { type: 'autotask:zone'; url: string }
  | { type: 'autotask:request'; endpoint: string; method: string; status: number; ms: number }
  | { type: 'autotask:retry'; endpoint: string; attempt: number; delayMs: number; reason: string; status?: number; retryAfterCappedFromMs?: number }
  | { type: 'autotask:budget-wait'; waitMs: number; until: Instant; used: number; budget: number; reason: 'own-share' | 'tenant' }
  | { type: 'autotask:threshold'; used: number; threshold: number; own: number }
  | { type: 'autotask:requery'; endpoint: string; afterId: number; reason: 'cursor-pages' | 'link-refused'; detail?: string };

/** Client tuning and ports. */
export interface AutotaskClientOptions {
  /** Share of the hourly request threshold this program may use (0–1, default 0.5). */
  budgetShare?: number;
  /**
   * Where requests are recorded and counted against the budget: the store's ledger, shared by every
   * process on the database (default: a ledger in this client's memory only).
   */
  ledger?: RequestLedger;
  /** Longest wait for the budget before a request fails with BUDGET (default: no limit but `deadline`). */
  budgetMaxWaitMs?: number;
  /** Concurrent requests per entity endpoint (1–3, default 3). */
  maxInFlightPerEntity?: number;
  /** Timeout of one HTTP request in ms (default 60,000). */
  requestTimeoutMs?: number;
  /** fetch implementation (tests). */
  fetch?: typeof fetch;
  /** Clock for the budget window and Retry-After dates. */
  clock?: Clock;
  /** Event sink. */
  onEvent?: (e: AutotaskEvent) => void;
  /** Sleep port (tests replace it to skip waits). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborts every wait and request (the overall deadline of a run). */
  signal?: AbortSignal;
  /** Instant after which no retry is started. */
  deadline?: Instant;
  /** Attempts per request, first included (default 8). */
  maxAttempts?: number;
  /** First backoff delay in ms (default 500); doubles per attempt, full jitter. */
  baseDelayMs?: number;
  /** Largest backoff delay in ms (default 30,000). */
  maxDelayMs?: number;
  /** Own requests between two ThresholdInformation reads (default 500). */
  thresholdEvery?: number;
  /** Random source for jitter (tests). */
  random?: () => number;
  /** Largest response body read, in bytes (default 50 MB); a longer one fails the attempt. */
  maxBodyBytes?: number;
  /** Longest `Retry-After` honoured, in ms (default 120,000); a longer one waits this long and says so. */
  maxRetryAfterMs?: number;
}

/** Counters of one client. */
export interface ClientStats {
  /** Requests sent (every attempt counts, zone discovery included). */
  requests: number;
  /** Requests per endpoint (entity name). */
  byEndpoint: Record<string, number>;
  /** Retries performed. */
  retries: number;
  /** Highest number of concurrent requests seen per endpoint. */
  maxInFlight: Record<string, number>;
}

/** The AutotaskClient port. */
export interface AutotaskClient {
  /** Pages of a query, following `nextPageUrl` with the same method and body. */
  query(entity: string, body: QueryBody, opts?: { method?: 'POST' | 'GET' }): AsyncIterable<QueryPage>;
  /**
   * Pages of a query in ascending id, resumable after `afterId`: follows `nextPageUrl` and, when the
   * server stops handing out links while pages are still full (cursor caps), continues with `id gt`.
   */
  queryKeyset(entity: string, body: QueryBody, opts?: { afterId?: number; method?: 'POST' | 'GET' }): AsyncIterable<QueryPage>;
  /** `E/query/count`. */
  count(entity: string, filter: Filter[]): Promise<number>;
  /** `E/entityInformation/fields` (picklists included). */
  fields(entity: string): Promise<FieldInfo[]>;
  /** `ThresholdInformation`. */
  threshold(): Promise<ThresholdInfo>;
  /** `E/{id}`; null when not found. */
  get(entity: string, id: number): Promise<AutotaskRecord | null>;
  /**
   * Creates a record: `POST E` (or `POST Parent/{pid}/Child` when `parent` is given); returns its id. Used
   * only to manage webhooks: the sync never writes to Autotask. Retried like every request, so a 5xx after
   * Autotask did create may leave a second webhook: `webhooks status` and Autotask's list show it.
   */
  create(entity: string, body: Record<string, unknown>, parent?: { entity: string; id: number }): Promise<number>;
  /** `DELETE E/{id}`; false when it was already gone (404). */
  remove(entity: string, id: number): Promise<boolean>;
  /** Counters so far. */
  stats(): ClientStats;
}

const MAX_GET_URL = 2000;
/** Pages followed on one cursor before the query is made afresh from the last id (servers cap cursors). */
export const CURSOR_PAGES = 40;

/** Permanent 500 messages: retrying them only burns budget. */
const PERMANENT_500 = /unable to find|maxCountOfRecordsToReturn|invalid query|limited to 500|adequate permissions|does not exist|is required|not queryable|cannot be used|invalid value|paging cursor|paging parameter/i;

/** Default sleep: resolves after `ms`, rejects when `signal` aborts. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A counting semaphore with a FIFO queue. */
class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  get inFlight(): number {
    return this.active;
  }
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiters.push(r));
  }
  release(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter, so `active` never dips and nobody can overtake it.
    if (next) next();
    else this.active--;
  }
}

interface Attempt {
  status: number;
  json: unknown;
  text: string;
  retryAfter: string | null;
}

class RetryableError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly retryAfterMs: number | undefined, readonly code: ErrorCode) {
    super(message);
  }
}

/** A record id as a safe integer (numeric strings are read as numbers), or null when it is not one. */
export function recordId(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : NaN;
  // 0 is a real id: the MSP's own company is company 0 in Autotask.
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** Gives ids sent as numeric strings their number; ids that are not integers stay as they are (the sync names them). */
function normaliseIds(items: AutotaskRecord[]): void {
  for (const r of items) {
    if (r && typeof r === 'object' && typeof r.id !== 'number') {
      const id = recordId(r.id);
      if (id !== null) r.id = id;
    }
  }
}

/** The id of the last record that has a usable one (keyset paging goes on from it), or null. */
/**
 * The page with `raw` sliced from the body when first read: a sync asks for the next page before it reads
 * this one's text, so the slicing is not between one answer and the next request.
 */
function lazyRaw(page: QueryPage, text: string): QueryPage {
  let raw: string[] | null | undefined;
  Object.defineProperty(page, 'raw', {
    enumerable: true,
    configurable: true,
    get: () => (raw === undefined ? (raw = splitItems(text, page.items.length)) : raw) ?? undefined,
  });
  return page;
}

function lastId(items: AutotaskRecord[]): number | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const id = recordId(items[i]?.id);
    if (id !== null) return id;
  }
  return null;
}

/** Names the environment variable to fix for missing credentials. */
function requireEnv(env: AutotaskEnv): { username: string; secret: string; integrationCode: string } {
  const missing: string[] = [];
  if (!env.username) missing.push('AUTOTASK_USERNAME');
  if (!env.secret) missing.push('AUTOTASK_SECRET');
  if (!env.integrationCode) missing.push('AUTOTASK_INTEGRATION_CODE');
  if (missing.length) {
    throw new AppError(
      `Autotask credentials missing: set ${missing.join(', ')} in the environment (an API-only user's user name and secret, and the integration's API tracking identifier)`,
      'AUTH',
      { details: { missing } },
    );
  }
  return { username: env.username!, secret: env.secret!, integrationCode: env.integrationCode! };
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

/** Path part of a URL, without the query (which can be long and carries the search). */
function shortUrl(u: string): string {
  try {
    const x = new URL(u);
    return `${x.origin}${x.pathname}`;
  } catch {
    return redactUrl(u).split('?')[0]!;
  }
}

/**
 * Whether `url` lies under the REST base `base`: the same scheme, host and port, and a path inside the
 * base's path. Paths compare case-insensitively: Autotask serves `ATServicesRest` and `atservicesrest`
 * alike and its links use either. The credentials go only to such URLs.
 */
export function underBase(url: string, base: string): boolean {
  let u: URL;
  let b: URL;
  try {
    u = new URL(url);
    b = new URL(withSlash(base));
  } catch {
    return false;
  }
  if (u.origin !== b.origin || u.username || u.password) return false;
  const path = u.pathname.toLowerCase();
  const root = b.pathname.toLowerCase();
  // A `..` segment is resolved by the URL parser, so the prefix test cannot be walked out of.
  return path.startsWith(root);
}

/**
 * Whether a REST base that zone discovery answered may receive the credentials: an https URL on an
 * autotask.net host (every Autotask zone is one), or — when AUTOTASK_ZONE_URL points somewhere else (a
 * test server, an in-house proxy) — a URL with that URL's scheme on that same host, which the user chose
 * (any port: the same machine). Anything else (plain http to Autotask, another domain, user:password@) is
 * refused: the answer could come from a hijacked resolver or a rewriting proxy.
 */
export function trustedZoneAnswer(answer: string, zoneUrl: string): boolean {
  let u: URL;
  try {
    u = new URL(answer);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  if (u.protocol === 'https:' && (host === 'autotask.net' || host.endsWith('.autotask.net'))) return true;
  try {
    const z = new URL(zoneUrl);
    return u.protocol === z.protocol && host === z.hostname.toLowerCase();
  } catch {
    return false;
  }
}

/** Host (and port) of a URL for a message, or a placeholder when it is not a URL. */
function hostOf(u: string, relativeTo?: string): string {
  try {
    return printable(new URL(u, relativeTo).host) || 'an empty host';
  } catch {
    return 'an unreadable location';
  }
}

/** The body of a response as text, reading at most `limit` bytes (a larger body throws BodyTooLarge). */
async function readLimited(res: Response, limit: number): Promise<string> {
  const declared = Number(res.headers?.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {});
    throw new BodyTooLarge(declared);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      // Stop reading at once: an endless body must not fill the memory, and cancelling closes the socket.
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(total);
    }
    chunks.push(value);
  }
  // TextDecoder drops a UTF-8 byte order mark, as Response.text() does.
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}

class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`response body over the limit (${bytes} bytes read or declared)`);
  }
}

function parseRetryAfter(h: string | null, now: Instant): number | undefined {
  if (!h) return undefined;
  const s = h.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** The message of an Autotask error body, made safe to print (it is server text). */
function errorsOf(json: unknown): string {
  return printable(rawErrorsOf(json));
}

function rawErrorsOf(json: unknown): string {
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const errs = o.errors ?? o.Errors;
    if (Array.isArray(errs)) {
      return errs.map((e) => (typeof e === 'string' ? e : (e as { message?: string })?.message ?? JSON.stringify(e))).join('; ');
    }
    const m = o.message ?? o.Message;
    if (typeof m === 'string') return m;
  }
  return typeof json === 'string' ? json.slice(0, 300) : '';
}

function networkReason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'request timed out';
  const code = err?.cause?.code;
  return code ? `connection error ${code}` : `connection error: ${err?.cause?.message ?? err?.message ?? String(e)}`;
}

/** Creates the client. Throws AppError AUTH when a credential variable is missing. */
export function createAutotaskClient(env: AutotaskEnv, opts: AutotaskClientOptions = {}): AutotaskClient {
  const cred = requireEnv(env);
  const secret = cred.secret;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? defaultSleep;
  const emit = opts.onEvent ?? (() => {});
  const random = opts.random ?? Math.random;
  const maxInFlight = Math.max(1, Math.min(3, opts.maxInFlightPerEntity ?? 3));
  const budgetShare = opts.budgetShare ?? 0.5;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  const maxAttempts = opts.maxAttempts ?? 8;
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const thresholdEvery = opts.thresholdEvery ?? 500;
  const maxBodyBytes = opts.maxBodyBytes ?? 50_000_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 120_000;

  /** Never let the secret out through a server-provided message. */
  const redact = (s: string): string => redactText(s, [secret]);

  const stats: ClientStats = { requests: 0, byEndpoint: {}, retries: 0, maxInFlight: {} };
  const sems = new Map<string, Semaphore>();
  const semFor = (key: string): Semaphore => {
    let s = sems.get(key);
    if (!s) sems.set(key, (s = new Semaphore(maxInFlight)));
    return s;
  };

  // --- hourly budget (rule and ledger: budget.ts) -------------------------------------------------
  const ledger = opts.ledger ?? memoryLedger();
  const budgetMaxWaitMs = opts.budgetMaxWaitMs ?? Infinity;
  // Until this client reads ThresholdInformation itself, the last reading by any process on the ledger
  // tells the tenant's threshold (a tenant below 10,000 would otherwise grant a new client's first request
  // against the default) and, while recent, the other integrations' use.
  const shared = ledger.lastThreshold();
  let threshold = shared && shared.threshold > 0 ? shared.threshold : DEFAULT_THRESHOLD;
  let reading: ThresholdReading | null = shared && clock.now() - shared.at < 10 * 60_000 ? shared : null;
  let ownAtRead = 0; // stats.requests when it was read (the refresh cadence counts this client's requests)
  let readAt = -Infinity;
  let thresholdRead: Promise<void> | null = null;

  const noteReading = (t: ThresholdInfo): void => {
    const now = clock.now();
    if (t.externalRequestThreshold > 0) threshold = t.externalRequestThreshold;
    reading = { at: now, threshold, tenantUsed: t.currentTimeframeRequestCount, ownUsed: ledger.used(now) };
    ownAtRead = stats.requests;
    readAt = now;
    try {
      ledger.noteThreshold(reading);
    } catch {
      // Kept for `check` and the other processes only; this client has the reading either way.
    }
    emit({ type: 'autotask:threshold', used: reading.tenantUsed, threshold, own: reading.ownUsed });
  };

  const refreshThreshold = (): Promise<void> => {
    thresholdRead ??= (async () => {
      try {
        noteReading(await callThreshold());
      } catch (e) {
        // A failed read must not stop the sync; the own-share limit still holds. Credentials errors do,
        // and so does a spent budget (the read is a request too).
        if (e instanceof AppError && (e.exitCode === 2 || e.code === 'BUDGET' || e.code === 'DEADLINE')) throw e;
        readAt = clock.now();
      } finally {
        thresholdRead = null;
      }
    })();
    return thresholdRead;
  };

  const at = (t: Instant): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

  /**
   * Takes one request from the ledger, waiting while the rolling hour is full. `noRefresh` requests (zone
   * discovery, the ThresholdInformation read) are held to the own share only: the read is how a wait on
   * the other integrations' use learns that it is over.
   */
  const reserve = async (endpoint: string, noRefresh: boolean): Promise<void> => {
    if (!noRefresh && (stats.requests - ownAtRead >= thresholdEvery || clock.now() - readAt > 10 * 60_000)) {
      await refreshThreshold();
    }
    let waited = 0;
    for (;;) {
      const now = clock.now();
      const rule = allowedRequests(budgetShare, threshold, noRefresh ? null : reading);
      const took = ledger.take(now, rule.allowed);
      if (took.ok) return;
      // The own share frees as our oldest requests leave the hour; the tenant bound moves with the other
      // integrations' use, which only a fresh read shows: look again within a minute.
      const until = rule.bound === 'tenant' ? Math.min(took.freeAt, now + 60_000) : took.freeAt;
      const waitMs = Math.max(1, until - now);
      const why = rule.bound === 'tenant'
        ? `other integrations used ${rule.others} of the Autotask database's ${threshold} requests this hour and the last ${Math.round(TENANT_RESERVE * 100)} % is left to them`
        : `budgetShare ${budgetShare} of the ${threshold}-request hour, shared by every psa-reports process on this database`;
      const pastDeadline = opts.deadline !== undefined && now + waitMs > opts.deadline;
      if (waited + waitMs > budgetMaxWaitMs || pastDeadline) {
        const limit = pastDeadline ? 'the run deadline' : `the longest wait allowed (${Math.round(budgetMaxWaitMs / 60_000)} min, settings autotask.budgetMaxWaitMinutes)`;
        throw new AppError(
          `Autotask request budget spent: ${took.used} of ${rule.allowed} requests in the last hour (${why}); the next is free at ${at(until)}, later than ${limit}. The sync stops (at ${endpoint}); the next one continues where it stopped`,
          'BUDGET',
          { details: { endpoint, used: took.used, allowed: rule.allowed, freeAt: until } },
        );
      }
      emit({ type: 'autotask:budget-wait', waitMs, until, used: took.used, budget: rule.allowed, reason: rule.bound });
      try {
        await sleep(waitMs, opts.signal);
      } catch (e) {
        throw deadlineError(e);
      }
      waited += waitMs;
      if (rule.bound === 'tenant' && !noRefresh) await refreshThreshold();
    }
  };

  // --- zone ----------------------------------------------------------------------------------------
  let base: Promise<string> | null = env.baseUrl ? Promise.resolve(withSlash(env.baseUrl)) : null;
  /** The REST base in use once known (for moving a request to a new zone). */
  let baseNow: string | null = env.baseUrl ? withSlash(env.baseUrl) : null;
  const baseUrl = (): Promise<string> => {
    base ??= discoverZone().then((u) => (baseNow = u), (e) => {
      base = null; // a later call may try again
      throw e;
    });
    return base;
  };
  /**
   * After a 401 from a discovered zone: ask for the zone again (the database may have moved). Returns the
   * request's URL at the new zone, or null when the zone is the same (the 401 is about the credentials).
   */
  async function rezone(url: string): Promise<string | null> {
    if (env.baseUrl || !baseNow) return null;
    // A request sent before another one already found the new zone.
    const left = movedFrom.find((b) => url.startsWith(b));
    if (left !== undefined && left !== baseNow) return baseNow + url.slice(left.length);
    if (!url.startsWith(baseNow)) return null;
    const old = baseNow;
    // Requests in flight that all got the 401 share one lookup.
    if (!rediscovering) {
      base = null;
      rediscovering = baseUrl().finally(() => { rediscovering = null; });
    }
    const fresh = await rediscovering;
    if (fresh === old) return null;
    movedFrom.push(old);
    return fresh + url.slice(old.length);
  }
  let rediscovering: Promise<string> | null = null;
  const movedFrom: string[] = [];
  /** Whether the credentials may go to `url`: under the REST base in use, or one the database moved from (a 401 there moves the request on). */
  const trusted = (url: string): boolean => (baseNow !== null && underBase(url, baseNow)) || movedFrom.some((b) => underBase(url, b));

  async function discoverZone(): Promise<string> {
    const url = `${withSlash(env.zoneUrl)}v1.0/zoneInformation?user=${encodeURIComponent(cred.username)}`;
    // noRefresh: reading ThresholdInformation needs the zone, so zone discovery must not wait for it.
    const json = await send('zoneInformation', 'GET', url, undefined, { auth: false, zone: true, noRefresh: true });
    const u = (json as { url?: unknown })?.url;
    if (typeof u !== 'string' || !u) {
      throw new AppError(`zone discovery at ${shortUrl(url)} returned no REST URL; set AUTOTASK_BASE_URL to your zone's REST base (ending in ATServicesRest/)`, 'ZONE');
    }
    if (!trustedZoneAnswer(u, env.zoneUrl)) {
      // The credentials would go wherever this answer points: only an Autotask host (or the host AUTOTASK_ZONE_URL names) may have them.
      throw new AppError(
        `zone discovery at ${shortUrl(url)} named a REST base on ${hostOf(u)}, which is neither an https autotask.net host nor the host AUTOTASK_ZONE_URL names; the credentials were not sent there. Set AUTOTASK_BASE_URL to your zone's REST base (https://webservicesN.autotask.net/ATServicesRest/)`,
        'ZONE',
        { details: { host: hostOf(u) } },
      );
    }
    emit({ type: 'autotask:zone', url: withSlash(u) });
    return withSlash(u);
  }

  // --- one request with retries --------------------------------------------------------------------
  function authError(status: number, msg: string, url: string, zone: boolean): AppError | null {
    const where = shortUrl(url);
    if (/integration\s*code/i.test(msg)) {
      return new AppError(`Autotask rejected the integration code (HTTP ${status} from ${where}: "${redact(msg)}"): check AUTOTASK_INTEGRATION_CODE (the API tracking identifier of your integration)`, 'AUTH', { details: { status } });
    }
    if (/zone information could not be determined/i.test(msg) || (zone && status >= 400 && status < 500 && status !== 429)) {
      return new AppError(
        `Autotask does not know the user AUTOTASK_USERNAME="${cred.username}" (zone discovery at ${where}: "${redact(msg) || `HTTP ${status}`}"): check AUTOTASK_USERNAME, or set AUTOTASK_BASE_URL to your zone's REST base (…/ATServicesRest/)`,
        'ZONE',
        { details: { status } },
      );
    }
    if (status === 401) {
      return new AppError(`Autotask rejected the credentials (HTTP 401 from ${where}): AUTOTASK_SECRET or AUTOTASK_USERNAME is wrong (it must be an API-only user's user name and secret)`, 'AUTH', { details: { status } });
    }
    return null;
  }

  async function attempt(endpoint: string, method: string, url: string, body: string | undefined, auth: boolean): Promise<Attempt> {
    // The one gate every credentialed request passes: whatever built the URL, the secret goes only under the REST base.
    if (auth && !trusted(url)) {
      throw new AppError(
        `refused to send the Autotask credentials to ${hostOf(url)} (${endpoint}): only the REST base ${baseNow ? shortUrl(baseNow) : '(not known yet)'} receives them`,
        'AUTOTASK_UNTRUSTED',
        { details: { endpoint, host: hostOf(url) } },
      );
    }
    const signals = [AbortSignal.timeout(requestTimeoutMs)];
    if (opts.signal) signals.push(opts.signal);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth) {
      headers.ApiIntegrationCode = cred.integrationCode;
      headers.UserName = cred.username;
      headers.Secret = secret;
    }
    const t0 = clock.now();
    stats.requests++;
    stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
    let res: Response;
    let text: string;
    try {
      // Redirects are never followed: fetch would send the credentials on to wherever the Location points.
      res = await doFetch(url, { method, headers, body, signal: AbortSignal.any(signals), redirect: 'manual' });
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers?.get('location') ?? '';
        await res.body?.cancel().catch(() => {});
        emit({ type: 'autotask:request', endpoint, method, status: res.status, ms: clock.now() - t0 });
        const why = `Autotask answered HTTP ${res.status} to ${method} ${shortUrl(url)}, redirecting to ${location ? hostOf(location, url) : 'no location'}; redirects are not followed, so the credentials stay with the Autotask zone`;
        throw endpoint === 'zoneInformation'
          ? new AppError(`${why}. Set AUTOTASK_BASE_URL to your zone's REST base (…/ATServicesRest/) or AUTOTASK_ZONE_URL to a zone host`, 'ZONE', { details: { status: res.status } })
          : new AppError(`${why}. Check AUTOTASK_BASE_URL (it must be the zone's REST base itself)`, 'AUTOTASK_UNTRUSTED', { details: { status: res.status, endpoint } });
      }
      text = await readLimited(res, maxBodyBytes);
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (opts.signal?.aborted) throw deadlineError(e);
      if (e instanceof BodyTooLarge) {
        throw new RetryableError(`response from ${shortUrl(url)} is larger than ${maxBodyBytes} bytes (settings autotask.maxResponseMB); reading stopped`, undefined, undefined, 'AUTOTASK_MALFORMED');
      }
      throw new RetryableError(networkReason(e), undefined, undefined, 'NETWORK');
    }
    emit({ type: 'autotask:request', endpoint, method, status: res.status, ms: clock.now() - t0 });
    let json: unknown;
    let parsed = true;
    try {
      json = text.length ? JSON.parse(text) : null;
    } catch {
      parsed = false;
      json = text;
    }
    return { status: res.status, json: parsed ? json : { __malformed: true }, text, retryAfter: res.headers?.get('retry-after') ?? null };
  }

  function deadlineError(cause: unknown): AppError {
    // The caller may say why it stopped us (the sync's own deadline names its setting).
    const reason: unknown = opts.signal?.reason;
    if (reason instanceof AppError) return reason;
    return new AppError('Autotask request stopped: the run deadline passed or the run was cancelled', 'DEADLINE', { cause });
  }

  async function send(
    endpoint: string,
    method: 'GET' | 'POST' | 'DELETE',
    urlIn: string,
    body: string | undefined,
    o: { auth?: boolean; zone?: boolean; validate?: (j: unknown) => boolean; notFoundNull?: boolean; noRefresh?: boolean; onText?: (t: string) => void } = {},
  ): Promise<unknown> {
    const auth = o.auth ?? true;
    let url = urlIn;
    let rezoned = false;
    let last: RetryableError | undefined;
    for (let n = 1; n <= maxAttempts; n++) {
      if (opts.signal?.aborted) throw deadlineError(opts.signal.reason);
      await reserve(endpoint, o.noRefresh ?? false);
      // ZoneInformation is exempt from thread limiting; everything else shares its entity's slots.
      const sem = o.zone ? null : semFor(endpoint);
      if (sem) {
        await sem.acquire();
        stats.maxInFlight[endpoint] = Math.max(stats.maxInFlight[endpoint] ?? 0, sem.inFlight);
      }
      let r: Attempt | undefined;
      try {
        r = await attempt(endpoint, method, url, body, auth);
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        last = e;
      } finally {
        sem?.release();
      }
      if (r) {
        const status = r.status;
        const malformed = (r.json as { __malformed?: boolean } | null)?.__malformed === true;
        if (status >= 200 && status < 300) {
          if (!malformed && (!o.validate || o.validate(r.json))) {
            o.onText?.(r.text);
            return r.json;
          }
          last = new RetryableError(`malformed response from ${shortUrl(url)} (HTTP ${status})`, status, undefined, 'AUTOTASK_MALFORMED');
        } else {
          const msg = malformed ? '' : errorsOf(r.json);
          const a = authError(status, msg, url, o.zone ?? false);
          if (a && status === 401 && auth && !rezoned) {
            rezoned = true;
            const moved = await rezone(url);
            if (moved) {
              url = moved;
              n--; // the same attempt again, at the new zone
              continue;
            }
          }
          if (a) throw a;
          if (status === 404 && o.notFoundNull) return null;
          const retryAfterMs = parseRetryAfter(r.retryAfter, clock.now());
          const transient = status === 429 || status === 408 || status === 502 || status === 503 || status === 504
            || (status >= 500 && !PERMANENT_500.test(msg)) || /thread threshold/i.test(msg);
          const text = `HTTP ${status} from ${method} ${shortUrl(url)}${msg ? `: ${redact(msg)}` : ''}`;
          if (!transient) {
            if (status === 403 || /adequate permissions/i.test(msg)) {
              // One entity the API user may not read: the others still sync.
              throw new AppError(
                `Autotask answered ${text}: the API user's security level may not read ${endpoint}; allow it under Admin → Account Settings & Users → Security Levels → (the API user's level) → Web Services API, or leave it out`,
                'PERMISSION',
                { details: { status, endpoint } },
              );
            }
            throw new AppError(`Autotask answered ${text}`, 'AUTOTASK_HTTP', { details: { status, endpoint } });
          }
          last = new RetryableError(text, status, retryAfterMs, status === 429 ? 'AUTOTASK_LIMIT' : 'AUTOTASK_HTTP');
        }
      }
      if (n === maxAttempts) break;
      const backoff = Math.min(maxDelay, baseDelay * 2 ** (n - 1));
      const jittered = Math.round(backoff / 2 + random() * (backoff / 2));
      // A Retry-After beyond the cap (999999 s would sleep 11 days) waits the cap; the event says so.
      const asked = last!.retryAfterMs;
      const capped = asked !== undefined && asked > maxRetryAfter;
      const delayMs = Math.max(jittered, capped ? maxRetryAfter : asked ?? 0);
      if (opts.deadline !== undefined && clock.now() + delayMs > opts.deadline) {
        throw new AppError(`Autotask request gave up before the run deadline after ${n} attempt(s): ${last!.message}`, 'DEADLINE', { cause: last, details: { endpoint } });
      }
      stats.retries++;
      emit({ type: 'autotask:retry', endpoint, attempt: n, delayMs, reason: last!.message, ...(last!.status !== undefined ? { status: last!.status } : {}), ...(capped ? { retryAfterCappedFromMs: asked } : {}) });
      try {
        await sleep(delayMs, opts.signal);
      } catch (e) {
        throw deadlineError(e);
      }
    }
    throw new AppError(`Autotask request failed after ${maxAttempts} attempts: ${last?.message ?? 'unknown error'}`, last?.code ?? 'AUTOTASK_HTTP', { cause: last, details: { endpoint } });
  }

  const isPage = (j: unknown): boolean => {
    const o = j as { items?: unknown; pageDetails?: unknown } | null;
    return !!o && Array.isArray(o.items) && (o.pageDetails === undefined || o.pageDetails === null || typeof o.pageDetails === 'object');
  };

  /**
   * The next page's URL, or null. A link outside the REST base is refused: following it would hand the
   * credentials to another host, and skipping it silently would store a fraction of the rows as if complete.
   */
  function nextLink(entity: string, link: unknown, current: string): string | null {
    if (link === null || link === undefined || link === '') return null;
    let abs: string | null = null;
    try {
      abs = typeof link === 'string' ? new URL(link, current).href : null;
    } catch {
      abs = null;
    }
    if (abs === null) {
      throw new AppError(`Autotask's ${entity} page carries a nextPageUrl that is not a URL`, 'AUTOTASK_MALFORMED', { details: { endpoint: entity } });
    }
    if (!trusted(abs) && abs.startsWith('http:')) {
      // The same host over plain http (a load balancer that terminates TLS writes such links) is asked over
      // https instead: the credentials stay on TLS to the host already trusted.
      const upgraded = `https:${abs.slice(5)}`;
      if (trusted(upgraded)) return upgraded;
    }
    if (!trusted(abs)) {
      throw new AppError(
        `Autotask's ${entity} page named its next page on ${hostOf(abs)}, outside the REST base ${baseNow ? shortUrl(baseNow) : ''}; it was not followed (the credentials go only to the Autotask zone) and ${entity} is incomplete. If this repeats, something between this program and Autotask rewrites its answers`,
        'AUTOTASK_UNTRUSTED',
        { details: { endpoint: entity, host: hostOf(abs) } },
      );
    }
    return abs;
  }

  async function callThreshold(): Promise<ThresholdInfo> {
    const b = await baseUrl();
    const j = (await send('ThresholdInformation', 'GET', `${b}V1.0/ThresholdInformation`, undefined, {
      noRefresh: true,
      validate: (x) => typeof (x as ThresholdInfo)?.currentTimeframeRequestCount === 'number',
    })) as ThresholdInfo;
    return j;
  }

  async function* pages(entity: string, body: QueryBody, method: 'POST' | 'GET'): AsyncGenerator<QueryPage> {
    const b = await baseUrl();
    const json = serializeQuery(body);
    let m = method;
    let url = `${b}V1.0/${entity}/query`;
    if (m === 'GET') {
      const getUrl = `${url}?search=${encodeURIComponent(json)}`;
      // Autotask answers 404 to GET URLs beyond ~2 KB; long searches must go by POST.
      if (getUrl.length > MAX_GET_URL) m = 'POST';
      else url = getUrl;
    }
    let next: string | null = url;
    while (next) {
      let text = '';
      const res = (await send(entity, m, next, m === 'POST' ? json : undefined, { validate: isPage, onText: (t) => (text = t) })) as {
        items: AutotaskRecord[];
        pageDetails?: { nextPageUrl?: string | null } | null;
      };
      const nextUrl = nextLink(entity, res.pageDetails?.nextPageUrl ?? null, next);
      normaliseIds(res.items);
      yield lazyRaw({ items: res.items, nextPageUrl: nextUrl }, text);
      next = nextUrl;
    }
  }

  return {
    query(entity, body, o = {}) {
      return pages(entity, body, o.method ?? 'POST');
    },

    queryKeyset(entity, body, o = {}) {
      const size = body.maxRecords ?? 500;
      return (async function* () {
        let after = o.afterId ?? null;
        for (;;) {
          const filter = after === null ? body.filter : [...body.filter, F.gt('id', after)];
          // A fresh query is only made after progress, so a misbehaving server cannot loop us.
          const startAfter = after;
          let lastPageFull = false;
          let got = 0;
          let restart = false;
          const it = pages(entity, { ...body, filter }, o.method ?? 'POST');
          for (;;) {
            let step: IteratorResult<QueryPage>;
            try {
              step = await it.next();
            } catch (e) {
              // A next link the server no longer honours (expired or capped cursor: 404, 405, 410, 500…)
              // is not a failure of the data: the query goes on from the last id it delivered.
              if (after !== null && after !== startAfter && e instanceof AppError && e.code === 'AUTOTASK_HTTP') {
                emit({ type: 'autotask:requery', endpoint: entity, afterId: after, reason: 'link-refused', detail: e.message });
                restart = true;
                break;
              }
              throw e;
            }
            if (step.done) break;
            const page = step.value;
            got++;
            lastPageFull = page.items.length >= size;
            const maxId = lastId(page.items);
            if (maxId !== null) {
              // Rows come in ascending id; anything else would make the keyset resume unsound.
              if (after !== null && !(maxId > after)) {
                throw new AppError(`Autotask returned ${entity} rows out of id order (id ${maxId} after ${after})`, 'AUTOTASK_MALFORMED');
              }
              after = maxId;
            }
            yield page;
            if (page.nextPageUrl === null) break;
            // Long cursors are said to be capped (about 50 pages): a fresh query by id before that costs
            // the same one request as following the link.
            if (got >= CURSOR_PAGES && after !== null && after !== startAfter) {
              emit({ type: 'autotask:requery', endpoint: entity, afterId: after, reason: 'cursor-pages' });
              await it.return(undefined);
              restart = true;
              break;
            }
          }
          if (restart) continue;
          // A full last page without a next link means the server capped the cursor: continue by id.
          if (!got || !lastPageFull) return;
          // Full pages that moved no id (records without a usable id) would be asked for again forever.
          if (after === startAfter) {
            throw new AppError(`Autotask returned full ${entity} pages without a usable id; the query cannot go on by id`, 'AUTOTASK_MALFORMED', { details: { endpoint: entity } });
          }
        }
      })();
    },

    async count(entity, filter) {
      const b = await baseUrl();
      const j = (await send(entity, 'POST', `${b}V1.0/${entity}/query/count`, serializeQuery({ filter }), {
        validate: (x) => typeof (x as { queryCount?: unknown })?.queryCount === 'number',
      })) as { queryCount: number };
      return j.queryCount;
    },

    async fields(entity) {
      const b = await baseUrl();
      const j = (await send(entity, 'GET', `${b}V1.0/${entity}/entityInformation/fields`, undefined, {
        validate: (x) => Array.isArray((x as { fields?: unknown })?.fields),
      })) as { fields: FieldInfo[] };
      return j.fields;
    },

    async threshold() {
      const t = await callThreshold();
      noteReading(t);
      return t;
    },

    async get(entity, id) {
      const b = await baseUrl();
      const j = (await send(entity, 'GET', `${b}V1.0/${entity}/${id}`, undefined, {
        notFoundNull: true,
        validate: (x) => !!x && typeof x === 'object' && 'item' in (x as object),
      })) as { item: AutotaskRecord | null } | null;
      return j?.item ?? null;
    },

    async create(entity, body, parent) {
      const b = await baseUrl();
      const url = parent ? `${b}V1.0/${parent.entity}/${parent.id}/${entity}` : `${b}V1.0/${entity}`;
      const j = (await send(parent?.entity ?? entity, 'POST', url, JSON.stringify(body), {
        validate: (x) => typeof (x as { itemId?: unknown })?.itemId === 'number',
      })) as { itemId: number };
      return j.itemId;
    },

    async remove(entity, id) {
      const b = await baseUrl();
      const j = await send(entity, 'DELETE', `${b}V1.0/${entity}/${id}`, undefined, { notFoundNull: true });
      return j !== null;
    },

    stats() {
      return { requests: stats.requests, byEndpoint: { ...stats.byEndpoint }, retries: stats.retries, maxInFlight: { ...stats.maxInFlight } };
    },
  };
}
