import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { RegisteredReport } from '../reporting/define.js';
import type { RecipientSpec, RoleDef, SchedulesFile } from '../delivery/schedules.js';
import { SUBJECT_PLACEHOLDERS } from '../delivery/execute.js';
import { resolveRecipients } from '../delivery/recipients.js';
import { openDb, type Db } from '../store/db.js';
import { closest, didYouMean } from '../suggest.js';

/**
 * The checks of `psa-reports check` for mistakes that load without error and then do the wrong thing
 * silently: a target key no report reads, a subject placeholder sent as written, a role that reaches
 * nobody, mail settings a real server refuses. Each problem names the file (or variable), the field and
 * the fix; informational lines start with "--".
 */

/** Problems (exit 2) and informational lines of one check. */
export interface CheckOutcome {
  /** "file: field: what is wrong; the fix" lines. */
  problems: string[];
  /** Lines to print as they are ("--  …"). */
  info: string[];
}

/** Every key `settings.targets` may hold: "<group>/<report>.<metric>". */
export function targetKeys(reports: readonly RegisteredReport[]): string[] {
  return reports.flatMap((r) => Object.keys(r.def.metrics).map((m) => `${r.id}.${m}`));
}

/** Target keys no report reads, each with the closest valid key. */
export function checkTargets(cfg: Config, reports: readonly RegisteredReport[]): CheckOutcome {
  const valid = targetKeys(reports);
  const known = new Set(valid);
  const file = cfg.configFile ?? '(defaults)';
  const problems = Object.keys(cfg.settings.targets)
    .filter((k) => !known.has(k))
    .map((k) => `${file}: settings.targets."${k}": no report has this metric, so the target would be ignored${didYouMean(k, valid)}; keys are "<group>/<report>.<metric>" (psa-reports list reports --describe shows the metrics)`);
  return { problems, info: [] };
}

/** Subject placeholders that would be sent as typed. */
export function checkSubjects(s: SchedulesFile): CheckOutcome {
  const allowed = SUBJECT_PLACEHOLDERS.map((p) => `{${p}}`);
  const problems: string[] = [];
  s.schedules.forEach((sc, i) => {
    for (const m of sc.subject.matchAll(/\{([^{}]*)\}/g)) {
      if ((SUBJECT_PLACEHOLDERS as readonly string[]).includes(m[1]!)) continue;
      const near = closest(m[1]!, SUBJECT_PLACEHOLDERS);
      problems.push(`${s.file}: schedules[${i}].subject: unknown placeholder {${m[1]}} would be sent as written${near ? ` (did you mean {${near}}?)` : ''}; allowed: ${allowed.join(' ')}`);
    }
  });
  return { problems, info: [] };
}

function specText(spec: RecipientSpec): string {
  return typeof spec === 'string' ? spec : 'address' in spec ? spec.address : `{"autotask": ${JSON.stringify(spec.autotask)}}`;
}

/** Names in a store table, for "known roles/departments" hints. */
function namesIn(db: Db, table: 'roles' | 'departments'): string[] {
  try {
    return (db.prepare(`SELECT DISTINCT trim(name) FROM ${table} WHERE name IS NOT NULL ORDER BY 1`).pluck().all() as string[]).filter(Boolean);
  } catch {
    return [];
  }
}

/** Why a selector that reaches nobody does, and what names exist. */
function selectorHint(db: Db, spec: Exclude<RecipientSpec, string>): string {
  if (!('autotask' in spec)) return '';
  const sel = spec.autotask;
  const parts: string[] = [];
  for (const [field, table] of [['role', 'roles'], ['department', 'departments']] as const) {
    const v = sel[field];
    if (v === undefined) continue;
    const names = namesIn(db, table);
    const list = Array.isArray(v) ? v : [v];
    for (const n of list) {
      if (names.some((x) => x.toLowerCase() === n.trim().toLowerCase())) continue;
      parts.push(`no ${field} "${n}" in the store${didYouMean(n, names)}; known: ${names.slice(0, 15).join(', ')}${names.length > 15 ? ', …' : ''}`);
    }
  }
  return parts.length ? `: ${parts.join('; ')}` : ': no active resource with an e-mail address matches';
}

/**
 * How many addresses each role reaches. With a synced store every Autotask selector is counted (0 is an
 * error naming the selector); without one, only roles made of literal addresses can be judged.
 */
export function checkRoles(s: SchedulesFile, storeFile: string | null): CheckOutcome {
  const problems: string[] = [];
  const info: string[] = [];
  const hasStore = storeFile !== null && fs.existsSync(storeFile);
  let db: Db | null = null;
  try {
    db = hasStore ? openDb(storeFile!, { readonly: true }) : openDb(':memory:');
    const synced = hasStore && (db.prepare('SELECT count(*) FROM resources').pluck().get() as number) > 0;
    for (const [name, role] of Object.entries(s.roles)) {
      const selectors = [...role.recipients, ...(role.except ?? [])].filter((r) => typeof r === 'object' && 'autotask' in r);
      if (selectors.length && !synced) {
        info.push(`--  role ${name}: ${selectors.length} Autotask selector(s), resolved at send time; after a sync, check --db <store> counts the people they reach`);
        continue;
      }
      const total = resolveRecipients(db, role).length;
      const per = role.recipients.filter((r) => typeof r === 'object' && 'autotask' in r).map((spec) => {
        const n = resolveRecipients(db!, { recipients: [spec] } as RoleDef).length;
        if (n === 0) problems.push(`${s.file}: roles.${name}.recipients: ${specText(spec)} reaches nobody${selectorHint(db!, spec as Exclude<RecipientSpec, string>)}`);
        return `${specText(spec)}: ${n}`;
      });
      if (total === 0 && !role.recipients.length && role.channels?.length) {
        info.push(`--  role ${name}: no address, ${role.channels.length} channel(s)`);
      } else if (total === 0) {
        problems.push(`${s.file}: roles.${name}: reaches no address${role.except?.length ? ' (its "except" list removes every recipient)' : ''}; add an address or a selector that matches people`);
      } else {
        info.push(`--  role ${name}: ${total} address(es)${per.length ? ` (${per.join(', ')})` : ''}`);
      }
    }
  } catch (e) {
    // The store part of check says what is wrong with the file; roles are then not counted.
    info.push(`!!  roles: not counted, the store ${storeFile} cannot be read (${(e as Error).message})`);
  } finally {
    db?.close();
  }
  return { problems, info };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)$/i;

/**
 * The variables the roles' channels name (webhook URLs and HMAC keys are secrets, so schedules.json holds
 * only their names): each must be set, and a URL must be one the channel can be posted to. Names the file,
 * the field and the variable; never prints a value (a URL is the channel's credential).
 */
export function checkChannels(s: SchedulesFile, env: NodeJS.ProcessEnv): CheckOutcome {
  const problems: string[] = [];
  for (const [name, role] of Object.entries(s.roles)) {
    (role.channels ?? []).forEach((c, i) => {
      const at = `${s.file}: roles.${name}.channels[${i}]`;
      const url = env[c.urlEnv];
      const form = c.type === 'teams' ? 'the Teams Workflows webhook URL (https://…)' : c.type === 'slack' ? 'the Slack incoming-webhook URL (https://hooks.slack.com/services/…)' : 'the https:// URL that receives the JSON';
      if (url === undefined || url.trim() === '') {
        problems.push(`${at}.urlEnv: environment variable ${c.urlEnv} is ${url === undefined ? 'not set' : 'empty'}; set it to ${form}`);
      } else {
        let u: URL | null = null;
        try {
          u = /\s/.test(url) ? null : new URL(url);
        } catch {
          u = null;
        }
        if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || !u.hostname) {
          problems.push(`${at}.urlEnv: environment variable ${c.urlEnv} is not a URL (value not shown: it is a secret)${/\s/.test(url) ? '; it contains spaces or line breaks, often left by a paste' : ''}; set it to ${form}`);
        } else if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) {
          problems.push(`${at}.urlEnv: environment variable ${c.urlEnv} is an http:// URL: the secret in it would cross the network in clear; use https:// (http only to this machine)`);
        } else if (u.username || u.password) {
          problems.push(`${at}.urlEnv: environment variable ${c.urlEnv} holds a user name or password in the URL, which the channel does not take; set it to ${form}`);
        }
      }
      if (c.type === 'webhook') {
        const key = env[c.secretEnv];
        if (key === undefined || key === '') problems.push(`${at}.secretEnv: environment variable ${c.secretEnv} is ${key === undefined ? 'not set' : 'empty'}; set it to the HMAC-SHA256 key the receiver checks X-Psa-Signature with (at least 16 characters)`);
        else if (key.length < 16) problems.push(`${at}.secretEnv: environment variable ${c.secretEnv} is shorter than 16 characters, too short for an HMAC key; use a random key (openssl rand -hex 32)`);
      }
    });
  }
  return { problems, info: [] };
}

/** The address inside `Name <addr>` or a bare address. */
function addressOf(from: string): string {
  return (/<([^>]*)>/.exec(from)?.[1] ?? from).trim();
}

/**
 * SMTP_URL syntax and a sender a real server accepts. Never prints the URL itself: it carries the
 * password, and a malformed one cannot be redacted reliably.
 */
export function checkMail(cfg: Config, env: NodeJS.ProcessEnv): CheckOutcome {
  const problems: string[] = [];
  const url = cfg.smtpUrl;
  if (!url) return { problems, info: [] };
  const form = 'write smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465 (TLS); escape @ : / in the user or password as %40 %3A %2F';
  let host: string | null = null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    problems.push(`environment: SMTP_URL: not a URL; ${form}`);
  }
  if (parsed) {
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') problems.push(`environment: SMTP_URL: scheme "${parsed.protocol.replace(/:$/, '')}" is not smtp or smtps; ${form}`);
    else if (!parsed.hostname) problems.push(`environment: SMTP_URL: no host name; ${form}`);
    else host = parsed.hostname;
  }
  if (host && !LOOPBACK.test(host)) {
    const addr = addressOf(cfg.mailFrom);
    const domain = addr.includes('@') ? addr.slice(addr.lastIndexOf('@') + 1).toLowerCase() : '';
    if (domain && (domain === 'localhost' || domain.endsWith('.localhost') || !domain.includes('.'))) {
      problems.push(`environment: MAIL_FROM: "${addr}" ${env.MAIL_FROM ? '' : '(the default, MAIL_FROM is not set) '}is not on a real domain, and the server ${host} will refuse or spam-file it; set MAIL_FROM="psa-reports <reports@yourmsp.example>" with your domain`);
    }
  }
  return { problems, info: [] };
}

/** The report groups whose files name a store table, by table (from the SQL and TypeScript of each report). */
export function groupsByTable(reportsRoot: string, tables: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(tables.map((t) => [t, []]));
  for (const g of fs.readdirSync(reportsRoot, { withFileTypes: true })) {
    if (!g.isDirectory()) continue;
    const dir = path.join(reportsRoot, g.name);
    const text = fs.readdirSync(dir).filter((f) => /\.(sql|ts|js)$/.test(f)).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    for (const t of tables) if (new RegExp(`\\b${t}\\b`).test(text)) out.get(t)!.push(g.name);
  }
  return out;
}

/**
 * Schedules in another zone than settings.timezone: their e-mailed numbers are cut in the schedule's zone,
 * `run` cuts in the settings' one, so a number checked by hand differs. Said, not refused: an MSP with
 * offices in two zones may mean it.
 */
export function checkZones(cfg: Config, s: SchedulesFile): CheckOutcome {
  const tz = cfg.settings.timezone;
  const other = [...new Set(s.schedules.filter((x) => x.timezone !== tz).map((x) => x.timezone))];
  if (!other.length) return { problems: [], info: [] };
  const ids = s.schedules.filter((x) => x.timezone !== tz).map((x) => x.id);
  return {
    problems: [],
    info: [`!!  zones: ${ids.join(', ')} run in ${other.join(', ')} but settings.timezone is ${tz}${cfg.configFile ? '' : ' (the default: no --config)'}: psa-reports run computes in ${tz}, so its numbers differ from the e-mailed ones; set settings.timezone to ${other[0]}`],
  };
}

/**
 * Sign-in methods besides passwords (web.oidc, web.proxyAuth): what the settings file cannot say by itself —
 * the client secret is in the environment, and a mapping that lets nobody in is legal but surprising.
 */
export function checkWebAuth(cfg: Config): CheckOutcome {
  const problems: string[] = [];
  const info: string[] = [];
  const file = cfg.configFile ?? '(defaults)';
  const { oidc, proxy, oidcClientSecret } = cfg.webAuth;
  if (oidc) {
    if (!oidcClientSecret) problems.push(`environment: PSA_REPORTS_OIDC_CLIENT_SECRET: not set, but ${file}: web.oidc is; set it to the client secret of the app registration (Certificates & secrets), or remove web.oidc`);
    const mapped = Object.keys(oidc.roleMap).length;
    if (oidc.defaultRole === 'admin' || oidc.defaultRole === 'manager') info.push(`!!  web.oidc.defaultRole: "${oidc.defaultRole}" for everyone the tenant signs in (every account of ${oidc.issuer}); map app roles in web.oidc.roleMap instead, or use "viewer"`);
    info.push(`--  web sign-in: Microsoft Entra ID, issuer ${oidc.issuer}, client ${oidc.clientId}, redirect URI ${oidc.redirectUri}; ${mapped} app role(s) mapped from the "${oidc.rolesClaim}" claim, others: ${oidc.defaultRole ?? 'no access unless added with users add'}`);
  }
  if (proxy) {
    info.push(`--  web sign-in: the ${proxy.header} header, believed only from ${proxy.trustedProxies.join(', ')}; users not in the store: ${proxy.defaultRole ?? 'no access'}`);
  }
  return { problems, info };
}
