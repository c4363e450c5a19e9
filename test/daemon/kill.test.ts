import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Rng } from '../../src/simulator/prng.js';
import { systemClock } from '../../src/types.js';
import { startSmtp, tempStore, type TestSmtp } from '../delivery/_helpers.js';
import { startReceiver, type Receiver } from '../alerts/_receivers.js';

/**
 * Real processes: the daemon runs as a child process against a real SQLite file and the real SMTP
 * server in this process, and is killed with SIGKILL at random points.
 *
 * The kill points come from a seeded generator: the seed is printed, and named in any failure, so
 * `KILL_SEED=<n> npx vitest run test/daemon/kill.test.ts` replays the same waits before each kill.
 * (Where in a run a wait lands still depends on the machine's speed: the child's clock runs on real time.)
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const buildDir = path.join(root, 'node_modules', '.cache', 'psa-reports-tests');
let childJs = '';
let alertsJs = '';

beforeAll(async () => {
  fs.mkdirSync(buildDir, { recursive: true });
  childJs = path.join(buildDir, `child-daemon-${process.pid}.mjs`);
  // Bundled beside node_modules so better-sqlite3, nodemailer and zod resolve as they do for the product.
  await build({ entryPoints: [path.join(here, 'fixtures/child-daemon.ts')], outfile: childJs, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  alertsJs = path.join(buildDir, `child-alerts-${process.pid}.mjs`);
  await build({ entryPoints: [path.join(here, 'fixtures/child-alerts.ts')], outfile: alertsJs, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
});
afterAll(() => {
  fs.rmSync(childJs, { force: true });
  fs.rmSync(alertsJs, { force: true });
});

let store: ReturnType<typeof tempStore>;
let smtp: TestSmtp;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  store = tempStore();
  smtp = await startSmtp();
});
afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await smtp.close();
  store.cleanup();
});

const RECIPIENTS = ['a@x.test', 'b@x.test', 'c@x.test'];

function schedulesJson(cron: string): string {
  return JSON.stringify({
    owner: 'owner@x.test',
    roles: { team: { recipients: RECIPIENTS } },
    schedules: [{ id: 'minutely', cron, timezone: 'UTC', reports: ['intake'], format: 'html', roles: ['team'], subject: 'Run {date}', catchUp: 'all-within:1h', freshness: '2h', deadline: '10m' }],
  });
}

interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves when the child logged an event whose JSON satisfies pred. */
  when(pred: (e: Record<string, unknown>) => boolean): Promise<void>;
}

function spawnChild(env: Record<string, string>, script = childJs): Child {
  const proc = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(proc);
  const listeners = new Set<(e: Record<string, unknown>) => void>();
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        for (const l of listeners) l(e);
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => {
    children.delete(proc);
    resolve(code);
  }));
  return {
    proc,
    exited,
    when: (pred) => new Promise((resolve) => {
      const l = (e: Record<string, unknown>) => {
        if (pred(e)) {
          listeners.delete(l);
          resolve();
        }
      };
      listeners.add(l);
    }),
  };
}

/** The seed of this run's kill points: `KILL_SEED` when set (a replay), else a fresh one. */
function killSeed(): number {
  const given = process.env.KILL_SEED;
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 32);
  const n = Number(given);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new Error(`KILL_SEED must be an integer from 0 to ${2 ** 32 - 1}; got "${given}"`);
  return n;
}

/** Runs `body`; a failure names the seed and the command that replays it. */
async function withSeed(seed: number, body: (seed: number) => Promise<void>): Promise<void> {
  const replay = `KILL_SEED=${seed} npx vitest run test/daemon/kill.test.ts`;
  console.log(`kill points: seed ${seed} (replay: ${replay})`);
  try {
    await body(seed);
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message}\n[kill points from seed ${seed}; replay: ${replay}]`;
    throw e;
  }
}

/** Messages received per (run, recipient), from the X-PSA-Reports-Run header. */
function copies(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of smtp.received) {
    const run = /^X-PSA-Reports-Run:\s*(\S+)$/im.exec(m.raw)?.[1];
    if (!run) continue;
    const key = `${run} ${m.to[0]}`;
    out.set(key, [...(out.get(key) ?? []), m.messageId]);
  }
  return out;
}

function sentRuns(): number {
  const db = store.db;
  return (db.prepare(`SELECT count(*) AS n FROM runs WHERE state = 'sent'`).get() as { n: number }).n;
}

describe('daemon killed with SIGKILL at random points', () => {
  it('20 runs, 20 kills, restarts: every recipient gets exactly one copy of every run', () => withSeed(killSeed(), async (seed) => {
    const rng = new Rng(seed);
    const realStart = performance.now();
    const env = {
      DB_FILE: store.file,
      SMTP_URL: smtp.url,
      FAKE_T0: String(Date.parse('2026-03-02T09:59:50Z')),
      FAKE_REAL0: String(systemClock.now()),
      FAKE_SPEED: '120', // one fake minute every 0.5 s
      SCHEDULES_JSON: schedulesJson('0-19 10 * * *'),
    };
    // The daemon has known this schedule since T0 (a first start only fires what is due right now).
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('minutely', ?, ?)`).run(Number(env.FAKE_T0), Number(env.FAKE_T0));
    let kills = 0;
    const killedDuring: string[] = [];
    while (kills < 20) {
      const child = spawnChild(env);
      let phase = 'start';
      child.when((e) => {
        if (typeof e.event === 'string') phase = e.event === 'run:phase' ? String(e.phase) : e.event;
        return false;
      });
      // A random point after start-up: before the first check, mid-run, mid-delivery, between runs.
      await child.when((e) => e.event === 'child:started');
      await new Promise((r) => setTimeout(r, rng.float(0, 400)));
      child.proc.kill('SIGKILL');
      await child.exited;
      kills++;
      killedDuring.push(phase);
    }
    // Last start: runs to completion, then a graceful stop.
    const last = spawnChild(env);
    // Signal handlers are installed before "child:started": a SIGTERM earlier than that would kill it outright.
    const lastStarted = last.when((e) => e.event === 'child:started');
    const lastLog: string[] = [];
    void last.when((e) => {
      lastLog.push(JSON.stringify(e));
      return false;
    });
    let giveUp: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      giveUp = setTimeout(() => reject(new Error(`not finished: ${JSON.stringify(store.db.prepare('SELECT id, due_at, state, owner, pid, attempt, phase, reason FROM runs').all())} cursor ${JSON.stringify(store.db.prepare('SELECT * FROM schedule_cursors').all())}\nlast child log:\n${lastLog.slice(-30).join('\n')}`)), 60_000);
    });
    await Promise.race([stuck, new Promise<void>((resolve) => {
      const check = () => {
        if (sentRuns() === 20) resolve();
      };
      check();
      void last.when((e) => {
        if (e.event === 'run:finished') check();
        return sentRuns() === 20;
      }).then(resolve);
    })]);
    clearTimeout(giveUp);
    await lastStarted;
    last.proc.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const runs = store.db.prepare(`SELECT id, due_at, state, attempt FROM runs ORDER BY due_at`).all() as { id: number; due_at: number; state: string; attempt: number }[];
    expect(runs.map((r) => new Date(r.due_at).toISOString().slice(11, 16))).toEqual(Array.from({ length: 20 }, (_, i) => `10:${String(i).padStart(2, '0')}`));
    expect(runs.every((r) => r.state === 'sent')).toBe(true);
    const deliveries = store.db.prepare(`SELECT run_id, recipient, state, message_id, in_doubt FROM deliveries`).all() as { run_id: number; recipient: string; state: string; message_id: string; in_doubt: number }[];
    expect(deliveries).toHaveLength(60);
    const got = copies();
    let inDoubtDuplicates = 0;
    for (const d of deliveries) {
      expect(d.state).toBe('sent');
      const ids = got.get(`minutely/${d.run_id} ${d.recipient}`) ?? [];
      // Every copy a recipient has of a run carries the delivery's one Message-ID.
      expect(new Set(ids)).toEqual(new Set([d.message_id]));
      if (d.in_doubt) {
        // Killed between the server's 250 and the ledger write: re-sent with the same Message-ID (mail
        // clients collapse it). Only these may show a second copy, and never a third.
        expect(ids.length).toBeLessThanOrEqual(2);
        inDoubtDuplicates += ids.length - 1;
      } else {
        expect(ids).toHaveLength(1);
      }
    }
    expect(smtp.received.length).toBe(60 + inDoubtDuplicates);
    expect(store.db.prepare(`SELECT count(*) AS n FROM daemon_lock`).get()).toEqual({ n: 0 });
    // The kills did land inside runs, not only between them.
    expect(killedDuring.some((p) => ['sync', 'compute', 'render', 'deliver', 'mail:sent', 'run:claimed', 'report:rendered'].includes(p))).toBe(true);
    console.log(`kills by phase: ${JSON.stringify(killedDuring)}; in-doubt re-sends: ${inDoubtDuplicates}; ${((performance.now() - realStart) / 1000).toFixed(1)} s; seed ${seed}`);
  }), 180_000);

  it('two daemon processes without the lock on one database: one run row and one copy per recipient', async () => {
    const env = {
      DB_FILE: store.file,
      SMTP_URL: smtp.url,
      FAKE_T0: String(Date.parse('2026-03-02T09:59:55Z')),
      FAKE_REAL0: String(systemClock.now()),
      FAKE_SPEED: '60',
      SCHEDULES_JSON: schedulesJson('0-4 10 * * *'),
      SINGLE: '0',
    };
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('minutely', ?, ?)`).run(Number(env.FAKE_T0), Number(env.FAKE_T0));
    const a = spawnChild(env);
    const b = spawnChild(env);
    const started = Promise.all([a.when((e) => e.event === 'child:started'), b.when((e) => e.event === 'child:started')]);
    await smtp.waitFor(15);
    await new Promise<void>((resolve) => {
      if (sentRuns() === 5) return resolve();
      const done = (e: Record<string, unknown>) => e.event === 'run:finished' && sentRuns() === 5;
      void Promise.race([a.when(done), b.when(done)]).then(resolve);
    });
    await started;
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    expect(store.db.prepare(`SELECT count(*) AS n FROM runs`).get()).toEqual({ n: 5 });
    const got = copies();
    expect(got.size).toBe(15);
    for (const ids of got.values()) expect(ids).toHaveLength(1);
    expect(smtp.received).toHaveLength(15);
  }, 60_000);
});

describe('daemon killed with SIGKILL at random points during alert delivery', () => {
  let teams: Receiver;
  let slack: Receiver;
  beforeEach(async () => {
    teams = await startReceiver();
    slack = await startReceiver('/services/T000/B000/SLACKSECRET');
    // Slow enough that kills land between a post leaving and its answer, and between a 250 and the ledger write.
    teams.delayMs = 15;
    slack.delayMs = 15;
    smtp.delay = () => 15;
  });
  afterEach(async () => {
    await teams.close();
    await slack.close();
  });

  it('15 kills, restarts: every recipient (e-mail, Teams, Slack) has exactly one message per state change', () => withSeed(killSeed(), async (seed) => {
    const rng = new Rng(seed);
    const T0 = Date.parse('2026-03-02T09:59:50Z');
    // Long enough that the kills land while the metric still flips (each start takes a moment of real time).
    const END = T0 + 50 * 60_000;
    const env = {
      DB_FILE: store.file,
      SMTP_URL: smtp.url,
      TEAMS_URL: teams.url,
      SLACK_URL: slack.url,
      FAKE_T0: String(T0),
      FAKE_REAL0: String(systemClock.now()),
      FAKE_SPEED: '120', // one fake minute every 0.5 s: the metric flips every second of real time
      BREACH_UNTIL: String(END),
      POLL_MS: '30000',
      SCHEDULES_JSON: JSON.stringify({
        owner: 'owner@x.test',
        roles: { desk: { recipients: ['a@x.test', 'b@x.test'], channels: [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }, { type: 'slack', urlEnv: 'SLACK_DESK_URL' }] } },
        schedules: [],
        alerts: [{ id: 'backlog-high', report: 'intake/backlog', metric: 'open_tickets', above: 100, for: 1, roles: ['desk'] }],
      }),
    };
    const killedDuring: string[] = [];
    for (let kills = 0; kills < 15; kills++) {
      const child = spawnChild(env, alertsJs);
      let phase = 'start';
      void child.when((e) => {
        if (typeof e.event === 'string') phase = e.event;
        return false;
      });
      await child.when((e) => e.event === 'child:started');
      await new Promise((r) => setTimeout(r, rng.float(0, 600)));
      child.proc.kill('SIGKILL');
      await child.exited;
      killedDuring.push(phase);
    }
    // Last start: runs past the end of the breaching stretches until every notification is out, then stops.
    const last = spawnChild(env, alertsJs);
    await last.when((e) => e.event === 'child:started');
    const fakeNow = () => T0 + (systemClock.now() - Number(env.FAKE_REAL0)) * 120;
    const settled = () => {
      const open = (store.db.prepare(`SELECT count(*) AS n FROM alert_notifications WHERE state <> 'sent'`).get() as { n: number }).n;
      const st = store.db.prepare(`SELECT state FROM alert_states WHERE alert_key = 'backlog-high'`).get() as { state: string } | undefined;
      return fakeNow() > END + 60_000 && open === 0 && st?.state === 'ok';
    };
    const deadline = performance.now() + 60_000;
    while (!settled()) {
      if (performance.now() > deadline) throw new Error(`not settled: ${JSON.stringify(store.db.prepare('SELECT alert_key, transition, recipient, state, owner, last_error FROM alert_notifications WHERE state <> \'sent\'').all())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    last.proc.kill('SIGTERM');
    expect(await last.exited).toBe(0);

    const rows = store.db.prepare(`SELECT transition, recipient, state, message_id, in_doubt, attempts FROM alert_notifications ORDER BY id`).all() as { transition: string; recipient: string; state: string; message_id: string; in_doubt: number; attempts: number }[];
    const transitions = [...new Set(rows.map((r) => r.transition))];
    // State changes happened, in order, and each went to all four recipients (the owner was never needed).
    expect(transitions.length).toBeGreaterThanOrEqual(2);
    expect(transitions.every((t, i) => t === `${i % 2 === 0 ? 'firing' : 'resolved'}#${Math.floor(i / 2) + 1}`)).toBe(true);
    expect(rows).toHaveLength(transitions.length * 4);
    const copiesOf = (r: { recipient: string; message_id: string }): number => {
      if (r.recipient === 'teams:TEAMS_DESK_URL') return teams.got.filter((g) => g.headers['x-psa-delivery'] === r.message_id).length;
      if (r.recipient === 'slack:SLACK_DESK_URL') return slack.got.filter((g) => g.headers['x-psa-delivery'] === r.message_id).length;
      return smtp.to(r.recipient).filter((m) => m.messageId === r.message_id).length;
    };
    let inDoubtDuplicates = 0;
    for (const r of rows) {
      expect(r.state).toBe('sent');
      const n = copiesOf(r);
      if (r.in_doubt) {
        // Killed between the channel's acceptance and the ledger write: sent again with the same id (the
        // e-mail's Message-ID, the posts' X-Psa-Delivery). Only these may show a repeat, and never more
        // copies than sends recorded (a second kill inside the repeat's own window makes a third).
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n, `${r.transition} to ${r.recipient}`).toBeLessThanOrEqual(r.attempts);
        inDoubtDuplicates += n - 1;
      } else {
        expect(n, `${r.transition} to ${r.recipient}`).toBe(1);
      }
    }
    // Nothing arrived that the ledger does not account for.
    expect(teams.got.length + slack.got.length + smtp.received.length).toBe(rows.length + inDoubtDuplicates);
    expect(killedDuring.some((p) => p.startsWith('alert:'))).toBe(true);
    console.log(`alert kills by last event: ${JSON.stringify(killedDuring)}; ${transitions.length} state changes; in-doubt re-sends: ${inDoubtDuplicates}; seed ${seed}`);
  }), 180_000);
});
