import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';

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

/** Every `settings.*` name of kpi-spec.md, with its default. */
export const SettingsSchema = z.object({
  mspName: z.string().default('Your MSP').describe('shown in report headers'),
  timezone: TimeZoneSchema.default('UTC').describe('IANA zone: days, weeks (ISO), months and business hours'),
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
}).strict();
export type Settings = z.infer<typeof SettingsSchema>;

/** Settings file: the kpi settings plus operational sections. */
export const SettingsFileSchema = z.object({
  $schema: z.string().optional(),
  settings: SettingsSchema.default(SettingsSchema.parse({})),
  autotask: z.object({
    budgetShare: z.number().gt(0).max(1).default(0.5).describe('share of the 10,000-request hour this program may use'),
    maxInFlightPerEntity: z.number().int().min(1).max(3).default(3),
    requestTimeoutMs: z.number().int().min(1000).default(60_000),
    overlapMinutes: z.number().min(0).default(10).describe('incremental sync re-reads this much before the cursor'),
  }).strict().default({ budgetShare: 0.5, maxInFlightPerEntity: 3, requestTimeoutMs: 60_000, overlapMinutes: 10 }),
  render: z.object({
    chromiumPath: z.string().optional().describe('path of the Chromium binary (default: PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium)'),
    paper: z.enum(['A4', 'Letter']).default('A4'),
    renderTimeoutMs: z.number().int().min(1000).default(60_000),
    recycleAfter: z.number().int().min(1).default(100),
    maxEmailBytes: z.number().int().min(100_000).default(10_000_000),
  }).strict().default({ paper: 'A4', renderTimeoutMs: 60_000, recycleAfter: 100, maxEmailBytes: 10_000_000 }),
  paths: z.object({
    outbox: z.string().default('out/outbox'),
    output: z.string().default('out'),
  }).strict().default({ outbox: 'out/outbox', output: 'out' }),
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
  render: z.infer<typeof SettingsFileSchema>['render'] & { chromiumPath: string };
  /** Output folders (absolute). */
  paths: { outbox: string; output: string };
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
      return `${file}: ${where}: ${i.message}`;
    })
    .join('\n');
}

/** Reads and parses a JSON file, with errors naming the file. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new AppError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path given.`, 'CONFIG', { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AppError(`${file}: not valid JSON: ${(e as Error).message}`, 'CONFIG', { cause: e });
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
    render: { ...file.render, chromiumPath },
    paths: { outbox: path.resolve(cwd, env.PSA_REPORTS_OUTBOX ?? file.paths.outbox), output: path.resolve(cwd, file.paths.output) },
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
