import fs from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { z } from 'zod';
import { AppError } from './errors.js';
import { didYouMean } from './suggest.js';

/**
 * One config loader: defaults < settings file < environment < flags. `env` and `cwd` are passed in,
 * the result is frozen. Secrets (Autotask credentials, SMTP password) come only from the environment
 * and are never part of anything printed.
 */

const labelList = z.array(z.string().min(1)).describe('picklist labels, matched trimmed and case-insensitively');
const labelOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** A workflow rule of kpi-spec §2. */
export const WorkflowRuleSchema = z.object({
  name: z.string().min(1).describe('workflow name shown in reports'),
  ticketType: labelOrList.optional(),
  priority: labelOrList.optional(),
  queue: labelOrList.optional(),
  issueType: labelOrList.optional(),
  subIssueType: labelOrList.optional(),
  ticketCategory: labelOrList.optional(),
  source: labelOrList.optional(),
  status: labelOrList.optional(),
  hasProject: z.boolean().optional(),
  reactive: z.boolean().default(false).describe('break/fix incident work (MTTR, RHEM)'),
  fcr: z.boolean().default(false).describe('eligible for first-contact resolution'),
  backlog: z.boolean().default(true).describe('counts in the backlog and reopen/escalation rates'),
}).strict();
export type WorkflowRule = z.infer<typeof WorkflowRuleSchema>;

export const DEFAULT_WORKFLOWS: z.input<typeof WorkflowRuleSchema>[] = [
  { name: 'Project', hasProject: true, backlog: false },
  { name: 'Alert', ticketType: 'Alert', backlog: false },
  { name: 'Recurring Maintenance', ticketCategory: 'Recurring', backlog: false },
  { name: 'Critical Incident', ticketType: 'Incident', priority: 'Critical', reactive: true, fcr: true, backlog: true },
  { name: 'High Incident', ticketType: 'Incident', priority: 'High', reactive: true, fcr: true, backlog: true },
  { name: 'Medium Incident', ticketType: 'Incident', priority: 'Medium', reactive: true, fcr: true, backlog: true },
  { name: 'Normal Incident', ticketType: 'Incident', priority: 'Low', reactive: true, fcr: true, backlog: true },
  { name: 'Problem', ticketType: 'Problem', backlog: true },
  { name: 'Change (MAC)', ticketType: 'Change Request', backlog: true },
  { name: 'Quick Hit', ticketType: 'Service Request', issueType: 'Quick Hit', fcr: true, backlog: true },
  { name: 'Install', ticketType: 'Service Request', issueType: 'Install', backlog: true },
  { name: 'Service Request', ticketType: 'Service Request', backlog: true },
];

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time HH:MM (24 h)');
const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
export const TimeZoneSchema = z.string().refine(isValidTimeZone, { message: 'an IANA time zone name such as "UTC" or "America/New_York"' });

function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}
const LocaleSchema = z.string().refine(isValidLocale, { message: 'a BCP 47 locale such as "en-US", "en-GB" or "de-DE"' });
const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code in capitals such as "USD", "EUR" or "GBP"');

/**
 * JSON has no comments: a settings file documents itself with a `$comment` string in any section (as JSON
 * Schema does). It is accepted and ignored.
 */
const Comment = z.string().optional().describe('free text for people reading the file; ignored');

const WEB_ROLES = ['admin', 'manager', 'viewer', 'technician'] as const;
const webRole = z.enum(WEB_ROLES, { message: `a role: ${WEB_ROLES.join(', ')}` });

/** A loopback host, where plain http is allowed (a provider on this machine, tests). */
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;
function httpsOrLoopback(u: string): boolean {
  try {
    const url = new URL(u);
    return !url.username && !url.password && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname)));
  } catch {
    return false;
  }
}

/** Entra's multi-tenant endpoints: any tenant's users would pass the issuer check, so they are refused. */
const MULTI_TENANT = /^https:\/\/login\.microsoftonline\.com\/(common|organizations|consumers)(\/|$)/i;

/** `web.oidc`: OpenID Connect sign-in (Microsoft Entra ID). */
export const OidcSettingsSchema = z.object({
  $comment: Comment,
  issuer: z.string()
    .refine(httpsOrLoopback, 'an https URL (http only on a loopback address), such as "https://login.microsoftonline.com/<tenant id>/v2.0"')
    .refine((u) => !MULTI_TENANT.test(u), 'a single tenant: "https://login.microsoftonline.com/<tenant id>/v2.0" (common, organizations and consumers would let users of any tenant in)')
    .describe('issuer of the ID tokens; its /.well-known/openid-configuration is read at the first sign-in'),
  clientId: z.string().min(1, 'the application (client) id of the app registration').describe('application (client) id of the app registration'),
  redirectUri: z.string().refine(httpsOrLoopback, 'an https URL (http only on a loopback address) ending in /login/oidc/callback')
    .refine((u) => u.replace(/\/+$/, '').endsWith('/login/oidc/callback'), 'must end in /login/oidc/callback (the path psa-reports serves)')
    .optional().describe('redirect URI registered in Entra (default: web.baseUrl + "/login/oidc/callback")'),
  label: z.string().min(1).max(60).default('Sign in with Microsoft').describe('text of the button on the sign-in page'),
  rolesClaim: z.string().min(1).default('roles').describe('ID token claim holding the app roles (Entra: "roles")'),
  roleMap: z.record(z.string().min(1), webRole).default({}).describe('app role value → psa-reports role, such as {"Reports.Admin": "admin"}; the highest mapped role wins'),
  defaultRole: webRole.nullable().default(null).describe('role of a signed-in user who is neither a user in the store nor has a mapped app role (default null: no access)'),
}).strict();

/** An IPv4/IPv6 address or CIDR block. */
function isAddressOrCidr(s: string): boolean {
  const [addr, bits, more] = s.split('/');
  if (more !== undefined || !addr) return false;
  const v = isIP(addr);
  if (!v) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (v === 4 ? 32 : 128);
}

/** `web.proxyAuth`: the identity from a header set by a trusted reverse proxy. */
export const ProxyAuthSettingsSchema = z.object({
  $comment: Comment,
  header: z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name such as "X-Forwarded-Email"').default('X-Forwarded-Email').describe('header carrying the signed-in user\'s e-mail address'),
  trustedProxies: z.array(z.string().refine(isAddressOrCidr, 'an IP address or CIDR block such as "127.0.0.1", "10.0.0.5" or "10.0.0.0/24"')
    .refine((s) => !/^(0\.0\.0\.0|::)\/0$/.test(s), 'not every address (0.0.0.0/0, ::/0): anyone could then name themselves in the header'))
    .min(1, 'at least one proxy address (the header is believed from nowhere else)').describe('peer addresses (or CIDR blocks) of the proxies whose header is believed'),
  defaultRole: webRole.nullable().default(null).describe('role of a header user who is not a user in the store (default null: no access)'),
}).strict();

/** Every `settings.*` name of kpi-spec.md, with its default. */
export const SettingsSchema = z.object({
  $comment: Comment,
  mspName: z.string().default('').describe('your company name: shown in report headers, PDF footers and email banners (default: the name of company 0, the MSP itself, in the store)'),
  timezone: TimeZoneSchema.default('UTC').describe('IANA zone: days, weeks (ISO), months and business hours'),
  locale: LocaleSchema.optional().describe('BCP 47 locale for numbers in reports and emails (default en-US)'),
  currency: CurrencySchema.optional().describe('ISO 4217 code money values are shown in (default: plain numbers)'),
  businessHours: z.object({
    days: z.array(weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: hhmm.default('08:00'),
    end: hhmm.default('17:00'),
  }).strict().default({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }),
  completeStatuses: labelList.default(['Complete']),
  completeTaskStatuses: labelList.default(['Complete']),
  workflows: z.array(WorkflowRuleSchema).default(DEFAULT_WORKFLOWS as WorkflowRule[]),
  reopenDays: z.number().positive().default(14),
  escalationStatuses: labelList.default(['Escalate']),
  escalationQueues: labelList.default(['Tier 2', 'Tier 3']),
  forecastWeeks: z.number().int().min(1).max(26).default(4),
  targetUtilization: z.number().gt(0).max(1).default(0.8),
  backlogDays: z.number().positive().default(14),
  scheduledStatuses: labelList.default(['Scheduled', 'Dispatched']),
  onHoldStatuses: labelList.default(['On Hold', 'Waiting Customer', 'Waiting Vendor', 'Waiting Materials']),
  defaultDailyHours: z.number().min(0).max(24).default(8),
  managedContractTypes: labelList.default(['Recurring Service']),
  endpointTypes: labelList.default(['Workstation', 'Laptop', 'Server']),
  serviceRevenueItemTypes: labelList.default(['Labor', 'Labor Adjustment', 'Recurring Contract Service', 'Recurring Contract Service Adjustment']),
  rtteMinutes: z.number().min(0).default(15),
  fcrMaxBusinessHours: z.number().min(0).default(1),
  salesEngineeringStage: z.string().min(1).default('Sales Engineering'),
  stuckDays: z.number().min(0).default(14),
  slaRiskHours: z.number().min(0).default(2).describe('intake/needs-intervention: an SLA event due within this many wall-clock hours is at risk'),
  unassignedMinutes: z.number().min(0).default(30).describe('intake/needs-intervention: a ticket unassigned for longer than this needs a dispatcher'),
  staleDays: z.number().min(0).default(3).describe('intake/needs-intervention: an open ticket without activity for longer than this is stale'),
  commission: z.object({
    basis: z.enum(['gross_profit', 'revenue']).default('gross_profit').describe('commission on amount − cost (gross_profit) or on amount (revenue)'),
    defaultRate: z.number().min(0).max(1).default(0.1).describe('share of the basis paid as commission, 0.10 = 10 %'),
    rates: z.record(z.string().regex(/^\d+$/, 'a resource id'), z.number().min(0).max(1)).default({})
      .describe('per-salesperson rate, keyed by resource id ("29682885": 0.12)'),
  }).strict().default({ basis: 'gross_profit', defaultRate: 0.1, rates: {} }).describe('accounting/commissions'),
  targets: z.record(z.string(), z.number()).default({}).describe('overrides of metric targets, keyed "report-id.metric"'),
  minSample: z.number().int().min(1).default(5).describe('a rate measured over fewer items (tickets, entries) gets no status and no change: "2 tickets: too few to rate"'),
}).strict();
export type Settings = z.infer<typeof SettingsSchema>;

/** Settings file: the kpi settings plus operational sections. */
export const SettingsFileSchema = z.object({
  $schema: z.string().optional(),
  $comment: Comment,
  settings: SettingsSchema.default(SettingsSchema.parse({})),
  autotask: z.object({
    $comment: Comment,
    budgetShare: z.number().gt(0).max(1).default(0.5).describe('share of the 10,000-request hour (or the tenant\'s threshold) all psa-reports processes on the store may use together'),
    maxInFlightPerEntity: z.number().int().min(1).max(3).default(3),
    requestTimeoutMs: z.number().int().min(1000).default(60_000),
    overlapMinutes: z.number().min(0).default(10).describe('incremental sync re-reads this much before the cursor'),
    budgetMaxWaitMinutes: z.number().min(0).default(61).describe('longest wait for the API budget before a sync stops with a note (61 covers any wait for the own share; 0 never waits)'),
    maxResponseMB: z.number().gt(0).max(2000).default(50).describe('largest Autotask response body read (MB); a larger one fails that request'),
    maxRetryAfterSeconds: z.number().int().min(1).max(3600).default(120).describe('longest Retry-After honoured; a longer one waits this long instead'),
    syncDeadlineMinutes: z.number().gt(0).max(10_080).default(120).describe('a sync stops after this long; entities not finished fail with the reason and resume next time'),
  }).strict().default({ budgetShare: 0.5, maxInFlightPerEntity: 3, requestTimeoutMs: 60_000, overlapMinutes: 10, budgetMaxWaitMinutes: 61, maxResponseMB: 50, maxRetryAfterSeconds: 120, syncDeadlineMinutes: 120 }),
  render: z.object({
    $comment: Comment,
    chromiumPath: z.string().optional().describe('path of the Chromium binary (default: PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium)'),
    paper: z.enum(['A4', 'Letter']).optional().describe('paper of the PDFs (default: Letter for en-US and en-CA locales, A4 otherwise)'),
    logo: z.string().min(1).optional().describe('path of a PNG, JPEG or SVG logo shown above the MSP name in PDFs (relative to the settings file)'),
    renderTimeoutMs: z.number().int().min(1000).default(60_000),
    recycleAfter: z.number().int().min(1).default(100),
    maxEmailBytes: z.number().int().min(100_000).default(10_000_000),
  }).strict().default({ renderTimeoutMs: 60_000, recycleAfter: 100, maxEmailBytes: 10_000_000 }),
  paths: z.object({
    $comment: Comment,
    outbox: z.string().default('out/outbox'),
    output: z.string().default('out'),
  }).strict().default({ outbox: 'out/outbox', output: 'out' }),
  alerts: z.object({
    $comment: Comment,
    syncEveryMinutes: z.number().min(1).max(1440).default(5).describe('inside business hours the daemon syncs this often so alerts are timely (each sync takes its requests from the API budget, autotask.budgetShare); 0 < n'),
    syncOutsideHoursMinutes: z.number().min(1).max(1440).nullable().default(60).describe('outside business hours: sync this often (null: only when a schedule needs fresh data)'),
    channelAttempts: z.number().int().min(1).max(20).default(5).describe('attempts to post one notification to a channel before it counts as failed'),
    maxRetryAfterSeconds: z.number().int().min(1).max(3600).default(60).describe('longest Retry-After a channel (Teams, Slack, webhook) is waited for; a longer one waits this long'),
    failingAfter: z.number().int().min(1).max(100).default(3).describe('a channel failing this many notifications in a row is recorded as failing and the owner told'),
  }).strict().default({ syncEveryMinutes: 5, syncOutsideHoursMinutes: 60, channelAttempts: 5, maxRetryAfterSeconds: 60, failingAfter: 3 }),
  web: z.object({
    $comment: Comment,
    baseUrl: z.string().regex(/^https?:\/\/[^\s@]+$/, 'an http(s) URL without credentials, such as "https://reports.msp.example"').optional().describe('public address of the web app (psa-reports serve): links in alerts and summary cards point there'),
    oidc: OidcSettingsSchema.optional().describe('sign-in with Microsoft Entra ID (OpenID Connect); the client secret comes from PSA_REPORTS_OIDC_CLIENT_SECRET'),
    proxyAuth: ProxyAuthSettingsSchema.optional().describe('reverse-proxy header sign-in: the user named by a header, believed only from trusted proxy addresses'),
  }).strict().superRefine((w, ctx) => {
    if (w.oidc && !w.oidc.redirectUri && !w.baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['oidc', 'redirectUri'], message: 'needed when web.baseUrl is not set: the address Entra sends the browser back to, such as "https://reports.msp.example/login/oidc/callback"' });
    }
  }).default({}),
  webhooks: z.object({
    $comment: Comment,
    secretFile: z.string().default('autotask-webhook.secret').describe('file (mode 0600) holding the Autotask webhook\'s id and generated secret, resolved next to the settings file; never in the store'),
  }).strict().default({ secretFile: 'autotask-webhook.secret' }),
}).strict();

/** Autotask connection settings, all from the environment. */
export interface AutotaskEnv {
  /** API user name (`AUTOTASK_USERNAME`). */
  username: string | undefined;
  /** API secret (`AUTOTASK_SECRET`). Never logged. */
  secret: string | undefined;
  /** Integration code (`AUTOTASK_INTEGRATION_CODE`). */
  integrationCode: string | undefined;
  /** REST base ending in `ATServicesRest/`, skips zone discovery (`AUTOTASK_BASE_URL`). */
  baseUrl: string | undefined;
  /** Base of zone discovery (`AUTOTASK_ZONE_URL`). */
  zoneUrl: string;
}

/** The resolved, frozen configuration. */
export interface Config {
  /** Working folder paths are resolved against. */
  cwd: string;
  /** The settings file used, if any. */
  configFile: string | null;
  /** SQLite file. */
  db: string;
  /** schedules.json path. */
  schedulesFile: string;
  /** KPI settings. */
  settings: Settings;
  /** Autotask client tuning. */
  autotask: z.infer<typeof SettingsFileSchema>['autotask'];
  /** Renderer settings. */
  render: Omit<z.infer<typeof SettingsFileSchema>['render'], 'paper'> & { chromiumPath: string; paper: 'A4' | 'Letter' };
  /** Output folders (absolute). */
  paths: { outbox: string; output: string };
  /** Alert evaluation and channel tuning. */
  alerts: z.infer<typeof SettingsFileSchema>['alerts'];
  /** Web app address for links (no trailing slash), or null. */
  webBaseUrl: string | null;
  /** Sign-in methods besides passwords (web.oidc, web.proxyAuth), or null when not configured. */
  webAuth: {
    oidc: (z.infer<typeof OidcSettingsSchema> & { redirectUri: string }) | null;
    proxy: z.infer<typeof ProxyAuthSettingsSchema> | null;
    /** `PSA_REPORTS_OIDC_CLIENT_SECRET`. Never logged, stored or printed. */
    oidcClientSecret: string | null;
  };
  /** Absolute path of the Autotask webhook secret file. */
  webhookSecretFile: string;
  /** Autotask credentials and URLs from the environment. */
  env: AutotaskEnv;
  /** SMTP URL (`SMTP_URL`), or null for the outbox. Contains the password: never print it. */
  smtpUrl: string | null;
  /** Sender address (`MAIL_FROM`). */
  mailFrom: string;
}

/** Flags that override the file and environment. */
export interface ConfigFlags {
  config?: string;
  db?: string;
  schedules?: string;
}

/** Formats zod issues as "file: path: message (allowed …)" lines. */
export function formatIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
      return `${file}: ${where}: ${i.message}${i.code === 'unrecognized_keys' ? unknownKeyHint(i.keys, i.path) : ''}`;
    })
    .join('\n');
}

/** The object schema at `p` inside the settings file (through defaults, optionals and arrays), if any. */
function settingsObjectAt(p: readonly PropertyKey[]): z.ZodObject | null {
  let s: z.ZodType = SettingsFileSchema;
  const unwrap = (t: z.ZodType): z.ZodType => {
    for (;;) {
      if (t instanceof z.ZodDefault || t instanceof z.ZodOptional) t = t.unwrap() as z.ZodType;
      else return t;
    }
  };
  for (const k of p) {
    s = unwrap(s);
    if (s instanceof z.ZodArray && typeof k === 'number') s = s.element as z.ZodType;
    else if (s instanceof z.ZodObject && typeof k === 'string' && k in s.shape) s = s.shape[k] as z.ZodType;
    else return null;
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? s : null;
}

/** " — did you mean "x"? allowed: …" for keys the settings file does not know. */
function unknownKeyHint(keys: readonly string[], p: readonly PropertyKey[]): string {
  const obj = settingsObjectAt(p);
  if (!obj) return '';
  const allowed = Object.keys(obj.shape).filter((k) => k !== '$schema');
  const hints = keys.map((k) => didYouMean(k, allowed).replace(/^ \(|\)$/g, '')).filter(Boolean);
  return `${hints.length ? ` — ${hints.join(', ')}` : ''} (allowed: ${allowed.join(', ')})`;
}

/**
 * Reads and parses a JSON file, with errors naming the file. The text must be UTF-8 (a leading byte-order
 * mark, as some Windows editors write, is dropped). A syntax error gives the line and column only, never
 * the text around it: the path may be a link to a file that is not ours to print.
 */
export function readJsonFile(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new AppError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path given.`, 'CONFIG', { cause: e });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw new AppError(`${file}: not UTF-8 text. Save the file as UTF-8 (JSON must be UTF-8).`, 'CONFIG', { cause: e, details: { file } });
  }
  try {
    return JSON.parse(text);
  } catch {
    // The engine's message quotes the start of the text (Node 20 and later): ours says only where and what.
    const found = jsonSyntaxError(text);
    const where = found ? ` at line ${lineColumn(text, found.at)}: ${found.what}` : '';
    throw new AppError(`${file}: not valid JSON${where}`, 'CONFIG', { details: { file } });
  }
}

/** "L, column C" (both from 1) of a character offset. */
function lineColumn(text: string, at: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < at && i < text.length; i++) if (text[i] === '\n') { line++; start = i + 1; }
  return `${line}, column ${at - start + 1}`;
}

/**
 * Where a JSON text first breaks the grammar (RFC 8259) and what was expected there; null when it does
 * not (or nests too deep to follow).
 */
export function jsonSyntaxError(text: string): { at: number; what: string } | null {
  let i = 0;
  class Stop { constructor(readonly at: number, readonly what: string) {} }
  const fail = (what: string, at = i): never => { throw new Stop(at, i >= text.length ? 'the file ends too early' : what); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c < 0x20) fail('a line break or control character inside a string (write \\n)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('a \\u escape needs four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('an unknown escape after \\ (allowed: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes (no comma after the last property)');
        str(); ws();
        if (text[i] !== ':') fail('expected ":" after the property name');
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail('expected "," or "}" after the property value');
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail('expected "," or "]" after the list element');
      }
    }
    if (c === '"') return str();
    const lit = /^(true|false|null)/.exec(text.slice(i, i + 5));
    if (lit) { i += lit[0].length; return; }
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (num && num[0].length) { i += num[0].length; return; }
    fail('expected a value: an object, list, "string", number, true, false or null');
  };
  try {
    value(); ws();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    return null;
  } catch (e) {
    if (e instanceof Stop) return { at: e.at, what: e.what };
    return null; // nested too deep for the stack
  }
}

/** Loads the configuration: defaults < file < env < flags. */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string): Config {
  const configFile = flags.config ? path.resolve(cwd, flags.config) : null;
  const raw = configFile ? readJsonFile(configFile) : {};
  const parsed = SettingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(`invalid settings:\n${formatIssues(configFile ?? '(defaults)', parsed.error)}`, 'CONFIG', { details: { file: configFile } });
  }
  const file = parsed.data;
  if (env.PSA_REPORTS_TIMEZONE) {
    const tz = TimeZoneSchema.safeParse(env.PSA_REPORTS_TIMEZONE);
    if (!tz.success) throw new AppError(`PSA_REPORTS_TIMEZONE: "${env.PSA_REPORTS_TIMEZONE}" is not an IANA time zone name such as "UTC" or "Europe/London"`, 'CONFIG');
    file.settings.timezone = tz.data;
  }
  const chromiumPath = file.render.chromiumPath ?? env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  const cfg: Config = {
    cwd,
    configFile,
    db: path.resolve(cwd, flags.db ?? env.PSA_REPORTS_DB ?? 'psa-reports.db'),
    schedulesFile: path.resolve(cwd, flags.schedules ?? env.PSA_REPORTS_SCHEDULES ?? 'schedules.json'),
    settings: file.settings,
    autotask: file.autotask,
    render: {
      ...file.render, chromiumPath,
      // North America prints on Letter; everyone else on A4.
      paper: file.render.paper ?? (/-(US|CA)\b/i.test(file.settings.locale ?? 'en-US') ? 'Letter' : 'A4'),
      ...(file.render.logo ? { logo: path.resolve(configFile ? path.dirname(configFile) : cwd, file.render.logo) } : {}),
    },
    paths: { outbox: path.resolve(cwd, env.PSA_REPORTS_OUTBOX ?? file.paths.outbox), output: path.resolve(cwd, file.paths.output) },
    alerts: file.alerts,
    webBaseUrl: file.web.baseUrl ? file.web.baseUrl.replace(/\/+$/, '') : null,
    webAuth: {
      oidc: file.web.oidc ? { ...file.web.oidc, redirectUri: file.web.oidc.redirectUri ?? `${file.web.baseUrl!.replace(/\/+$/, '')}/login/oidc/callback` } : null,
      proxy: file.web.proxyAuth ?? null,
      oidcClientSecret: env.PSA_REPORTS_OIDC_CLIENT_SECRET || null,
    },
    // Next to the settings file (or the working folder without one), like the other files an operator keeps.
    webhookSecretFile: path.resolve(configFile ? path.dirname(configFile) : cwd, env.PSA_REPORTS_WEBHOOK_SECRET_FILE ?? file.webhooks.secretFile),
    env: {
      username: env.AUTOTASK_USERNAME || undefined,
      secret: env.AUTOTASK_SECRET || undefined,
      integrationCode: env.AUTOTASK_INTEGRATION_CODE || undefined,
      baseUrl: env.AUTOTASK_BASE_URL || undefined,
      zoneUrl: env.AUTOTASK_ZONE_URL || 'https://webservices.autotask.net/atservicesrest/',
    },
    smtpUrl: env.SMTP_URL || null,
    mailFrom: env.MAIL_FROM || 'psa-reports <reports@localhost>',
  };
  return deepFreeze(cfg);
}

/** Default settings (for tests and tools). */
export function defaultSettings(overrides: Partial<z.input<typeof SettingsSchema>> = {}): Settings {
  return SettingsSchema.parse(overrides);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

/** JSON Schema of the settings file (editors complete and check settings.json with it). */
export function settingsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(SettingsFileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'psa-reports settings',
    description: 'Settings of psa-reports: KPI settings (kpi-spec), Autotask budget, renderer and paths. Every field is optional.',
  };
}
