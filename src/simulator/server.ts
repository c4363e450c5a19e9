import { systemClock } from '../types.js';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Rng } from './prng.js';
import { SIM_ENTITY_BY_LOWER, type PicklistValue, type SimEntity, type SimField, type UdfDef } from './schema.js';
import type { Table } from './table.js';
import type { Tenant, Scale } from './tenant.js';
import { compileQuery, parseQuerySpec, QueryError, runCount, runPage, runPrevPage, type CompiledQuery, type QuerySpec } from './query.js';
import { generateTenant } from './generator.js';
import { advanceTenant, type AdvanceSummary } from './advance.js';
import { SimWebhooks, WEBHOOK_TICKET_FIELDS, type SimWebhookOptions } from './webhooks.js';

/** Fault injection knobs; decisions come from a seeded generator, so runs are reproducible. */
export interface Faults {
  /** Share of eligible requests answered 429 (0..1). */
  rate429?: number;
  /** Share answered 500. */
  rate500?: number;
  /** Share whose socket is destroyed without an answer. */
  rateReset?: number;
  /** Share whose 200 body is truncated (invalid JSON). */
  rateMalformed?: number;
  /** Entity names the faults apply to (default: every entity endpoint). */
  only?: string[];
  /** Deterministic alternative to rates: every Nth eligible request fails (kinds with a rate > 0 rotate; 500 when none). */
  everyNth?: number;
  /** Send `Retry-After: <seconds>` on injected 429s (Autotask documents none). */
  retryAfterSeconds?: number;
  /** Entities the API user's security level may not read (a locked-down tenant); not limited by `only`. */
  denied?: string[];
  /**
   * How a denied entity is refused: 403 (default), 500 with Autotask's "adequate permissions" text (also
   * seen), or `empty`: every query and count matches nothing, as a restricted security level answers.
   */
  deniedAs?: 403 | 500 | 'empty';
}

/** Simulator credentials (the API-only user). */
export interface SimCredentials {
  /** API user name (an e-mail address). */
  username: string;
  /** The user's secret. */
  secret: string;
  /** API tracking identifier. */
  integrationCode: string;
}

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Generator seed (default 1). */
  seed?: number;
  /** Generated tenant size (default tiny). */
  scale?: Scale;
  /** Simulated now, epoch ms (default: the system clock's now). */
  now?: number;
  /** Serve this tenant instead of generating one. */
  tenant?: Tenant;
  /** Accepted credentials (defaults: demo@example.com / demo-secret / PSAREPORTSDEMO0000000000000). */
  credentials?: Partial<SimCredentials>;
  /** Rows per page when MaxRecords is absent (default 500). */
  pageSize?: number;
  /** Added latency. */
  latency?: {
    /** Every request waits this long (ms) while holding its thread slot. */
    baseMs?: number;
    /** Add Autotask's +0.5 s above 50 % and +1 s above 75 % of the hourly limit (default false). */
    thresholdLatency?: boolean;
    /** Multiplier for the threshold latency (default 1). */
    scale?: number;
  };
  /** Requests per rolling 60 minutes per database (default 10,000). */
  hourlyLimit?: number;
  /** Concurrent requests per (integration code, endpoint) (default 3). */
  threadLimit?: number;
  /** Fault injection. */
  faults?: Faults;
  /** GET requests whose URL exceeds this many characters answer 404, as Autotask's IIS does (default: off). */
  maxGetUrlLength?: number;
  /**
   * Cap the pages one query cursor hands out (said of Autotask: about 50). `end`: the last allowed page
   * carries no next link although more rows match; a status: following the link past the cap answers it.
   */
  cursorCap?: { pages: number; answer: 'end' | 404 | 500 };
  /** Answer `GET E/{id}` for a missing id with `200 {"item":null}` instead of 404 (both are seen in the wild). */
  notFoundAsNullItem?: boolean;
  /** The API user lacks "view non-billable time entries": such entries are silently left out (default false). */
  hideNonBillableTimeEntries?: boolean;
  /** Ticket webhook callouts: retry wait and attempts (Autotask: 30 s, 5). */
  webhooks?: SimWebhookOptions;
}

/** Request statistics. */
export interface SimulatorStats {
  /** Requests received (all paths). */
  requests: number;
  /** Requests per endpoint (entity name, `ZoneInformation`, `ThresholdInformation`…). */
  byEndpoint: Record<string, number>;
  /** Highest concurrent in-flight count seen per endpoint. */
  maxInFlight: Record<string, number>;
  /** 429 answers (thread limit, hourly cap, injected). */
  rejected429: number;
  /** Requests that carried an `ImpersonationResourceId` header. */
  impersonated: number;
  /**
   * Recent requests, oldest first (bounded). `delayMs` is the latency the simulator added before
   * answering (base plus threshold latency), so a test can check it without timing the request.
   */
  log: { method: string; path: string; status: number; delayMs: number }[];
}

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:<port>/`. */
  origin: string;
  /** REST base as zone discovery returns it: `${origin}ATServicesRest/`. */
  baseUrl: string;
  /** Zone discovery base: `${origin}atservicesrest/`. */
  zoneUrl: string;
  /** Accepted credentials. */
  credentials: SimCredentials;
  /** The served tenant (mutable: insert/update/remove). */
  tenant: Tenant;
  /** Simulated now, epoch ms. */
  now(): number;
  /** Moves the simulated clock and lets the service desk work; returns what changed. */
  advance(ms: number): AdvanceSummary;
  /** Replaces the fault knobs. */
  setFaults(f: Faults): void;
  /** Request statistics since start or the last reset. */
  stats(): SimulatorStats;
  /** Clears statistics (not the hourly counter). */
  resetStats(): void;
  /**
   * Instants (the simulator's hourly-window clock: simulated now plus real time elapsed) of every request
   * counted against the hourly threshold since start, oldest first (the last 100,000): what a test checks
   * a budget against, "counted by the server".
   */
  requestTimes(): number[];
  /** Ticket webhooks and their callouts. */
  webhooks: SimWebhooks;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

export const DEFAULT_CREDENTIALS: SimCredentials = {
  username: 'demo@example.com',
  secret: 'demo-secret',
  integrationCode: 'PSAREPORTSDEMO0000000000000',
};

const LOG_LIMIT = 2000;
const TIMES_LIMIT = 100_000;
const HOUR = 3_600_000;

/** A response body already serialised. */
class RawJson {
  constructor(readonly text: string) {}
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, readonly headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
  }
}

const errors = (status: number, ...messages: string[]) => new HttpError(status, { errors: messages });
const notFound = () => new HttpError(404, { Message: 'No HTTP resource was found that matches the request URI.' });
const notAllowed = (method: string) => new HttpError(405, { Message: `The requested resource does not support http method '${method}'.` });

/** Starts an Autotask-compatible REST server on 127.0.0.1. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? 1;
  const tenant = opts.tenant ?? generateTenant({ seed, scale: opts.scale ?? 'tiny', now: opts.now ?? systemClock.now() });
  const creds: SimCredentials = { ...DEFAULT_CREDENTIALS, ...opts.credentials };
  const host = opts.host ?? '127.0.0.1';
  const pageSizeDefault = opts.pageSize ?? 500;
  const hourlyLimit = opts.hourlyLimit ?? 10_000;
  const threadLimit = opts.threadLimit ?? 3;
  let faults: Faults = opts.faults ?? {};
  const faultRng = new Rng(seed ^ 0x5eed);
  const advanceRng = new Rng(seed ^ 0xadd);
  let faultCounter = 0;
  const webhooks = new SimWebhooks(tenant, opts.webhooks);

  // The hourly window runs on simulated time plus real elapsed time: advance() drains it in tests and
  // a long-running `simulate` drains it in real time.
  const realStart = performance.now();
  const windowClock = () => tenant.now + (performance.now() - realStart);
  let window: number[] = [];
  let windowHead = 0;
  let counted: number[] = [];
  const windowCount = () => {
    const cutoff = windowClock() - HOUR;
    while (windowHead < window.length && window[windowHead]! <= cutoff) windowHead++;
    if (windowHead > 4096 && windowHead * 2 > window.length) {
      window = window.slice(windowHead);
      windowHead = 0;
    }
    return window.length - windowHead;
  };

  const inFlight = new Map<string, number>();
  let stats: SimulatorStats = { requests: 0, byEndpoint: {}, maxInFlight: {}, rejected429: 0, impersonated: 0, log: [] };
  const cursorBodies = new Map<string, QuerySpec>();
  /** Page number each minted next link leads to (for `cursorCap`). */
  const cursorDepth = new Map<string, number>();
  const sockets = new Set<Socket>();

  let origin = '';
  let baseUrl = '';

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, req, 500, { errors: [`Internal simulator error: ${(e as Error).message}`] });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  /** Latency added to each request in flight, for the request log. */
  const addedDelay = new WeakMap<IncomingMessage, number>();
  /** When each delayed request's answer may be written (performance.now() time). */
  const answerAt = new WeakMap<IncomingMessage, number>();

  function send(res: ServerResponse, req: IncomingMessage, status: number, body: unknown, headers: Record<string, string> = {}, malformed = false): void {
    let text = body instanceof RawJson ? body.text : body === undefined ? '' : JSON.stringify(body);
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    if (status === 429) stats.rejected429++;
    stats.log.push({ method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0]!, status, delayMs: addedDelay.get(req) ?? 0 });
    if (stats.log.length > LOG_LIMIT) stats.log.splice(0, stats.log.length - LOG_LIMIT);
    const write = () => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    const wait = (answerAt.get(req) ?? 0) - performance.now();
    if (wait > 0) setTimeout(write, wait);
    else write();
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  function header(req: IncomingMessage, name: string): string | undefined {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  function bump(key: string): void {
    stats.requests++;
    stats.byEndpoint[key] = (stats.byEndpoint[key] ?? 0) + 1;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', origin);
    const segs = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    const bodyText = method === 'GET' || method === 'DELETE' ? '' : await readBody(req);
    try {
      if (method === 'GET' && opts.maxGetUrlLength !== undefined && (req.url ?? '').length > opts.maxGetUrlLength) {
        bump('other');
        throw notFound();
      }
      if (segs[0]?.toLowerCase() !== 'atservicesrest') {
        bump('other');
        throw notFound();
      }
      if (segs.length === 2 && segs[1]!.toLowerCase() === 'versioninformation') {
        bump('VersionInformation');
        // As Autotask answers since 2026 (a client taking the last element breaks: V2.0 has no zoneInformation).
        return send(res, req, 200, { apiVersions: ['V1.0', 'V2.0'] });
      }
      if (segs[1]?.toLowerCase() !== 'v1.0' || segs.length < 3) {
        bump('other');
        throw notFound();
      }
      const rest = segs.slice(2);
      const head = rest[0]!.toLowerCase();
      if (head === 'zoneinformation') {
        bump('ZoneInformation');
        if (method !== 'GET') throw notAllowed(method);
        const user = url.searchParams.get('user') ?? '';
        if (user.trim().toLowerCase() !== creds.username.toLowerCase()) throw errors(500, 'Zone information could not be determined');
        return send(res, req, 200, { zoneName: 'Simulated Zone (127.0.0.1)', url: baseUrl, webUrl: origin, ci: 900001 });
      }
      const entity = SIM_ENTITY_BY_LOWER.get(head);
      const hookEndpoint = head === 'ticketwebhooks' ? 'TicketWebhooks' : head === 'ticketwebhookfields' ? 'TicketWebhookFields' : null;
      const endpoint = entity?.name ?? hookEndpoint ?? (head === 'thresholdinformation' ? 'ThresholdInformation' : head === 'version' ? 'Version' : head === 'entityinformation' ? 'EntityInformation' : 'other');
      bump(endpoint);

      // Authentication: the integration code is checked first (500, as observed), then user + secret (401).
      const code = header(req, 'apiintegrationcode');
      const user = header(req, 'username');
      const secret = header(req, 'secret');
      if (code === undefined || user === undefined || secret === undefined) throw new HttpError(401, { Message: 'Authorization has been denied for this request.' });
      if (code !== creds.integrationCode) throw errors(500, 'IntegrationCode is invalid.');
      if (user.toLowerCase() !== creds.username.toLowerCase() || secret !== creds.secret) {
        throw new HttpError(401, { Message: 'Authorization has been denied for this request.' });
      }
      if (endpoint === 'other') throw notFound();
      if (header(req, 'impersonationresourceid') !== undefined) stats.impersonated++;

      // Hourly threshold per database (all integration codes together).
      const used = windowCount();
      if (used >= hourlyLimit) {
        throw errors(429, `The request threshold of ${hourlyLimit} requests per ${60} minutes has been exceeded. Requests are blocked until the rolling window drops below the threshold.`);
      }
      const at = windowClock();
      window.push(at);
      counted.push(at);
      if (counted.length > TIMES_LIMIT * 2) counted = counted.slice(-TIMES_LIMIT);

      // Thread limit per (integration code, endpoint).
      const slot = `${code.toLowerCase()}|${endpoint.toLowerCase()}`;
      const busy = inFlight.get(slot) ?? 0;
      if (busy >= threadLimit) throw errors(429, `API thread threshold of ${threadLimit} threads has been exceeded`);
      inFlight.set(slot, busy + 1);
      stats.maxInFlight[endpoint] = Math.max(stats.maxInFlight[endpoint] ?? 0, busy + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight.set(slot, (inFlight.get(slot) ?? 1) - 1);
      };
      res.on('close', release);
      res.on('finish', release);

      const lat = opts.latency ?? {};
      let delay = lat.baseMs ?? 0;
      if (lat.thresholdLatency) {
        const share = (used + 1) / hourlyLimit;
        delay += (share >= 0.75 ? 1000 : share >= 0.5 ? 500 : 0) * (lat.scale ?? 1);
      }
      addedDelay.set(req, delay);
      // The latency is the time to answer, as Autotask's ~1 s a page includes its own work: the answer is
      // computed now and written when the latency has passed (see send), not computed after it.
      if (delay > 0) answerAt.set(req, performance.now() + delay);

      let malformed = false;
      if (entity && deniedTo(entity.name) && faults.deniedAs !== 'empty') {
        throw errors(faults.deniedAs ?? 403, 'The logged in Resource does not have the adequate permissions to query this entity type.');
      }
      if (entity) {
        const kind = faultFor(entity.name);
        if (kind === 'reset') {
          const wait = (answerAt.get(req) ?? 0) - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          stats.log.push({ method, path: url.pathname, status: 0, delayMs: delay });
          req.socket.destroy();
          return;
        }
        if (kind === '429') throw new HttpError(429, { errors: [`API thread threshold of ${threadLimit} threads has been exceeded`] }, faults.retryAfterSeconds !== undefined ? { 'Retry-After': String(faults.retryAfterSeconds) } : {});
        if (kind === '500') throw errors(500, 'An unexpected error has occurred. Please contact Autotask support.');
        malformed = kind === 'malformed';
      }

      if (endpoint === 'ThresholdInformation') {
        if (method !== 'GET') throw notAllowed(method);
        return send(res, req, 200, { externalRequestThreshold: hourlyLimit, requestThresholdTimeframe: 60, currentTimeframeRequestCount: windowCount() });
      }
      if (endpoint === 'Version') return send(res, req, 200, { version: '2026.3.0.0' });
      if (endpoint === 'EntityInformation') {
        return send(res, req, 200, { entityDescriptions: [...SIM_ENTITY_BY_LOWER.values()].map((e) => entityInfo(e)) });
      }
      if (hookEndpoint) {
        const r = hookRoute(hookEndpoint, method, rest.slice(1), bodyText);
        return send(res, req, r.status ?? 200, r.body);
      }
      const result = route(entity!, method, rest.slice(1), url, bodyText);
      return send(res, req, result.status ?? 200, result.body, {}, malformed && (result.status ?? 200) === 200);
    } catch (e) {
      if (e instanceof HttpError) return send(res, req, e.status, e.body, e.headers);
      if (e instanceof QueryError) return send(res, req, e.status, { errors: [e.message] });
      throw e;
    }
  }

  /** TicketWebhooks (+ Fields) and TicketWebhookFields metadata. */
  function hookRoute(endpoint: string, method: string, rest: string[], bodyText: string): { status?: number; body: unknown } {
    const body = (): Record<string, unknown> => {
      try {
        const j = JSON.parse(bodyText || '{}');
        if (j && typeof j === 'object' && !Array.isArray(j)) return j as Record<string, unknown>;
      } catch { /* below */ }
      throw errors(500, 'The request body is not valid JSON.');
    };
    const wrap = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof HttpError) throw e;
        throw errors(500, (e as Error).message);
      }
    };
    if (endpoint === 'TicketWebhookFields') {
      if (method === 'GET' && rest[0]?.toLowerCase() === 'entityinformation' && rest[1]?.toLowerCase() === 'fields') {
        return { body: { fields: [{ name: 'fieldID', dataType: 'integer', isPickList: true, isQueryable: true, isReadOnly: false, isRequired: true, picklistValues: Object.entries(WEBHOOK_TICKET_FIELDS).map(([v, label]) => ({ value: v, label: label[0]!.toUpperCase() + label.slice(1), isActive: true, isSystem: true, sortOrder: Number(v) })) }] } };
      }
      throw notFound();
    }
    if (rest.length === 0) {
      if (method === 'POST') return { body: { itemId: wrap(() => webhooks.create(body())) } };
      throw notAllowed(method);
    }
    if (rest[0]!.toLowerCase() === 'query') return { body: { items: [...webhooks.hooks.values()].map((h) => webhooks.view(h)), pageDetails: { count: webhooks.hooks.size, requestCount: 500, prevPageUrl: null, nextPageUrl: null } } };
    const id = Number(rest[0]);
    const h = webhooks.hooks.get(id);
    if (rest.length === 1) {
      if (method === 'GET') {
        if (!h) throw notFound();
        return { body: { item: webhooks.view(h) } };
      }
      if (method === 'DELETE') {
        if (!h) throw notFound();
        webhooks.hooks.delete(id);
        return { body: { itemId: id } };
      }
      throw notAllowed(method);
    }
    if (rest[1]!.toLowerCase() === 'fields') {
      if (!h) throw notFound();
      if (method === 'POST') return { body: { itemId: wrap(() => webhooks.addField(id, body())) } };
      if (method === 'GET') return { body: { items: h.fields.map((f) => ({ ...f, webhookID: id })), pageDetails: { count: h.fields.length, requestCount: 500, prevPageUrl: null, nextPageUrl: null } } };
      throw notAllowed(method);
    }
    throw notFound();
  }

  /** Whether the simulated API user's security level withholds the entity (`faults.denied`). */
  function deniedTo(entityName: string): boolean {
    return !!faults.denied?.some((n) => n.toLowerCase() === entityName.toLowerCase());
  }

  function faultFor(entityName: string): 'reset' | '429' | '500' | 'malformed' | null {
    const f = faults;
    if (f.only && !f.only.some((n) => n.toLowerCase() === entityName.toLowerCase())) return null;
    const kinds: ['429' | '500' | 'reset' | 'malformed', number][] = [
      ['reset', f.rateReset ?? 0], ['429', f.rate429 ?? 0], ['500', f.rate500 ?? 0], ['malformed', f.rateMalformed ?? 0],
    ];
    if (f.everyNth && f.everyNth > 0) {
      faultCounter++;
      if (faultCounter % f.everyNth !== 0) return null;
      const active = kinds.filter(([, r]) => r > 0).map(([k]) => k);
      if (active.length === 0) return '500';
      return active[(faultCounter / f.everyNth - 1) % active.length]!;
    }
    const total = kinds.reduce((s, [, r]) => s + r, 0);
    if (total <= 0) return null;
    let r = faultRng.next();
    for (const [k, rate] of kinds) {
      if (r < rate) return k;
      r -= rate;
    }
    return null;
  }

  function specFromSearch(url: URL): { spec: QuerySpec; search: string } {
    const search = url.searchParams.get('search') ?? '';
    if (search === '') return { spec: { filter: [] }, search: '{}' };
    let parsed: unknown;
    try {
      parsed = JSON.parse(search);
    } catch {
      throw errors(500, 'Invalid search parameter: it must be URL-encoded JSON.');
    }
    return { spec: parseQuerySpec(parsed), search };
  }

  function specFromBody(text: string): QuerySpec | null {
    if (text.trim() === '') return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw errors(500, 'The request body is not valid JSON.');
    }
    return parseQuerySpec(parsed);
  }

  function route(e: SimEntity, method: string, rest: string[], url: URL, bodyText: string): { status?: number; body: unknown } {
    const t = tenant.table(e.name);
    const r0 = rest[0]?.toLowerCase();
    if (rest.length === 0) return write(e, method, bodyText);
    if (r0 === 'query') {
      const r1 = rest[1]?.toLowerCase();
      if (rest.length === 1) {
        if (method === 'GET') {
          const { spec, search } = specFromSearch(url);
          return { body: page(e, t, spec, 'GET', search, -Infinity) };
        }
        if (method === 'POST') return { body: page(e, t, specFromBody(bodyText) ?? { filter: [] }, 'POST', '', -Infinity) };
        throw notAllowed(method);
      }
      if (rest.length === 2 && r1 === 'count') {
        const spec = method === 'GET' ? specFromSearch(url).spec : method === 'POST' ? specFromBody(bodyText) ?? { filter: [] } : null;
        if (!spec) throw notAllowed(method);
        checkHistory(e, spec);
        const q = compileScoped(e, t, { ...spec, maxRecords: undefined });
        return { body: { queryCount: runCount(t, q) } };
      }
      if (rest.length === 2 && r1 === 'next') return next(e, t, method, url, bodyText);
      throw notFound();
    }
    if (r0 === 'entityinformation') {
      if (method !== 'GET') throw notAllowed(method);
      if (rest.length === 1) return { body: { info: entityInfo(e) } };
      const r1 = rest[1]?.toLowerCase();
      if (rest.length === 2 && r1 === 'fields') return { body: { fields: e.fields.map((f) => fieldInfo(e, f, tenant.picklists[e.name]?.[f.name])) } };
      if (rest.length === 2 && r1 === 'userdefinedfields') return { body: { fields: (e.udfs ?? []).map((u) => udfInfo(u)) } };
      throw notFound();
    }
    if (/^-?\d+$/.test(rest[0]!)) {
      const id = Number(rest[0]);
      if (rest.length === 1) {
        if (method === 'GET') {
          const pos = t.find(id);
          if (pos < 0 || (e.name === 'TimeEntries' && opts.hideNonBillableTimeEntries && t.get(pos, 'isNonBillable') === true)) {
            return { status: opts.notFoundAsNullItem ? 200 : 404, body: { item: null } };
          }
          return { body: { item: t.json(pos) } };
        }
        if (method === 'DELETE') {
          if (!e.can.delete) throw notAllowed(method);
          if (t.find(id) < 0) throw errors(404, `No ${e.singular} with id ${id} was found.`);
          tenant.remove(e.name, id);
          return { body: { itemId: id } };
        }
        throw notAllowed(method);
      }
      return child(e, id, method, rest.slice(1), bodyText);
    }
    throw notFound();
  }

  function child(parent: SimEntity, pid: number, method: string, rest: string[], bodyText: string): { status?: number; body: unknown } {
    const name = rest[0]!.toLowerCase();
    const ce = [...SIM_ENTITY_BY_LOWER.values()].find((x) => x.childOf?.parent === parent.name && x.childOf.path.toLowerCase() === name);
    if (!ce || !ce.childOf) throw notFound();
    if (tenant.table(parent.name).find(pid) < 0) throw errors(404, `No ${parent.singular} with id ${pid} was found.`);
    const t = tenant.table(ce.name);
    const fk = ce.childOf.fk;
    if (rest.length === 1) {
      if (method === 'GET') {
        const q = compileQuery(t, { filter: [{ op: 'eq', field: fk, value: pid }] }, pageSizeDefault);
        const { positions } = runPage(t, q);
        const withUdfs = positions.some((p) => t.hasUdfValues(p));
        return { body: new RawJson(`{"items":[${positions.map((p) => t.jsonText(p, undefined, withUdfs)).join(',')}],"pageDetails":${JSON.stringify({ count: positions.length, requestCount: pageSizeDefault, prevPageUrl: null, nextPageUrl: null })}}`) };
      }
      if (method === 'POST') {
        const body = parseWriteBody(bodyText);
        validatePicklists(ce, body);
        if (ce.name === 'Tasks' && !Object.keys(body).some((k) => k.toLowerCase() === 'tasktype' && body[k] != null)) {
          throw errors(500, 'Value does not reference an existing entity for taskType . ');
        }
        const id = tenant.insert(ce.name, { ...body, id: undefined, [fk]: pid });
        return { body: { itemId: id } };
      }
      throw notAllowed(method);
    }
    if (rest.length === 2 && /^\d+$/.test(rest[1]!)) {
      const pos = t.find(Number(rest[1]));
      if (method !== 'GET') throw notAllowed(method);
      if (pos < 0 || t.get(pos, fk) !== pid) return { status: 404, body: { item: null } };
      return { body: { item: t.json(pos) } };
    }
    throw notFound();
  }

  function checkHistory(e: SimEntity, spec: QuerySpec): void {
    if (e.name !== 'TicketHistory') return;
    const f = spec.filter;
    const one = f.length === 1 ? (f[0] as Record<string, unknown>) : null;
    const get = (k: string) => (one ? Object.entries(one).find(([kk]) => kk.toLowerCase() === k)?.[1] : undefined);
    if (!one || String(get('op')).toLowerCase() !== 'eq' || String(get('field')).toLowerCase() !== 'ticketid' || typeof get('value') !== 'number' && !/^\d+$/.test(String(get('value')))) {
      throw errors(500, 'TicketHistory queries require exactly one filter: ticketID eq <ticket id>.');
    }
  }

  /** Compiles a query and narrows it to what the API user may see (as Autotask does: empty, not 403). */
  function compileScoped(e: SimEntity, t: Table, spec: QuerySpec): CompiledQuery {
    const q = compileQuery(t, spec, pageSizeDefault);
    if (deniedTo(e.name)) q.pred = () => false;
    if (e.name === 'TimeEntries' && opts.hideNonBillableTimeEntries) {
      const base = q.pred;
      q.pred = (pos) => t.get(pos, 'isNonBillable') !== true && base(pos);
    }
    return q;
  }

  function page(e: SimEntity, t: Table, spec: QuerySpec, method: 'GET' | 'POST', search: string, afterId: number): unknown {
    checkHistory(e, spec);
    const q = compileScoped(e, t, spec);
    const { positions, hasMore } = runPage(t, q, afterId);
    return envelope(e, t, q, spec, positions, hasMore, method, search, afterId > -Infinity, 1);
  }

  function envelope(e: SimEntity, t: Table, q: CompiledQuery, spec: QuerySpec, positions: number[], hasMore: boolean, method: 'GET' | 'POST', search: string, hasPrev: boolean, depth: number): unknown {
    // Autotask omits userDefinedFields when no row of the page has a UDF value.
    const withUdfs = positions.some((p) => t.hasUdfValues(p));
    const itemsText = positions.map((p) => t.jsonText(p, q.fields, withUdfs)).join(',');
    const firstId = positions.length ? t.idAt(positions[0]!) : null;
    const lastId = positions.length ? t.idAt(positions[positions.length - 1]!) : null;
    const cursorUrl = (paging: { pageSize: number; previousIds: number[]; nextIds: number[] }) => {
      const p = JSON.stringify(paging);
      cursorDepth.set(p, depth + 1);
      if (cursorDepth.size > 2000) cursorDepth.delete(cursorDepth.keys().next().value!);
      if (method === 'POST') {
        cursorBodies.set(p, spec);
        if (cursorBodies.size > 2000) cursorBodies.delete(cursorBodies.keys().next().value!);
      }
      return `${baseUrl}V1.0/${e.name}/query/next?paging=${encodeURIComponent(p)}${method === 'GET' ? `&search=${encodeURIComponent(search)}` : ''}`;
    };
    const pageDetails = {
      count: positions.length,
      requestCount: q.pageSize,
      prevPageUrl: hasPrev && firstId !== null ? cursorUrl({ pageSize: q.pageSize, previousIds: [firstId], nextIds: [] }) : null,
      nextPageUrl: hasMore && lastId !== null && !(opts.cursorCap?.answer === 'end' && depth >= opts.cursorCap.pages) ? cursorUrl({ pageSize: q.pageSize, previousIds: firstId !== null ? [firstId] : [], nextIds: [lastId] }) : null,
    };
    return new RawJson(`{"items":[${itemsText}],"pageDetails":${JSON.stringify(pageDetails)}}`);
  }

  function next(e: SimEntity, t: Table, method: string, url: URL, bodyText: string): { body: unknown } {
    const pagingRaw = url.searchParams.get('paging');
    if (!pagingRaw) throw errors(500, 'The paging parameter is required.');
    let paging: { pageSize?: number; previousIds?: number[]; nextIds?: number[] };
    try {
      paging = JSON.parse(pagingRaw) as typeof paging;
    } catch {
      throw errors(500, 'The paging parameter is not valid.');
    }
    const depth = cursorDepth.get(pagingRaw) ?? cursorDepth.get(JSON.stringify(paging)) ?? 2;
    const cap = opts.cursorCap;
    if (cap && cap.answer !== 'end' && depth > cap.pages) throw errors(cap.answer, 'The paging cursor has expired; run the query again.');
    let spec: QuerySpec;
    let search = '';
    if (method === 'GET') {
      // A cursor minted for a POST query carries no search: following it with GET is not supported.
      if (!url.searchParams.has('search')) throw notAllowed('GET');
      ({ spec, search } = specFromSearch(url));
    } else if (method === 'POST') {
      const fromBody = specFromBody(bodyText);
      const stashed = cursorBodies.get(pagingRaw) ?? cursorBodies.get(JSON.stringify(paging));
      spec = fromBody ?? stashed ?? (url.searchParams.has('search') ? specFromSearch(url).spec : { filter: [] });
    } else throw notAllowed(method);
    const size = Number(paging.pageSize ?? spec.maxRecords ?? pageSizeDefault);
    const s2: QuerySpec = { ...spec, maxRecords: size };
    checkHistory(e, s2);
    const q = compileScoped(e, t, s2);
    const nextIds = paging.nextIds ?? [];
    const prevIds = paging.previousIds ?? [];
    const m = method as 'GET' | 'POST';
    if (nextIds.length > 0) {
      const after = Math.max(...nextIds.map(Number));
      const { positions, hasMore } = runPage(t, q, after);
      return { body: envelope(e, t, q, s2, positions, hasMore, m, search, true, depth) };
    }
    if (prevIds.length > 0) {
      const before = Math.min(...prevIds.map(Number));
      const positions = runPrevPage(t, q, before);
      const hasPrev = positions.length > 0 && runPrevPage(t, { ...q, pageSize: 1 }, t.idAt(positions[0]!)).length > 0;
      return { body: envelope(e, t, q, s2, positions, true, m, search, hasPrev, depth) };
    }
    const { positions, hasMore } = runPage(t, q);
    return { body: envelope(e, t, q, s2, positions, hasMore, m, search, false, depth) };
  }

  function parseWriteBody(text: string): Record<string, unknown> {
    try {
      const v = JSON.parse(text || '{}') as unknown;
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch {
      throw errors(500, 'The request body is not valid JSON.');
    }
  }

  function validatePicklists(e: SimEntity, body: Record<string, unknown>): void {
    const lists = tenant.picklists[e.name] ?? {};
    for (const [k, v] of Object.entries(body)) {
      const f = e.fields.find((x) => x.name.toLowerCase() === k.toLowerCase());
      if (!f?.picklist || v === null || v === undefined) continue;
      const list = lists[f.name];
      if (list && !list.some((p) => p.value === Number(v))) throw errors(500, `Picklist value [${String(v)}] does not exist for ${f.name}`);
    }
  }

  function write(e: SimEntity, method: string, bodyText: string): { body: unknown } {
    if (method === 'GET') throw notAllowed(method);
    if (method === 'POST') {
      if (!e.can.create || e.childOf) throw e.childOf ? notFound() : notAllowed(method);
      const body = parseWriteBody(bodyText);
      validatePicklists(e, body);
      if (e.name === 'Tickets') {
        const missing = ['companyID', 'title', 'status', 'priority'].filter((k) => !Object.keys(body).some((b) => b.toLowerCase() === k.toLowerCase()));
        if (missing.length) throw errors(500, ...missing.map((m) => `${m} is required.`));
        const hasRes = Object.keys(body).some((k) => k.toLowerCase() === 'assignedresourceid' && body[k] != null);
        const hasRole = Object.keys(body).some((k) => k.toLowerCase() === 'assignedresourceroleid' && body[k] != null);
        if (hasRes !== hasRole) throw errors(500, 'When assigning a Resource, you must assign both a assignedResourceID and assignedResourceRoleID.');
      }
      if (e.name === 'TimeEntries') {
        const has = (k: string) => Object.keys(body).some((b) => b.toLowerCase() === k.toLowerCase() && body[b] != null);
        if (!has('resourceID') || !has('roleID')) throw errors(500, 'resourceID and roleID are required.');
        if (!has('startDateTime') && !has('dateWorked')) throw errors(500, 'dateWorked is required when no value is supplied for startDateTime');
        if (!has('hoursWorked') && !(has('startDateTime') && has('endDateTime'))) throw errors(500, 'hoursWorked or startDateTime and endDateTime are required.');
      }
      const id = tenant.insert(e.name, { ...body, id: undefined });
      return { body: { itemId: id } };
    }
    if (method === 'PATCH' || method === 'PUT') {
      if (!e.can.update) throw notAllowed(method);
      const body = parseWriteBody(bodyText);
      const idKey = Object.keys(body).find((k) => k.toLowerCase() === 'id');
      const id = idKey ? Number(body[idKey]) : NaN;
      if (!Number.isFinite(id)) throw errors(500, 'id is required.');
      if (tenant.table(e.name).find(id) < 0) throw errors(500, `No ${e.singular} with id ${id} was found.`);
      validatePicklists(e, body);
      let patch = body;
      if (method === 'PUT') {
        // PUT replaces the record: writable fields left out are cleared.
        patch = {};
        for (const f of e.fields) if (!f.readOnly) patch[f.name] = null;
        for (const [k, v] of Object.entries(body)) patch[k] = v;
      }
      tenant.update(e.name, id, patch);
      return { body: { itemId: id } };
    }
    throw notAllowed(method);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host}:${port}/`;
  baseUrl = `${origin}ATServicesRest/`;

  return {
    origin,
    baseUrl,
    zoneUrl: `${origin}atservicesrest/`,
    credentials: creds,
    tenant,
    now: () => tenant.now,
    advance: (ms: number) => advanceTenant(tenant, ms, advanceRng),
    setFaults: (f: Faults) => {
      faults = f;
      faultCounter = 0;
    },
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { requests: 0, byEndpoint: {}, maxInFlight: {}, rejected429: 0, impersonated: 0, log: [] };
    },
    requestTimes: () => counted.slice(-TIMES_LIMIT),
    webhooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function entityInfo(e: SimEntity): Record<string, unknown> {
  const webhook = ['Tickets', 'Companies', 'ConfigurationItems'].includes(e.name);
  return {
    name: e.singular,
    canCreate: e.can.create || Boolean(e.childOf),
    canDelete: e.can.delete,
    canQuery: true,
    canUpdate: e.can.update,
    userAccessForCreate: e.can.create ? 'All' : 'None',
    userAccessForDelete: e.can.delete ? 'All' : 'None',
    userAccessForQuery: 'All',
    userAccessForUpdate: e.can.update ? 'All' : 'None',
    hasUserDefinedFields: Boolean(e.udfs?.length),
    supportsWebhookCallouts: webhook,
  };
}

function udfInfo(u: UdfDef): Record<string, unknown> {
  return {
    name: u.name, label: u.name, type: 'string', length: 255, description: '', isRequired: false, isReadOnly: false, isQueryable: true,
    isReference: false, referenceEntityType: '', isPickList: Boolean(u.values),
    picklistValues: u.values ? u.values.map((v, i) => ({ value: v, label: v, isDefaultValue: false, sortOrder: i, parentValue: '', isActive: true, isSystem: false })) : null,
    picklistParentValueField: '', defaultValue: null, isSupportedWebhookField: false,
  };
}

const MONEY = /(price|cost|revenue|amount|rate|total|fee)/i;

function dataType(e: SimEntity, f: SimField): string {
  if (f.name === 'id') return e.name === 'Tickets' || e.name === 'TimeEntries' || e.name === 'BillingItems' ? 'long' : 'integer';
  switch (f.type) {
    case 'int': return 'integer';
    case 'float': return MONEY.test(f.name) ? 'decimal' : 'double';
    case 'bool': return 'boolean';
    case 'datetime':
    case 'date': return 'datetime';
    default: return 'string';
  }
}

function fieldInfo(e: SimEntity, f: SimField, picklist: PicklistValue[] | undefined): Record<string, unknown> {
  return {
    name: f.name,
    dataType: dataType(e, f),
    length: f.type === 'string' ? (/description|notes|resolution/i.test(f.name) ? 8000 : 255) : 0,
    isRequired: f.name === 'id' || (e.name === 'Tickets' && ['companyID', 'title', 'status', 'priority'].includes(f.name)),
    isReadOnly: Boolean(f.readOnly),
    isQueryable: !f.notQueryable,
    isReference: Boolean(f.reference),
    referenceEntityType: f.reference ?? '',
    isPickList: Boolean(f.picklist),
    // Metadata carries picklist values as strings although rows hold integers.
    picklistValues: f.picklist
      ? (picklist ?? []).map((v, i) => ({
          value: String(v.value), label: v.label, isDefaultValue: Boolean(v.isDefaultValue), sortOrder: v.sortOrder ?? i,
          parentValue: v.parentValue === undefined ? '' : String(v.parentValue), isActive: v.isActive, isSystem: v.isSystem,
        }))
      : null,
    picklistParentValueField: f.picklistParent ?? '',
    isSupportedWebhookField: e.name === 'Tickets',
  };
}
