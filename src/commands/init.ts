import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { SettingsFileSchema } from '../config.js';
import { parseSchedules } from '../delivery/schedules.js';
import type { Command } from './types.js';

/**
 * `psa-reports init`: a starting configuration a new admin edits rather than writes — settings in the
 * machine's (or the given) zone, locale and currency, schedules addressed to the given people, and an
 * example of the secrets file. Existing files are never overwritten without --force.
 */

/** Files init writes, in the order they are listed. */
export const INIT_FILES = ['settings.json', 'schedules.json', 'psa-reports.env.example'] as const;

/** Currency of a locale's region, for the regions MSPs on Autotask are mostly in; otherwise none. */
const REGION_CURRENCY: Record<string, string> = {
  US: 'USD', CA: 'CAD', GB: 'GBP', IE: 'EUR', AU: 'AUD', NZ: 'NZD', ZA: 'ZAR', IN: 'INR', SG: 'SGD',
  DE: 'EUR', FR: 'EUR', NL: 'EUR', BE: 'EUR', AT: 'EUR', ES: 'EUR', IT: 'EUR', PT: 'EUR', FI: 'EUR', LU: 'EUR',
  CH: 'CHF', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', MX: 'MXN', BR: 'BRL', JP: 'JPY',
};

/** The starting choices, each from a flag or the machine. */
export interface InitChoices {
  /** IANA zone (flag, else this machine's). */
  timezone: string;
  /** BCP 47 locale (flag, else this machine's). */
  locale: string;
  /** ISO 4217 code, or null when neither given nor known from the locale's region. */
  currency: string | null;
  /** Owner first, then the other recipients. */
  emails: string[];
  /** Company name for report headers. */
  mspName: string;
}

/** settings.json: every section documented with `$comment`, the choices filled in. */
export function settingsText(c: InitChoices): string {
  const file = {
    $schema: './settings.schema.json',
    $comment: 'psa-reports settings. Every field is optional; what is left out takes the default shown in settings.schema.json. Check edits with: psa-reports check --config settings.json',
    settings: {
      $comment: 'KPI settings. timezone: reports are cut into days, weeks and months here, and `run` uses it (schedules name their own zone: keep them the same). Picklist labels (statuses, queues, ticket types) are matched by name, case-insensitively. targets: "group/report.metric": number, e.g. "intake/sla-performance.first_response_met_pct": 95 (list them with psa-reports list reports --describe).',
      mspName: c.mspName,
      timezone: c.timezone,
      locale: c.locale,
      ...(c.currency ? { currency: c.currency } : {}),
      businessHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' },
      completeStatuses: ['Complete'],
      targetUtilization: 0.8,
      targets: {},
    },
    autotask: {
      $comment: 'Credentials are never here: they come from the environment (see psa-reports.env.example). budgetShare: the share of Autotask\'s 10,000-request hour this program may use, so other integrations keep working.',
      budgetShare: 0.5,
    },
    render: {
      $comment: 'PDFs are printed by Chromium (apt-get install chromium). paper: A4 or Letter.',
      paper: /-(US|CA|MX)$/.test(c.locale) ? 'Letter' : 'A4',
    },
    paths: {
      $comment: 'Where reports are archived (output) and where messages go when SMTP_URL is not set (outbox).',
      output: 'out',
      outbox: 'out/outbox',
    },
  };
  // Written only if the loader takes it back: init must never produce a file check rejects.
  SettingsFileSchema.parse(file);
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** schedules.json: the owner and the given people receive a Monday service bundle and a monthly review. */
export function schedulesText(c: InitChoices): string {
  const file = {
    $schema: './schedules.schema.json',
    $comment: 'Who receives which reports, when. cron has 5 fields (minute hour day month weekday) read in the schedule\'s timezone. Roles list addresses or {"autotask": {"role": "Service Manager"}} selectors resolved from the synced resources. Subject placeholders: {period} {date} {schedule} {name}. Try a schedule with: psa-reports run <id> --dry-run',
    owner: c.emails[0]!,
    roles: {
      managers: { description: 'People who receive the service KPIs', recipients: c.emails },
    },
    schedules: [
      {
        id: 'service-kpis-weekly',
        description: 'Monday-morning service KPIs for the previous week',
        cron: '0 7 * * mon',
        timezone: c.timezone,
        reports: ['intake', 'profitability', 'tech-performance'],
        format: 'pdf',
        roles: ['managers'],
        subject: 'Service KPIs {period}',
        catchUp: 'latest',
        freshness: '2h',
        deadline: '20m',
      },
      {
        id: 'accounting-monthly',
        description: 'Contracts and unposted time on the first working morning of the month',
        cron: '0 8 1 * *',
        timezone: c.timezone,
        reports: ['accounting'],
        format: 'pdf',
        roles: ['managers'],
        subject: 'Accounting {period}',
        catchUp: 'latest',
        freshness: '2h',
        deadline: '20m',
      },
    ],
  };
  parseSchedules(file, 'schedules.json');
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The secrets file example: every variable the program reads from the environment. */
export function envExampleText(c: InitChoices): string {
  return `# psa-reports secrets. Copy to psa-reports.env, fill in, and keep it private:
#   cp psa-reports.env.example psa-reports.env && chmod 600 psa-reports.env
# Load it in a shell with:  set -a; . ./psa-reports.env; set +a
# (the systemd unit in deploy/ reads it with EnvironmentFile=). Never commit the filled-in copy.

# Autotask API-only user (Admin > Resources/Users > API user) and its integration code.
AUTOTASK_USERNAME=api-user@yourmsp.example
AUTOTASK_SECRET=
AUTOTASK_INTEGRATION_CODE=
# Optional: your zone's REST base, which skips zone discovery.
#AUTOTASK_BASE_URL=https://webservices5.autotask.net/ATServicesRest/

# Mail. Without SMTP_URL, messages are written as .eml files to the outbox folder.
# smtp:// (STARTTLS where offered, port 587) or smtps:// (TLS, port 465); escape @ : / in the password as %40 %3A %2F.
#SMTP_URL=smtp://reports%40yourmsp.example:password@smtp.yourmsp.example:587
MAIL_FROM=psa-reports <reports@${c.emails[0]!.split('@')[1]}>

# Where the store lives (default ./psa-reports.db).
#PSA_REPORTS_DB=/var/lib/psa-reports/psa-reports.db
`;
}

function machineZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
function machineLocale(): string {
  const l = Intl.DateTimeFormat().resolvedOptions().locale;
  // POSIX "C" locales resolve to en-US-u-…; keep the language and region only.
  return Intl.getCanonicalLocales(l)[0]?.split('-u-')[0] ?? 'en-US';
}

const EmailSchema = z.email();

const command: Command = {
  name: 'init',
  summary: 'write a starting settings.json, schedules.json and psa-reports.env.example, then say what to do next',
  usage: '--email you@yourmsp.example [--email …] [--dir .] [--timezone Zone] [--locale en-US] [--currency USD] [--force]',
  description: `
Writes three files into --dir (default: the current folder), each documented inside:
  settings.json            KPI settings in your time zone, locale and currency, budget, paper size
  schedules.json           the first --email is the owner (told of failures); every --email receives a
                           Monday service-KPI bundle and a monthly accounting review
  psa-reports.env.example  the environment variables for the secrets (Autotask, SMTP), to copy and fill in

The time zone and locale default to this machine's (set them to where your tenant works: reports are cut
into days and weeks there); the currency to the locale's region when known. Existing files are never
overwritten: init names them and stops, unless --force.

Example:
  psa-reports init --email ops@yourmsp.example --email boss@yourmsp.example --timezone America/Chicago`,
  options: [
    { name: 'dir', type: 'string', arg: '<folder>', help: 'folder to write to (default: current folder)' },
    { name: 'email', type: 'string', multiple: true, arg: '<address>', help: 'a recipient; the first is the owner (required, repeatable)' },
    { name: 'timezone', type: 'string', arg: '<zone>', help: `IANA zone of the tenant (default: this machine's, ${machineZone()})` },
    { name: 'locale', type: 'string', arg: '<tag>', help: `BCP 47 locale for numbers (default: this machine's, ${machineLocale()})` },
    { name: 'currency', type: 'string', arg: '<code>', help: 'ISO 4217 code for money (default: from the locale\'s region)' },
    { name: 'msp-name', type: 'string', arg: '<name>', help: 'your company name for report headers (default "Your MSP")' },
    { name: 'force', type: 'boolean', help: 'overwrite existing files' },
  ],
  async run(args, { io }) {
    if (args.positionals.length) throw new AppError(`unexpected argument "${args.positionals[0]}". Try: psa-reports init --help`, 'USAGE');
    const emails = (args.values.email as string[] | undefined) ?? [];
    if (!emails.length) throw new AppError('--email is required: the address told of failures and the first recipient, e.g. --email ops@yourmsp.example', 'USAGE');
    for (const e of emails) if (!EmailSchema.safeParse(e).success) throw new AppError(`--email: "${e}" is not an e-mail address (such as "ops@yourmsp.example")`, 'USAGE');
    const locale = (args.values.locale as string | undefined) ?? machineLocale();
    const region = /-([A-Z]{2})\b/.exec(locale)?.[1];
    const choices: InitChoices = {
      timezone: (args.values.timezone as string | undefined) ?? machineZone(),
      locale,
      currency: (args.values.currency as string | undefined) ?? (region ? REGION_CURRENCY[region] ?? null : null),
      emails,
      mspName: (args.values['msp-name'] as string | undefined) ?? 'Your MSP',
    };
    let texts: string[];
    try {
      texts = [settingsText(choices), schedulesText(choices), envExampleText(choices)];
    } catch (e) {
      // The flags made a value the settings reject: name it as a flag.
      const issues = e instanceof z.ZodError ? e.issues.map((i) => `--${String(i.path[i.path.length - 1])}: ${i.message}`).join('; ') : (e as Error).message;
      throw new AppError(issues, 'USAGE', { cause: e });
    }
    const dir = path.resolve(io.cwd, (args.values.dir as string | undefined) ?? '.');
    const targets = INIT_FILES.map((f) => path.join(dir, f));
    const existing = targets.filter((t) => fs.existsSync(t));
    if (existing.length && args.values.force !== true) {
      throw new AppError(`not overwriting ${existing.join(', ')}: move ${existing.length > 1 ? 'them' : 'it'} away, choose another --dir, or give --force`, 'USAGE');
    }
    fs.mkdirSync(dir, { recursive: true });
    targets.forEach((t, i) => fs.writeFileSync(t, texts[i]!));
    const rel = (f: string) => path.relative(io.cwd, path.join(dir, f)) || f;
    io.out(`wrote ${targets.join(', ')}`);
    io.out(`time zone ${choices.timezone}, locale ${choices.locale}, currency ${choices.currency ?? '(none: plain numbers; set settings.currency)'}`);
    io.out(`
Next:
  1. cp ${rel('psa-reports.env.example')} ${rel('psa-reports.env')} && chmod 600 ${rel('psa-reports.env')}
     then fill in the Autotask API user, SMTP_URL and MAIL_FROM, and load it: set -a; . ./${rel('psa-reports.env')}; set +a
  2. psa-reports check --config ${rel('settings.json')} --schedules ${rel('schedules.json')} --online
     (validates every key, then logs into SMTP and Autotask and names any permission the API user lacks)
  3. psa-reports sync --config ${rel('settings.json')}           (the first sync loads everything)
  4. psa-reports run service-kpis-weekly --dry-run --config ${rel('settings.json')} --schedules ${rel('schedules.json')}
  5. psa-reports daemon …, or install it as a service: see "Production install" in the README (deploy/)`);
    return 0;
  },
};
export default command;
