import path from 'node:path';
import { REPORTS } from '../../reports/index.js';
import { ENTITIES, changeFields } from '../autotask/entities.js';
import { AppError } from '../errors.js';
import { validateReports, type RegisteredReport } from '../reporting/define.js';
import { loadSchedules, type RecipientSpec } from '../delivery/schedules.js';
import type { Command, CommandIO } from './types.js';

const KINDS = ['reports', 'groups', 'entities', 'schedules', 'roles'] as const;
type Kind = (typeof KINDS)[number];

/** Pads columns so each line reads as a table; the last column is left free. */
function table(rows: string[][], indent = ''): string[] {
  const widths: number[] = [];
  for (const r of rows) r.slice(0, -1).forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => indent + r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd());
}

/** The registry; invalid definitions are named on stderr (`psa-reports check` explains them in full). */
function registry(io: CommandIO): RegisteredReport[] {
  const { reports, errors } = validateReports(REPORTS);
  if (errors.length) io.err(`${errors.length} problem(s) in report definitions are not listed; run: psa-reports check`);
  return reports.sort((a, b) => a.id.localeCompare(b.id));
}

function byGroup(reports: RegisteredReport[]): Map<string, RegisteredReport[]> {
  const groups = new Map<string, RegisteredReport[]>();
  for (const r of reports) {
    let g = groups.get(r.group);
    if (!g) { g = []; groups.set(r.group, g); }
    g.push(r);
  }
  return groups;
}

function recipientText(r: RecipientSpec): string {
  if (typeof r === 'string') return r;
  if ('autotask' in r) {
    const parts = Object.entries(r.autotask).map(([k, v]) => `${k}=${String(v)}`);
    return `autotask(${parts.join(', ') || 'every active resource'})`;
  }
  const extra = [r.resourceId !== undefined ? `resource ${r.resourceId}` : '', r.companyId !== undefined ? `company ${r.companyId}` : ''].filter(Boolean);
  return `${r.name ? `${r.name} <${r.address}>` : r.address}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

const command: Command = {
  name: 'list',
  summary: 'list reports, groups, entities, schedules or roles',
  usage: '[reports|groups|entities|schedules|roles]',
  description: `
Prints one line per item:
  reports    every report: id, default window, title (grouped by report group); the default
  groups     report groups with their number of reports (a group name runs all of them)
  entities   the Autotask entities kept in the store: table, sync mode, number of fields
  schedules  the schedules of schedules.json (--schedules): id, cron and zone, format, roles, reports
  roles      the roles of schedules.json and their recipients

Examples:
  psa-reports list
  psa-reports list reports --describe
  psa-reports list schedules --schedules ./schedules.json`,
  options: [{ name: 'describe', type: 'boolean', short: 'd', help: 'with reports: also print each description (how the numbers are defined) and metric names' }],
  async run(args, { io, loadConfig }) {
    if (args.positionals.length > 1) throw new AppError(`list takes one kind, got: ${args.positionals.join(' ')}. Allowed: ${KINDS.join(', ')}`, 'USAGE');
    const kind = (args.positionals[0] ?? 'reports') as Kind;
    if (!KINDS.includes(kind)) throw new AppError(`unknown list "${kind}". Allowed: ${KINDS.join(', ')}`, 'USAGE');
    const lines: string[] = [];
    switch (kind) {
      case 'reports': {
        // One table for all groups, so the columns line up down the whole list.
        const all = registry(io);
        const formatted = table(all.map((r) => [r.id, r.def.window, r.def.title]), '  ');
        let group = '';
        all.forEach((r, i) => {
          if (r.group !== group) {
            if (lines.length) lines.push('');
            lines.push(r.group);
            group = r.group;
          }
          lines.push(formatted[i]!);
          if (args.values.describe) {
            // What it measures and how the specification was read, wrapped for a terminal.
            const words = r.def.description.split(/\s+/);
            let line = '      ';
            for (const w of words) {
              if (line.length + w.length > 100) { lines.push(line.trimEnd()); line = '      '; }
              line += `${w} `;
            }
            lines.push(line.trimEnd(), `      metrics: ${Object.keys(r.def.metrics).join(', ')}`, '');
          }
        });
        break;
      }
      case 'groups': {
        const groups = byGroup(registry(io));
        lines.push(...table([...groups].map(([g, rs]) => [g, `${rs.length} report${rs.length === 1 ? '' : 's'}`, rs.map((r) => r.id.split('/')[1]).join(', ')])));
        break;
      }
      case 'entities': {
        lines.push(...table(ENTITIES.map((e) => [
          e.name, e.table,
          e.deletionLog ? `deletion log (${e.sync.kind === 'incremental' ? e.sync.field : 'full'})` : e.sync.kind === 'incremental' ? `incremental by ${changeFields(e).join(' or ')}` : 'full re-read',
          `${e.fields.length} fields`,
        ])));
        break;
      }
      case 'schedules':
      case 'roles': {
        const cfg = loadConfig();
        const file = loadSchedules(cfg.schedulesFile, { reportIds: registry(io).map((r) => r.id) });
        const rel = path.relative(io.cwd, file.file) || file.file;
        if (kind === 'schedules') {
          if (!file.schedules.length) lines.push(`no schedules in ${rel}`);
          lines.push(...table(file.schedules.map((s) => [
            s.id, `${s.cron} ${s.timezone}`, s.format, `roles: ${s.roles.join(', ')}`,
            `${s.enabled ? '' : '(disabled) '}${s.burst ? `burst by ${s.burst}; ` : ''}${s.window ? `window ${s.window}; ` : ''}reports: ${s.reports.join(', ')}`,
          ])));
        } else {
          const roles = Object.entries(file.roles);
          if (!roles.length) lines.push(`no roles in ${rel}`);
          lines.push(...table(roles.map(([name, r]) => [
            name,
            `${r.recipients.map(recipientText).join(', ')}${r.except?.length ? ` except ${r.except.map(recipientText).join(', ')}` : ''}`,
          ])));
        }
        break;
      }
    }
    io.out(lines.join('\n'));
    return 0;
  },
};
export default command;
