import { openStore } from '../app.js';
import { Ledger, type DeliveryRow, type RunRow } from '../store/ledger.js';
import { AppError } from '../errors.js';
import type { Command } from './types.js';

function when(t: number | null): string {
  return t === null ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function runLine(r: RunRow, ds: DeliveryRow[]): string[] {
  const sent = ds.filter((d) => d.state === 'sent').length;
  const head = `${r.state.toUpperCase().padEnd(8)} ${r.schedule_id}  due ${when(r.due_at)}  (${r.kind} run ${r.id}, attempt ${r.attempt})  ${sent}/${ds.length} delivered`;
  const out = [head];
  if (r.reason) out.push(`         reason${r.failed_phase ? ` (phase ${r.failed_phase})` : ''}: ${r.reason}`);
  for (const n of r.notes ? r.notes.split('\n') : []) out.push(`         note: ${n}`);
  if (r.notice_state) out.push(`         owner notice to ${r.notice_to}: ${r.notice_state}${r.notice_error ? ` — ${r.notice_error}` : ''}`);
  for (const d of ds) {
    if (d.state === 'sent' && !d.in_doubt) continue;
    out.push(`         ${d.recipient}: ${d.state}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}${d.state === 'in_doubt' ? ` (may have been delivered; not re-sent: Message-ID ${d.message_id})` : d.in_doubt ? ' (re-sent after a crash; same Message-ID)' : ''}${d.last_error && d.state !== 'sent' ? ` — ${d.last_error}` : ''}`);
  }
  return out;
}

const command: Command = {
  name: 'history',
  summary: 'recent runs and deliveries, failures first',
  usage: '[--limit N] [--failed] [--json]',
  description: `
Shows the most recent runs of the schedules (by due time) with their deliveries: failed and partial runs
first, with the reason, the phase that failed, whether the owner was told, and each recipient that did not
get the message.

Examples:
  psa-reports history
  psa-reports history --failed --limit 50
  psa-reports history --json | jq '.[0]'`,
  options: [
    { name: 'limit', type: 'string', short: 'n', arg: '<N>', help: 'how many recent runs (default 20)' },
    { name: 'failed', type: 'boolean', help: 'only runs that failed, were partial or skipped' },
    { name: 'json', type: 'boolean', help: 'print JSON: [{run, deliveries}]' },
  ],
  async run(args, { io, loadConfig }) {
    const limit = args.values.limit === undefined ? 20 : Number(args.values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new AppError(`--limit: "${String(args.values.limit)}" is not a whole number of 1 or more`, 'USAGE');
    const cfg = loadConfig();
    const db = openStore(cfg, { mustExist: true });
    try {
      const rows = new Ledger(db).history({ limit, failedOnly: Boolean(args.values.failed) });
      if (args.values.json) {
        io.out(JSON.stringify(rows, null, 2));
        return 0;
      }
      if (!rows.length) {
        io.out(args.values.failed ? 'No failed runs.' : 'No runs yet. Start "psa-reports daemon" or try "psa-reports run <schedule> --send".');
        return 0;
      }
      for (const { run, deliveries } of rows) io.out(runLine(run, deliveries).join('\n'));
      return 0;
    } finally {
      db.close();
    }
  },
};
export default command;
