import { z } from 'zod';
import { AppError } from '../errors.js';
import { ADDRESS_RULE, parseAddress } from './address.js';
import { TimeZoneSchema, readJsonFile } from '../config.js';
import { CronError, parseCatchUp, parseCron, type CatchUp } from './cron.js';
import type { ScheduleFormat } from './ports.js';

/**
 * schedules.json: who receives which reports, when, in which format. Validated with zod; the JSON Schema
 * shipped beside it (schedules.schema.json) is generated from this schema (`schedulesJsonSchema`).
 */

const DURATION_RE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration such as `90s`, `10m`, `2h`, `1d`. */
export function parseDuration(text: string): number {
  const m = DURATION_RE.exec(text);
  if (!m) throw new AppError(`"${text}" is not a duration: use a whole number and s, m, h or d (e.g. "10m", "2h")`, 'CONFIG');
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Longest run deadline: a day is far beyond any honest run, and far below the 2^31-1 ms a timer can hold. */
export const MAX_DEADLINE_MS = 86_400_000;
const MAX_DEADLINE_TEXT = '24h';

const Duration = z.string().regex(DURATION_RE, 'a duration: a whole number and s, m, h or d, such as "10m" or "2h"');
// One plain address per field, by the same rule a run applies to every address (see address.ts).
const Email = z.email('an e-mail address such as "ops@msp.example"').refine((s) => parseAddress(s).ok, ADDRESS_RULE);

const AutotaskSelector = z.object({
  role: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe('Autotask role name(s) (ResourceRoleDepartments → Roles), case-insensitive; a list matches any'),
  department: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe('Autotask department name(s), case-insensitive; a list matches any'),
  securityLevel: z.number().int().optional().describe('Autotask security level id of the resource'),
}).strict().describe('active Autotask resources with an e-mail address matching every given field; {} = every active resource');

/** One entry of a role's recipient list. */
export const RecipientSpecSchema = z.union([
  Email,
  z.object({ autotask: AutotaskSelector }).strict(),
  z.object({
    address: Email,
    companyId: z.number().int().optional().describe('Autotask company id this address receives when a schedule bursts by company'),
    resourceId: z.number().int().optional().describe('Autotask resource id this address receives when a schedule bursts by technician (default: looked up by e-mail)'),
    name: z.string().optional(),
  }).strict(),
]);
export type RecipientSpec = z.infer<typeof RecipientSpecSchema>;

// Webhook URLs are secrets (whoever has one can post into the channel): schedules.json names the
// environment variable that holds it, never the URL itself.
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name in capitals, such as "TEAMS_SERVICE_DESK_URL"');

/** A channel a role's alerts and summary cards are posted to (besides its e-mail recipients). */
export const ChannelSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('teams'),
    urlEnv: EnvName.describe('environment variable holding the Teams Workflows webhook URL ("Post to a channel when a webhook request is received")'),
  }).strict(),
  z.object({
    type: z.literal('slack'),
    urlEnv: EnvName.describe('environment variable holding the Slack incoming-webhook URL'),
  }).strict(),
  z.object({
    type: z.literal('webhook'),
    urlEnv: EnvName.describe('environment variable holding the URL that receives the JSON'),
    secretEnv: EnvName.describe('environment variable holding the HMAC-SHA256 key; the body\'s signature goes in X-Psa-Signature: sha256=<hex>'),
  }).strict(),
]);
export type ChannelDef = z.infer<typeof ChannelSchema>;

/** A named group of recipients. */
export const RoleSchema = z.object({
  description: z.string().optional(),
  recipients: z.array(RecipientSpecSchema).default([]).describe('addresses, or Autotask selectors resolved from the synced resources'),
  except: z.array(RecipientSpecSchema).optional().describe('removed from the recipients (e.g. everyone except the Sales department)'),
  channels: z.array(ChannelSchema).optional().describe('Teams, Slack or signed JSON webhooks that receive this role\'s alerts (and summary cards of schedules with "post")'),
}).strict().refine((r) => r.recipients.length > 0 || (r.channels?.length ?? 0) > 0, 'a role needs at least one entry in "recipients" or "channels"');
export type RoleDef = z.infer<typeof RoleSchema>;

const ReportRef = z.string().regex(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/, 'a report id "group/name" or a group name such as "intake"');

const CatchUpText = z.string().refine((s) => {
  try {
    parseCatchUp(s);
    return true;
  } catch {
    return false;
  }
}, 'one of "skip", "latest" or "all-within:<n>m|h|d" such as "all-within:6h"');

const CronText = z.string().superRefine((s, ctx) => {
  try {
    parseCron(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `${(e as CronError).message}` });
  }
});

/** One schedule. */
export const ScheduleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"').describe('stable id: the ledger keys runs by it'),
  description: z.string().optional(),
  cron: CronText.describe('5 fields: minute hour day-of-month month day-of-week, read in `timezone`. DST: a time inside the spring-forward gap (02:30 America/New_York) runs once at the first valid minute after the gap (03:00 EDT); a time repeated at fall-back (01:30) runs once, at its first occurrence (EDT).'),
  timezone: TimeZoneSchema.describe('IANA zone of the cron and of the report windows'),
  reports: z.array(ReportRef).min(1).describe('report ids "group/name" or whole groups ("intake")'),
  format: z.enum(['pdf', 'html', 'both', 'csv', 'xlsx']).describe('attachments: pdf; html (the report in the body, the PDF attached for all of it: never an HTML attachment, which mail gateways quarantine); both (PDF plus a CSV spreadsheet per report); csv (spreadsheets only, for readers who work in a spreadsheet); xlsx (one workbook: a summary sheet and a sheet per report); the body is always HTML with a text alternative'),
  roles: z.array(z.string().min(1)).min(1).describe('names of roles (top-level "roles") who receive it'),
  subject: z.string().min(1).max(200).describe('subject line; placeholders {period} {date} {schedule} {name}'),
  catchUp: CatchUpText.default('skip').describe('after downtime: "skip" (only a run due within the last minute), "latest" (only the most recent missed run), "all-within:6h" (every missed run of the last 6 hours)'),
  freshness: Duration.default('2h').describe('maximum age of the last successful sync; older data is synced first'),
  burst: z.enum(['technician', 'company']).optional().describe('one message per technician (rows with their resource_id) or per company (rows with their company_id)'),
  window: z.enum(['previous-week', 'previous-month', 'last-7-days']).optional().describe('window of every report whose default is a past period (previous-week, previous-month, last-7-days), e.g. a weekly scorecard of last week; point-in-time and upcoming reports keep theirs; trends step by it'),
  layout: z.enum(['full', 'digest']).default('full').describe('email body: full (headline tiles, charts, top 10 rows of each report) or digest (tiles and the top 5 rows, no charts: a one-page read)'),
  owner: Email.optional().describe('told when a run fails (default: the top-level owner)'),
  deadline: Duration.default('10m').refine((d) => !DURATION_RE.test(d) || parseDuration(d) <= MAX_DEADLINE_MS, `at most ${MAX_DEADLINE_TEXT} (a run that long has hung; the run timer cannot hold more than 24 days either)`)
    .describe(`one deadline for the whole run: sync, compute, render and delivery; at most ${MAX_DEADLINE_TEXT}`),
  enabled: z.boolean().default(true),
  post: z.boolean().default(false).describe('also post a summary card (headline tiles and a link to the web report, settings web.baseUrl) to the channels of its roles'),
}).strict();

const MetricName = z.string().regex(/^[a-z0-9_]+$/, 'a metric name of the report, such as "open_tickets"');

/**
 * An alert rule: a condition on a report's metric, or on its rows (one alert per row key). Evaluated after
 * every successful sync; OK → PENDING → FIRING after `for` breaching evaluations in a row → OK.
 */
export const AlertRuleSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"').describe('stable id: alert states and notifications are keyed by it'),
  description: z.string().optional(),
  report: z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/, 'a report id "group/name"').describe('report whose result is watched'),
  metric: MetricName.optional().describe('metric rule: the metric compared (give one of above, below, missesTarget)'),
  above: z.number().optional().describe('metric rule: breaching while the value is greater than this'),
  below: z.number().optional().describe('metric rule: breaching while the value is less than this'),
  missesTarget: z.literal(true).optional().describe('metric rule: breaching while the value misses the report\'s target (settings targets override it)'),
  rows: z.object({
    key: z.string().min(1).describe('row column that identifies a row, such as "ticket_id": one alert per key'),
    where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional().describe('only rows whose columns equal these values breach, e.g. {"breached": true}; default every row'),
  }).strict().optional().describe('row rule: each row (that matches "where") is a breaching alert of its own; a row that leaves the report resolves it'),
  minSample: z.object({
    metric: MetricName,
    atLeast: z.number().describe('below this the sample is too small: the owner is told, the alert neither fires nor clears'),
  }).strict().optional(),
  for: z.number().int().min(1).max(100).default(1).describe('consecutive breaching evaluations before it fires (flapping never fires)'),
  roles: z.array(z.string().min(1)).min(1).describe('roles told when it fires and when it resolves'),
  remind: Duration.optional().describe('while firing, remind the same people this often, only inside settings.businessHours'),
  escalate: z.object({
    after: Duration.describe('time firing before the escalation roles are told'),
    roles: z.array(z.string().min(1)).min(1),
  }).strict().optional(),
  freshness: Duration.default('1h').describe('data older than this (last successful sync) is stale: nothing fires or clears, the owner is told'),
  timezone: TimeZoneSchema.optional().describe('zone the report is computed in (default settings.timezone)'),
  owner: Email.optional().describe('told about no data, stale data, small samples and failing channels (default: the top-level owner)'),
  enabled: z.boolean().default(true),
}).strict().superRefine((r, ctx) => {
  const conds = [r.above !== undefined, r.below !== undefined, r.missesTarget === true].filter(Boolean).length;
  if (r.rows && (r.metric || conds)) ctx.addIssue({ code: 'custom', message: 'a rule watches either rows ("rows") or a metric ("metric" with above, below or missesTarget), not both' });
  if (!r.rows && !r.metric) ctx.addIssue({ code: 'custom', message: 'give "metric" (with one of above, below, missesTarget) or "rows"' });
  if (r.metric && conds !== 1) ctx.addIssue({ code: 'custom', message: 'a metric rule needs exactly one of "above", "below" or "missesTarget"' });
});
export type AlertRuleDef = z.infer<typeof AlertRuleSchema>;

/** The whole file. */
export const SchedulesFileSchema = z.object({
  $schema: z.string().optional(),
  $comment: z.string().optional().describe('free text for people reading the file (JSON has no comments); ignored'),
  owner: Email.describe('told when a run fails, unless the schedule names its own owner'),
  roles: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-"'), RoleSchema),
  schedules: z.array(ScheduleSchema),
  alerts: z.array(AlertRuleSchema).default([]).describe('alert rules: evaluated after every successful sync'),
}).strict();

/**
 * The checks across entries (duplicate ids, unknown roles, unknown reports), made on the raw file so they
 * are reported together with the schema's problems: an editor fixing one error sees them all at once.
 */
function crossCheck(raw: unknown, file: string, reportIds: readonly string[] | undefined): string[] {
  const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);
  const top = obj(raw);
  const schedules = top && Array.isArray(top.schedules) ? top.schedules : [];
  const roles = obj(top?.roles);
  const problems: string[] = [];
  const seen = new Set<string>();
  schedules.forEach((entry, i) => {
    const s = obj(entry);
    if (!s) return;
    if (typeof s.id === 'string') {
      if (seen.has(s.id)) problems.push(`${file}: schedules[${i}].id: duplicate schedule id "${s.id}"`);
      seen.add(s.id);
    }
    if (roles && Array.isArray(s.roles)) {
      s.roles.forEach((r, j) => {
        if (typeof r === 'string' && r && !Object.hasOwn(roles, r)) {
          problems.push(`${file}: schedules[${i}].roles[${j}]: unknown role "${r}"; defined roles: ${Object.keys(roles).join(', ') || '(none)'}`);
        }
      });
    }
    if (reportIds && Array.isArray(s.reports)) {
      s.reports.forEach((r, j) => {
        if (typeof r !== 'string' || !ReportRef.safeParse(r).success) return; // the schema names it
        try {
          expandReports([r], reportIds);
        } catch (e) {
          problems.push(`${file}: schedules[${i}].reports[${j}]: ${(e as Error).message}`);
        }
      });
    }
  });
  const alerts = top && Array.isArray(top.alerts) ? top.alerts : [];
  const alertIds = new Set<string>();
  const roleRef = (r: unknown, at: string) => {
    if (roles && typeof r === 'string' && r && !Object.hasOwn(roles, r)) problems.push(`${file}: ${at}: unknown role "${r}"; defined roles: ${Object.keys(roles).join(', ') || '(none)'}`);
  };
  alerts.forEach((entry, i) => {
    const a = obj(entry);
    if (!a) return;
    if (typeof a.id === 'string') {
      if (alertIds.has(a.id)) problems.push(`${file}: alerts[${i}].id: duplicate alert id "${a.id}"`);
      alertIds.add(a.id);
    }
    if (Array.isArray(a.roles)) a.roles.forEach((r, j) => roleRef(r, `alerts[${i}].roles[${j}]`));
    const esc = obj(a.escalate);
    if (esc && Array.isArray(esc.roles)) esc.roles.forEach((r, j) => roleRef(r, `alerts[${i}].escalate.roles[${j}]`));
    if (reportIds && typeof a.report === 'string' && a.report.includes('/') && !reportIds.includes(a.report)) {
      problems.push(`${file}: alerts[${i}].report: unknown report "${a.report}" (an id such as "${reportIds[0] ?? 'intake/backlog'}"; see psa-reports list)`);
    }
  });
  return problems;
}

/** A schedule as validated and resolved for the core. */
export interface Schedule {
  /** Stable id. */
  id: string;
  /** 5-field cron. */
  cron: string;
  /** IANA zone. */
  timezone: string;
  /** Report ids or group names, as written. */
  reports: string[];
  /** Attachment format. */
  format: ScheduleFormat;
  /** Role names. */
  roles: string[];
  /** Subject template. */
  subject: string;
  /** Catch-up policy, parsed. */
  catchUp: CatchUp;
  /** Catch-up policy as written. */
  catchUpText: string;
  /** Maximum age of the last successful sync (ms). */
  freshnessMs: number;
  /** Bursting mode, if any. */
  burst: 'technician' | 'company' | null;
  /** Window kind for the reports' past windows (null: each report's default). */
  window: 'previous-week' | 'previous-month' | 'last-7-days' | null;
  /** Email body layout: full, or a one-page digest. */
  layout: 'full' | 'digest';
  /** Who hears about failures. */
  owner: string;
  /** Run deadline (ms). */
  deadlineMs: number;
  /** Whether the daemon fires it. */
  enabled: boolean;
  /** Also post a summary card to the roles' channels. */
  post: boolean;
}

/** An alert rule as validated and resolved for the core. */
export interface AlertRule {
  /** Stable id. */
  id: string;
  /** Report id `group/name`. */
  report: string;
  /** Metric condition, or null for a row rule. */
  metric: { name: string; above?: number; below?: number; missesTarget?: boolean } | null;
  /** Row condition, or null for a metric rule. */
  rows: { key: string; where: Record<string, string | number | boolean | null> } | null;
  /** Sample guard. */
  minSample: { metric: string; atLeast: number } | null;
  /** Consecutive breaching evaluations before firing. */
  for: number;
  /** Roles told. */
  roles: string[];
  /** Reminder interval (ms), inside business hours only; null: none. */
  remindMs: number | null;
  /** Escalation, if any. */
  escalate: { afterMs: number; roles: string[] } | null;
  /** Maximum age of the last successful sync (ms). */
  freshnessMs: number;
  /** Zone of the computation (null: the settings' zone). */
  timezone: string | null;
  /** Who is told about missing data and failing channels. */
  owner: string;
  /** Whether it is evaluated. */
  enabled: boolean;
  /** Description as written. */
  description: string | null;
}

/** The loaded file. */
export interface SchedulesFile {
  /** Path it was read from. */
  file: string;
  /** Default owner. */
  owner: string;
  /** Roles by name. */
  roles: Record<string, RoleDef>;
  /** Schedules in file order. */
  schedules: Schedule[];
  /** Alert rules in file order. */
  alerts: AlertRule[];
}

/** The keys allowed at a path of the file, for "unrecognized key" messages. */
function allowedKeys(p: PropertyKey[]): string[] {
  const last = p[p.length - 1];
  if (p.length === 0) return Object.keys(SchedulesFileSchema.shape);
  if (last === 'autotask') return Object.keys(AutotaskSelector.shape);
  if (p[0] === 'schedules' && p.length === 2) return Object.keys(ScheduleSchema.shape);
  if (p[0] === 'roles' && p.length === 2) return ['description', 'recipients', 'except', 'channels'];
  if (p[0] === 'alerts' && p.length === 2) return ['id', 'description', 'report', 'metric', 'above', 'below', 'missesTarget', 'rows', 'minSample', 'for', 'roles', 'remind', 'escalate', 'freshness', 'timezone', 'owner', 'enabled'];
  if (p[0] === 'roles' && p.length === 4) return ['autotask', 'address', 'companyId', 'resourceId', 'name'];
  return [];
}

/** Formats zod issues with the file, the JSON path and the message (which carries the allowed values). */
function formatScheduleIssues(file: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const where = i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      let msg = i.message;
      if (i.code === 'invalid_union' && where.includes('recipients')) msg = 'expected an e-mail address, {"autotask": {"role"?, "department"?, "securityLevel"?}} or {"address", "companyId"?, "resourceId"?}';
      if (i.code === 'unrecognized_keys') msg += ` (allowed: ${allowedKeys(i.path).join(', ')})`;
      return `${file}: ${where}: ${msg}`;
    })
    .join('\n');
}

/** Validates parsed JSON; throws AppError CONFIG (exit 2) naming the file, the path and what is allowed. */
export function parseSchedules(raw: unknown, file: string, opts: { reportIds?: readonly string[] } = {}): SchedulesFile {
  const parsed = SchedulesFileSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : [formatScheduleIssues(file, parsed.error)]),
    ...crossCheck(raw, file, opts.reportIds),
  ];
  if (!parsed.success || problems.length) {
    throw new AppError(`invalid schedules:\n${problems.join('\n')}`, 'CONFIG', { details: { file } });
  }
  const data = parsed.data;
  return {
    file,
    owner: data.owner,
    roles: data.roles,
    schedules: data.schedules.map((s) => ({
      id: s.id,
      cron: s.cron,
      timezone: s.timezone,
      reports: s.reports,
      format: s.format,
      roles: s.roles,
      subject: s.subject,
      catchUp: parseCatchUp(s.catchUp),
      catchUpText: s.catchUp,
      freshnessMs: parseDuration(s.freshness),
      burst: s.burst ?? null,
      layout: s.layout,
      window: s.window ?? null,
      owner: s.owner ?? data.owner,
      deadlineMs: parseDuration(s.deadline),
      enabled: s.enabled,
      post: s.post,
    })),
    alerts: data.alerts.map((a) => ({
      id: a.id,
      report: a.report,
      metric: a.metric ? { name: a.metric, ...(a.above !== undefined ? { above: a.above } : {}), ...(a.below !== undefined ? { below: a.below } : {}), ...(a.missesTarget ? { missesTarget: true } : {}) } : null,
      rows: a.rows ? { key: a.rows.key, where: a.rows.where ?? {} } : null,
      minSample: a.minSample ?? null,
      for: a.for,
      roles: a.roles,
      remindMs: a.remind ? parseDuration(a.remind) : null,
      escalate: a.escalate ? { afterMs: parseDuration(a.escalate.after), roles: a.escalate.roles } : null,
      freshnessMs: parseDuration(a.freshness),
      timezone: a.timezone ?? null,
      owner: a.owner ?? data.owner,
      enabled: a.enabled,
      description: a.description ?? null,
    })),
  };
}

/** Reads and validates schedules.json. */
export function loadSchedules(file: string, opts: { reportIds?: readonly string[] } = {}): SchedulesFile {
  return parseSchedules(readJsonFile(file), file, opts);
}

/**
 * A test copy of one schedule: the same reports, format, window and bursting, delivered only to `address`
 * with "[Test]" before the subject. Other schedules and roles are left as they are.
 */
export function testCopyOf(file: SchedulesFile, scheduleId: string, address: string): SchedulesFile {
  const parsed = Email.safeParse(address);
  if (!parsed.success) throw new AppError(`--recipient: "${address}" is not an e-mail address (such as "you@msp.example")`, 'USAGE');
  const role = 'test-copy';
  return {
    ...file,
    roles: { ...file.roles, [role]: { recipients: [parsed.data] } },
    schedules: file.schedules.map((s) => (s.id === scheduleId ? { ...s, roles: [role], subject: `[Test] ${s.subject}` } : s)),
  };
}

/** Expands group names to their report ids, keeping order and dropping repeats. Unknown ids throw. */
export function expandReports(refs: readonly string[], reportIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const hits = ref.includes('/') ? reportIds.filter((id) => id === ref) : reportIds.filter((id) => id.startsWith(`${ref}/`));
    if (!hits.length) {
      const groups = [...new Set(reportIds.map((id) => id.split('/')[0]))];
      throw new AppError(`unknown report "${ref}"; known groups: ${groups.join(', ')} (or an id such as "${reportIds[0] ?? 'intake/backlog'}")`, 'CONFIG');
    }
    for (const h of hits) if (!out.includes(h)) out.push(h);
  }
  return out;
}

/** The JSON Schema of schedules.json (the committed schedules.schema.json must equal this). */
export function schedulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SchedulesFileSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'psa-reports schedules.json' };
}
