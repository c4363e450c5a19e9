import path from 'node:path';
import { AppError } from '../errors.js';
import { restoreStore } from '../store/backup.js';
import type { Command } from './types.js';

const command: Command = {
  name: 'restore',
  summary: 'replace the store with a backup (refused while a daemon uses it; the replaced store is kept)',
  usage: '<file>',
  description: `
Replaces the store (--db, env PSA_REPORTS_DB, default ./psa-reports.db) with the backup <file>, after
checking that <file> is an intact psa-reports store. Refused while a daemon holds the store: stop it first
(systemctl stop psa-reports). The store it replaces is first copied to <store>.before-restore-<time>.
A backup from an older version is upgraded (migrations) when the restored store is opened.

After a restore, start the daemon again: the next sync brings the data up to date, and the delivery
ledger in the backup decides what counts as sent.

Example:
  systemctl stop psa-reports && psa-reports restore /var/backups/psa-reports/2026-03-01.db && systemctl start psa-reports`,
  options: [],
  async run(args, { io, loadConfig, clock }) {
    const source = args.positionals[0];
    if (!source || args.positionals.length > 1) throw new AppError('give one backup file: psa-reports restore <file>', 'USAGE');
    const cfg = loadConfig();
    const r = await restoreStore(cfg.db, path.resolve(io.cwd, source), clock);
    if (r.previous) io.out(`kept the replaced store as ${r.previous}`);
    io.out(`restored ${path.resolve(io.cwd, source)} to ${r.file} (${(r.bytes / 1_048_576).toFixed(1)} MB)`);
    return 0;
  },
};
export default command;
