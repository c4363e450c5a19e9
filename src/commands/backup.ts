import path from 'node:path';
import { AppError } from '../errors.js';
import { backupStore } from '../store/backup.js';
import type { Command } from './types.js';

const command: Command = {
  name: 'backup',
  summary: 'copy the store to a file with SQLite\'s online backup (safe while the daemon runs)',
  usage: '<file> [--force]',
  description: `
Copies the SQLite store (--db, env PSA_REPORTS_DB, default ./psa-reports.db) to <file> with SQLite's online
backup: a consistent copy even while a sync or the daemon writes. The copy is checked (quick_check) and
only then given its name. An existing <file> is kept unless --force. Restore with psa-reports restore.

The store holds the synced Autotask data and the delivery ledger (which runs and messages were sent): a
restored backup from yesterday re-syncs what changed since, and never re-sends what the ledger recorded.

Examples:
  psa-reports backup /var/backups/psa-reports/$(date +%F).db
  psa-reports backup nightly.db --force`,
  options: [
    { name: 'force', type: 'boolean', help: 'replace <file> if it exists' },
  ],
  async run(args, { io, loadConfig }) {
    const target = args.positionals[0];
    if (!target || args.positionals.length > 1) throw new AppError('give one backup file: psa-reports backup <file>', 'USAGE');
    const cfg = loadConfig();
    const r = await backupStore(cfg.db, path.resolve(io.cwd, target), { force: args.values.force === true });
    io.out(`backed up ${cfg.db} to ${r.file} (${(r.bytes / 1_048_576).toFixed(1)} MB, checked)`);
    return 0;
  },
};
export default command;
