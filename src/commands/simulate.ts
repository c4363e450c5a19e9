import { systemClock, type Clock } from '../types.js';
import type { Command, CommandIO, ParsedArgs } from './types.js';
import { AppError } from '../errors.js';
import { parseInstant } from '../simulator/format.js';
import { startSimulator, type Faults, type Simulator } from '../simulator/server.js';
import { generateTenant } from '../simulator/generator.js';
import type { Scale } from '../simulator/tenant.js';

const SCALES: readonly Scale[] = ['tiny', 'small', 'medium', 'large'];

function num(values: ParsedArgs['values'], name: string, lo: number, hi: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) {
    throw new AppError(`--${name} must be a number from ${lo} to ${hi} (got "${String(raw)}")`, 'USAGE');
  }
  return n;
}

/**
 * Starts the simulator from parsed flags and keeps it running until `signal` aborts. Separate from the
 * command so tests can drive it without process signals.
 */
export async function runSimulate(values: ParsedArgs['values'], io: CommandIO, signal: AbortSignal, onReady?: (sim: Simulator) => void, clock: Clock = systemClock): Promise<number> {
  const scale = (values.scale as string | undefined) ?? 'small';
  if (!SCALES.includes(scale as Scale)) throw new AppError(`--scale must be one of ${SCALES.join(', ')} (got "${scale}")`, 'USAGE');
  const port = num(values, 'port', 0, 65535) ?? 8090;
  const seed = num(values, 'seed', 0, 2 ** 32 - 1) ?? 1;
  let now = clock.now();
  if (typeof values.now === 'string') {
    now = parseInstant(values.now);
    if (Number.isNaN(now)) throw new AppError(`--now must be an ISO date or datetime such as 2026-10-05T14:00:00Z (got "${values.now}")`, 'USAGE');
  }
  const faults: Faults = {};
  const f429 = num(values, 'fault-429', 0, 1);
  const f500 = num(values, 'fault-500', 0, 1);
  const fReset = num(values, 'fault-reset', 0, 1);
  const fMal = num(values, 'fault-malformed', 0, 1);
  if (f429 !== undefined) faults.rate429 = f429;
  if (f500 !== undefined) faults.rate500 = f500;
  if (fReset !== undefined) faults.rateReset = fReset;
  if (fMal !== undefined) faults.rateMalformed = fMal;
  if (Array.isArray(values['fault-only'])) faults.only = values['fault-only'] as string[];
  const retryAfter = num(values, 'retry-after', 0, 3600);
  if (retryAfter !== undefined) faults.retryAfterSeconds = retryAfter;
  const latencyMs = num(values, 'latency-ms', 0, 60_000) ?? 0;
  const hourlyLimit = num(values, 'hourly-limit', 1, 10_000_000);
  const threadLimit = num(values, 'thread-limit', 1, 1000);
  const advanceEvery = num(values, 'advance-every', 0, 86_400) ?? 0;

  io.err(`Generating a ${scale} demo tenant (seed ${seed}, now ${new Date(now).toISOString()})…`);
  let lastPhase = '';
  let lastPct = -1;
  const started = performance.now();
  const tenant = generateTenant({
    seed, scale: scale as Scale, now,
    onProgress: (phase, done) => {
      const pct = Math.floor(done * 10) * 10;
      if (phase === lastPhase && pct === lastPct) return;
      if (phase !== lastPhase || io.isTTY) io.err(`  ${phase}${done > 0 && done < 1 ? ` ${pct}%` : ''}`);
      lastPhase = phase;
      lastPct = pct;
    },
  });
  const sizes = ['Tickets', 'TimeEntries', 'Companies', 'Opportunities'].map((e) => `${tenant.table(e).size} ${e}`).join(', ');
  io.err(`Generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${sizes}.`);

  const secretFromEnv = io.env.PSA_SIM_SECRET;
  let sim: Simulator;
  try {
    sim = await startSimulator({
      port, tenant, seed, faults,
      latency: { baseMs: latencyMs, thresholdLatency: values['threshold-latency'] === true },
      ...(hourlyLimit !== undefined ? { hourlyLimit } : {}),
      ...(threadLimit !== undefined ? { threadLimit } : {}),
      ...(secretFromEnv ? { credentials: { secret: secretFromEnv } } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new AppError(`port ${port} is in use; pick another with --port N (0 = any free port)`, 'USAGE', { cause: e });
    throw e;
  }
  io.out(`Autotask simulator listening on ${sim.baseUrl}`);
  io.out('');
  io.out('Point psa-reports at it (in another shell):');
  io.out(`  export AUTOTASK_BASE_URL=${sim.baseUrl}`);
  io.out(`  export AUTOTASK_ZONE_URL=${sim.zoneUrl}`);
  io.out(`  export AUTOTASK_USERNAME=${sim.credentials.username}`);
  io.out(`  export AUTOTASK_INTEGRATION_CODE=${sim.credentials.integrationCode}`);
  // The secret itself is never printed: the note says where it comes from.
  io.out(secretFromEnv
    ? '  # and AUTOTASK_SECRET: the value of PSA_SIM_SECRET this simulator was started with'
    : '  # and AUTOTASK_SECRET: the built-in demo secret (see psa-reports simulate --help; PSA_SIM_SECRET sets another)');
  io.out('');
  io.out(advanceEvery > 0 ? `The clock advances every ${advanceEvery} s; Ctrl+C stops.` : 'The clock stands still (use --advance-every N to let the service desk work); Ctrl+C stops.');
  onReady?.(sim);

  let timer: NodeJS.Timeout | undefined;
  if (advanceEvery > 0) {
    timer = setInterval(() => {
      const s = sim.advance(advanceEvery * 1000);
      const changed = s.tickets.created.length + s.tickets.completed.length + s.tickets.reopened.length + s.tickets.deleted.length
        + s.tickets.updated.length + s.tickets.escalated.length + s.timeEntries.created.length;
      if (changed === 0) return;
      io.err(`advanced to ${new Date(s.to).toISOString()}: ${s.tickets.created.length} new tickets, ${s.tickets.completed.length} completed, ${s.tickets.reopened.length} reopened, ${s.tickets.deleted.length} deleted, ${s.timeEntries.created.length} new time entries`);
    }, advanceEvery * 1000);
  }
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  if (timer) clearInterval(timer);
  const st = sim.stats();
  await sim.close();
  io.err(`Simulator stopped after ${st.requests} requests (${st.rejected429} answered 429).`);
  return 0;
}

const command: Command = {
  name: 'simulate',
  summary: 'serve a seeded Autotask-compatible REST API on 127.0.0.1 (for trials and tests)',
  usage: '[--port N] [--seed S] [--scale tiny|small|medium|large] [--now ISO] [--latency-ms N] [--fault-429 R] …',
  description: `
Generates a believable demo MSP (companies, contracts, endpoints, technicians, ~13 months of tickets with
SLAs, time entries, billing items, projects, opportunities…) from a seed and serves it over the same REST
API as Autotask: zone discovery, the three auth headers, query/count/next paging with 500-row pages,
entityInformation/fields picklists, the 3-thread limit per endpoint and the 10,000-requests-per-hour
threshold. Same seed and --now give the same data.

It prints the environment lines that point psa-reports at it, then runs until Ctrl+C (SIGINT/SIGTERM).
Only 127.0.0.1 is bound. The API user is demo@example.com with integration code
PSAREPORTSDEMO0000000000000 and the public demo secret "demo-secret"; start with PSA_SIM_SECRET=<value>
in the environment to require another secret.

Scales: tiny (~300 tickets), small (~1.5k, default), medium (~10k tickets, ~100k time entries),
large (>100k tickets, >1M time entries; generated in a few seconds, ~1 GB of memory).

Fault knobs take a share from 0 to 1 of entity requests: --fault-429, --fault-500, --fault-reset (drop the
connection), --fault-malformed (truncated JSON page); --fault-only Tickets limits them to one entity.

Examples:
  psa-reports simulate --scale small --port 8090
  psa-reports simulate --scale large --now 2026-10-05T12:00:00Z --seed 7
  psa-reports simulate --latency-ms 200 --fault-429 0.05 --fault-only TimeEntries --advance-every 60`,
  options: [
    { name: 'port', type: 'string', arg: '<N>', help: 'TCP port on 127.0.0.1 (default 8090; 0 = any free port)' },
    { name: 'seed', type: 'string', arg: '<S>', help: 'generator seed, an integer (default 1)' },
    { name: 'scale', type: 'string', arg: '<size>', help: 'tiny | small | medium | large (default small)' },
    { name: 'now', type: 'string', arg: '<ISO>', help: 'the tenant\'s "now": history ends here (default: the real now)' },
    { name: 'latency-ms', type: 'string', arg: '<N>', help: 'added latency per request in ms (default 0)' },
    { name: 'threshold-latency', type: 'boolean', help: 'add Autotask\'s +0.5 s / +1 s above 50 % / 75 % of the hourly limit' },
    { name: 'hourly-limit', type: 'string', arg: '<N>', help: 'requests per rolling hour before 429 (default 10000)' },
    { name: 'thread-limit', type: 'string', arg: '<N>', help: 'concurrent requests per endpoint before 429 (default 3)' },
    { name: 'fault-429', type: 'string', arg: '<0..1>', help: 'share of entity requests answered 429 (default 0)' },
    { name: 'fault-500', type: 'string', arg: '<0..1>', help: 'share answered 500 (default 0)' },
    { name: 'fault-reset', type: 'string', arg: '<0..1>', help: 'share whose connection is dropped (default 0)' },
    { name: 'fault-malformed', type: 'string', arg: '<0..1>', help: 'share answered with truncated JSON (default 0)' },
    { name: 'fault-only', type: 'string', multiple: true, arg: '<Entity>', help: 'apply faults only to this entity (repeatable)' },
    { name: 'retry-after', type: 'string', arg: '<s>', help: 'send Retry-After on injected 429s (default: none, like Autotask)' },
    { name: 'advance-every', type: 'string', arg: '<s>', help: 'every s seconds, advance the clock by s seconds: tickets change, complete, reopen (default 0 = off)' },
  ],
  async run(args, { io, clock }) {
    if (args.positionals.length > 0) throw new AppError(`unexpected argument "${args.positionals[0]}". Try: psa-reports simulate --help`, 'USAGE');
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await runSimulate(args.values, io, ac.signal, undefined, clock);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
export default command;
