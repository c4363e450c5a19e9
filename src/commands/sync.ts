import type { Command } from './types.js';
import { AppError } from '../errors.js';
import { syncStore } from '../app.js';
import { Events } from '../events.js';
import { createLogger } from '../log.js';
import { resolveEntities } from '../sync/index.js';
import { syncExitCode, type RunSyncOptions } from '../sync/run.js';

const command: Command = {
  name: 'sync',
  summary: 'bring the local SQLite store up to date with Autotask (incremental; --full re-reads everything)',
  usage: '[--full] [--entities Tickets,TimeEntries]',
  description: `
Reads Autotask through its REST API into the SQLite store: picklists, every catalogue entity, deletions
(DeletedTicketLogs and the activity logs) and ticket/opportunity state history. The first sync loads
everything by id; later ones read what changed since the last one (with an overlap window). A sync that
is interrupted resumes where it stopped. Records Autotask deletes without a log (appointments, service
calls, contracts…) are found by reading ids only: on every sync for tables of up to 5,000 rows, daily for
larger ones; --full removes them at once. Entities no report needs that this tenant does not serve (or
the API user may not read) are skipped with a note.

Credentials come from the environment only: AUTOTASK_USERNAME, AUTOTASK_SECRET,
AUTOTASK_INTEGRATION_CODE; AUTOTASK_BASE_URL skips zone discovery, AUTOTASK_ZONE_URL changes where the
zone is looked up. The program keeps under its share of Autotask's 10,000-request hour (settings
autotask.budgetShare), counted in the store for every process on it (daemon and manual syncs together),
and leaves the hour's last 5 % to other integrations (ThresholdInformation). When the share is spent it
waits, saying until when; a wait longer than autotask.budgetMaxWaitMinutes stops the sync with a note
(psa-reports check shows the share used). It never has more than 3 requests in flight per entity.

It first says where it connects (the host, never a secret) and signs in with one request: a wrong secret or
an unreachable host stops it there with one message (3 attempts for a connection, none repeated per
entity). Without a terminal it prints a line per entity as each finishes, and every 10 s for a long one; the
closing total is the sum of the entity lines, the deleted-row checks and the sign-in/budget requests.

Limits (settings autotask): one request waits at most requestTimeoutMs (60 s), reads at most
maxResponseMB (50), honours Retry-After up to maxRetryAfterSeconds (120); the whole sync stops after
syncDeadlineMinutes (120) and what is unfinished resumes next time. The credentials go only to the REST
base: redirects and next-page links to another host are refused and fail that entity. Records that do
not fit the entity's field types are left out and named in a note.

Exit codes: 0 all entities synced; 1 some failed (listed with the reason); 2 bad credentials or settings.

Examples:
  psa-reports sync
  psa-reports sync --entities Tickets,TimeEntries
  psa-reports sync --full`,
  options: [
    { name: 'full', type: 'boolean', help: 're-read every entity completely and remove local rows Autotask no longer has' },
    { name: 'entities', type: 'string', arg: '<A,B>', help: 'comma-separated entity names (default: all; see psa-reports list entities)' },
  ],
  async run(args, { io, loadConfig, clock, log }) {
    if (args.positionals.length) throw new AppError(`unexpected argument "${args.positionals[0]}". Try: psa-reports sync --help`, 'USAGE');
    const entities = typeof args.values.entities === 'string' ? args.values.entities.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    resolveEntities(entities); // usage errors before any network or file work
    const config = loadConfig();
    let logging: Partial<RunSyncOptions> = {};
    if (log?.format) {
      // Every sync and client event as a log line on stderr, instead of the progress display.
      const events = new Events();
      events.onAny(createLogger({ format: log.format, level: log.level, write: (l) => io.err(l), clock }));
      logging = { onEvent: events.forward(), progress: 'none' };
    }
    const summary = await syncStore(config, io, { ...logging, clock, full: args.values.full === true, ...(entities ? { entities } : {}) });
    return syncExitCode(summary);
  },
};
export default command;
