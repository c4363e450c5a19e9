import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { nextRun } from '../../src/delivery/cron.js';
import { cronWakeups, type Wakeups } from '../../src/delivery/wakeups.js';
import { systemClock } from '../../src/types.js';
import { openDb } from '../../src/store/db.js';
import { Ledger, newOwner } from '../../src/store/ledger.js';
import { SmtpMailer } from '../../src/delivery/mailer.js';
import { loadSchedules } from '../../src/delivery/schedules.js';
import { watchFile } from '../../src/files.js';
import { FakeClock, makeDeps, scheduleEntry, schedulesFile, startSmtp, tempStore, type TestSmtp } from '../delivery/_helpers.js';

const H = 3_600_000;
let store: ReturnType<typeof tempStore>;
let smtp: TestSmtp;
const closers: (() => void)[] = [];

beforeEach(async () => {
  store = tempStore();
  smtp = await startSmtp();
});
afterEach(async () => {
  for (const c of closers.splice(0)) c();
  await smtp.close();
  store.cleanup();
});

function mailer(): SmtpMailer {
  const m = new SmtpMailer(smtp.url);
  closers.push(() => m.close());
  return m;
}

/** A second connection to the same database file, as a second daemon process would have. */
function secondDb() {
  const db = openDb(store.file);
  closers.push(() => db.close());
  return db;
}

/** The pid of a process that has certainly exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('two daemons on one database', () => {
  it('without the lock, the ledger alone gives one run row and one delivery per recipient when a fake clock crosses a due time', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:50Z'));
    const file = schedulesFile([scheduleEntry()]);
    const a = new Daemon(makeDeps(store.db, mailer(), clock, file), { schedules: file, singleInstance: false });
    const b = new Daemon(makeDeps(secondDb(), mailer(), clock, file), { schedules: file, singleInstance: false });
    await Promise.all([a.tick(), b.tick()]);
    clock.set('2026-03-02T07:00:05Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    clock.set('2026-03-02T07:00:35Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(store.db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    expect(store.db.prepare('SELECT recipient, state FROM deliveries ORDER BY recipient').all()).toEqual([
      { recipient: 'a@x.test', state: 'sent' }, { recipient: 'b@x.test', state: 'sent' }, { recipient: 'c@x.test', state: 'sent' },
    ]);
    for (const r of ['a@x.test', 'b@x.test', 'c@x.test']) expect(smtp.to(r)).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
  });

  it('with the lock, the second one waits as a standby and takes over when the first stops', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:50Z'));
    const file = schedulesFile([scheduleEntry({ cron: '0 * * * *' })]);
    const depsA = makeDeps(store.db, mailer(), clock, file);
    const depsB = makeDeps(secondDb(), mailer(), clock, file);
    const a = new Daemon(depsA, { schedules: file });
    const b = new Daemon(depsB, { schedules: file });
    const waiting = depsB.events.once('lock:waiting');
    expect((await a.tick()).lockHeld).toBe(true);
    expect((await b.tick()).lockHeld).toBe(false);
    expect((await waiting).heldBy).toBe(depsA.owner.id);
    clock.set('2026-03-02T07:00:05Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.idle(), b.idle()]);
    expect(smtp.received).toHaveLength(3);
    await a.stop('test');
    clock.set('2026-03-02T08:00:05Z');
    expect((await b.tick()).lockHeld).toBe(true);
    await b.idle();
    expect(store.db.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 2 });
    expect(smtp.received).toHaveLength(6);
    await b.stop('test');
  });

  it('a lock left by a crashed process (dead pid, or an old heartbeat) does not block the next start', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:00:00Z'));
    const ledger = new Ledger(store.db);
    const self = newOwner();
    const pid = await deadPid();
    store.db.prepare(`INSERT INTO daemon_lock (name, owner, pid, host, acquired_at, heartbeat_at) VALUES ('daemon', 'ghost', ?, ?, ?, ?)`).run(pid, self.host, clock.now(), clock.now());
    expect(ledger.acquireLock('daemon', self, clock.now(), clock.now() - 90_000)).toEqual({ ok: true });
    // A live holder on another host is trusted until its heartbeat goes stale.
    const other = { id: 'other', pid: process.pid, host: 'elsewhere' };
    store.db.prepare(`UPDATE daemon_lock SET owner = ?, pid = ?, host = ?, heartbeat_at = ?`).run(other.id, other.pid, other.host, clock.now());
    expect(ledger.acquireLock('daemon', self, clock.now(), clock.now() - 90_000)).toMatchObject({ ok: false, heldBy: 'other' });
    clock.advance(91_000);
    expect(ledger.acquireLock('daemon', self, clock.now(), clock.now() - 90_000)).toEqual({ ok: true });
  });
});

describe('catch-up after the daemon was down for 3 periods', () => {
  for (const [policy, expected] of [['skip', []], ['latest', ['12:00']], ['all-within:6h', ['10:00', '11:00', '12:00']], ['all-within:2h', ['11:00', '12:00']]] as const) {
    it(`${policy}: runs ${expected.length ? expected.join(', ') : 'nothing'}`, async () => {
      const clock = new FakeClock(Date.parse('2026-03-02T09:00:00Z'));
      const file = schedulesFile([scheduleEntry({ cron: '0 * * * *', catchUp: policy })]);
      const first = new Daemon(makeDeps(store.db, mailer(), clock, file), { schedules: file });
      await first.tick();
      await first.idle();
      expect(smtp.received).toHaveLength(3); // 09:00 itself
      clock.set('2026-03-02T09:00:30Z');
      await first.tick();
      await first.stop('outage');
      clock.set('2026-03-02T12:20:00Z');
      const second = new Daemon(makeDeps(store.db, mailer(), clock, file), { schedules: file });
      await second.tick();
      await second.idle();
      const runs = store.db.prepare(`SELECT due_at FROM runs ORDER BY due_at`).all() as { due_at: number }[];
      expect(runs.slice(1).map((r) => new Date(r.due_at).toISOString().slice(11, 16))).toEqual([...expected]);
      expect(smtp.received).toHaveLength(3 * (1 + expected.length));
      // Later checks do not bring the dropped ones back.
      clock.set('2026-03-02T12:40:00Z');
      await second.tick();
      await second.idle();
      expect(store.db.prepare(`SELECT count(*) AS n FROM runs`).get()).toEqual({ n: 1 + expected.length });
      await second.stop('test');
    });
  }
});

describe('stale working runs', () => {
  it('a run left working by a killed process is detected on restart and finished; sent deliveries are not re-sent', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:20Z'));
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    const pid = await deadPid();
    // What a process killed with -9 mid-delivery leaves: a working run, a=sent, b=sending (in doubt), c=pending.
    const run = store.db.prepare(`INSERT INTO runs (schedule_id, due_at, kind, state, phase, heartbeat_at, owner, pid, host, attempt, created_at, deadline_at)
      VALUES ('weekly', ?, 'scheduled', 'working', 'deliver', ?, 'dead-owner', ?, ?, 1, ?, ?)`).run(Date.parse('2026-03-02T07:00:00Z'), clock.now(), pid, deps.owner.host, clock.now(), clock.now() + 60_000);
    const runId = Number(run.lastInsertRowid);
    const ins = store.db.prepare(`INSERT INTO deliveries (run_id, recipient, state, message_id, attempts, owner, created_at, sent_at) VALUES (?, ?, ?, ?, ?, 'dead-owner', ?, ?)`);
    ins.run(runId, 'a@x.test', 'sent', '<a@msp.test>', 1, clock.now(), clock.now());
    ins.run(runId, 'b@x.test', 'sending', '<b@msp.test>', 1, clock.now(), null);
    ins.run(runId, 'c@x.test', 'pending', '<c@msp.test>', 0, clock.now(), null);
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('weekly', ?, ?)`).run(clock.now(), clock.now());

    const claimed = deps.events.once('run:claimed');
    const d = new Daemon(deps, { schedules: file });
    await d.tick();
    expect(await claimed).toMatchObject({ runId, recovered: true, attempt: 2 });
    await d.idle();
    expect(store.db.prepare('SELECT state, attempt FROM runs WHERE id = ?').get(runId)).toEqual({ state: 'sent', attempt: 2 });
    expect(smtp.to('a@x.test')).toHaveLength(0);
    expect(smtp.to('b@x.test').map((m) => m.messageId)).toEqual(['<b@msp.test>']);
    expect(smtp.to('c@x.test').map((m) => m.messageId)).toEqual(['<c@msp.test>']);
    expect(store.db.prepare(`SELECT in_doubt FROM deliveries WHERE recipient = 'b@x.test'`).get()).toEqual({ in_doubt: 1 });
    await d.stop('test');
  });

  it('a run whose owner stopped beating (other host) is taken over once its heartbeat is stale, not before', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:20Z'));
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer(), clock, file, { staleMs: 60_000 });
    store.db.prepare(`INSERT INTO runs (schedule_id, due_at, kind, state, phase, heartbeat_at, owner, pid, host, attempt, created_at)
      VALUES ('weekly', ?, 'scheduled', 'working', 'render', ?, 'far-away', 4242, 'other-host', 1, ?)`).run(Date.parse('2026-03-02T07:00:00Z'), clock.now(), clock.now());
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('weekly', ?, ?)`).run(clock.now(), clock.now());
    const d = new Daemon(deps, { schedules: file });
    await d.tick();
    await d.idle();
    expect(smtp.received).toHaveLength(0);
    clock.advance(61_000);
    await d.tick();
    await d.idle();
    expect(smtp.received).toHaveLength(3);
    expect(store.db.prepare('SELECT state FROM runs').get()).toEqual({ state: 'sent' });
    await d.stop('test');
  });

  it('a run abandoned again and again is failed with a reason, the owner is told once, and the schedule keeps firing', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:20Z'));
    const file = schedulesFile([scheduleEntry({ cron: '0 * * * *' })]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    const pid = await deadPid();
    store.db.prepare(`INSERT INTO runs (schedule_id, due_at, kind, state, phase, heartbeat_at, owner, pid, host, attempt, created_at)
      VALUES ('weekly', ?, 'scheduled', 'working', 'render', ?, 'dead', ?, ?, 5, ?)`).run(Date.parse('2026-03-02T07:00:00Z'), clock.now(), pid, deps.owner.host, clock.now());
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('weekly', ?, ?)`).run(clock.now(), clock.now());
    const d = new Daemon(deps, { schedules: file });
    await d.tick();
    await d.idle();
    const row = store.db.prepare('SELECT state, reason, notice_state FROM runs').get() as Record<string, string>;
    expect(row.state).toBe('failed');
    expect(row.reason).toMatch(/gave up after 5 attempts/);
    expect(row.notice_state).toBe('sent');
    expect(smtp.to('owner@x.test')).toHaveLength(1);
    clock.set('2026-03-02T08:00:10Z');
    await d.tick();
    await d.idle();
    expect(smtp.to('a@x.test')).toHaveLength(1);
    await d.stop('test');
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM-style stop hands the current run back and releases the lock; the next start finishes it', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:05Z'));
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    deps.renderer.hang = true;
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('weekly', ?, ?)`).run(clock.now() - 10_000, clock.now());
    const d = new Daemon(deps, { schedules: file, shutdownGraceMs: 50 });
    const rendering = deps.events.once('run:phase', (e) => e.phase === 'render');
    const released = deps.events.once('run:released');
    await d.tick();
    await rendering;
    await d.stop('SIGTERM');
    expect((await released).reason).toMatch(/shutdown during render/);
    expect(store.db.prepare('SELECT state, owner FROM runs').get()).toEqual({ state: 'pending', owner: null });
    expect(store.db.prepare('SELECT count(*) AS n FROM daemon_lock').get()).toEqual({ n: 0 });

    deps.renderer.hang = false;
    const d2 = new Daemon({ ...deps, owner: newOwner() }, { schedules: file });
    await d2.tick();
    await d2.idle();
    expect(store.db.prepare('SELECT state FROM runs').get()).toEqual({ state: 'sent' });
    expect(smtp.received).toHaveLength(3);
    await d2.stop('test');
  });

  it('a stop during an SMTP conversation lets that message finish (recorded sent), hands the rest back, and the next start sends only the rest', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:05Z'));
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    store.db.prepare(`INSERT INTO schedule_cursors VALUES ('weekly', ?, ?)`).run(clock.now() - 10_000, clock.now());
    smtp.delay = (rcpt) => (rcpt === 'a@x.test' ? 300 : 0);
    const inFlight = new Promise<void>((resolve) => {
      smtp.onReceiving = (rcpt) => rcpt === 'a@x.test' && resolve();
    });
    const d = new Daemon(deps, { schedules: file, shutdownGraceMs: 10 });
    await d.tick();
    await inFlight;
    await d.stop('SIGTERM');
    expect(store.db.prepare('SELECT recipient, state FROM deliveries ORDER BY recipient').all()).toEqual([
      { recipient: 'a@x.test', state: 'sent' }, { recipient: 'b@x.test', state: 'pending' }, { recipient: 'c@x.test', state: 'pending' },
    ]);
    expect(store.db.prepare('SELECT state FROM runs').get()).toEqual({ state: 'pending' });
    smtp.delay = () => 0;
    const d2 = new Daemon({ ...deps, owner: newOwner() }, { schedules: file });
    await d2.tick();
    await d2.idle();
    await d2.stop('test');
    for (const r of ['a@x.test', 'b@x.test', 'c@x.test']) expect(smtp.to(r)).toHaveLength(1);
    expect(store.db.prepare(`SELECT count(*) AS n FROM deliveries WHERE in_doubt = 1`).get()).toEqual({ n: 0 });
  });

  it('the loop checks again within tickMs and stops promptly', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:59Z'));
    const file = schedulesFile([scheduleEntry({ cron: '* * * * *' })]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    const d = new Daemon(deps, { schedules: file, tickMs: 20 });
    const ticks: number[] = [];
    deps.events.on('tick', (e) => ticks.push(e.now));
    d.start();
    await deps.events.once('tick');
    clock.set('2026-03-02T07:00:10Z');
    const sent = deps.events.once('run:finished');
    expect((await sent).state).toBe('sent');
    const stopped = deps.events.once('daemon:stopped');
    // Promptly: well inside the 20 s shutdown grace (the test's timeout), as nothing is left to finish.
    await d.stop('SIGINT');
    await stopped;
    // Stopped means no more checks: several tick periods later, none has come.
    const ticksAtStop = ticks.length;
    await new Promise((r) => setTimeout(r, 5 * 20));
    expect(ticks).toHaveLength(ticksAtStop);
    expect(smtp.received).toHaveLength(3);
  }, 10_000);
});

describe('wake-ups', () => {
  it('a wake-up at a schedule\'s minute makes the loop check at once, not at its next periodic check', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:59Z'));
    const file = schedulesFile([scheduleEntry({ cron: '0 7 * * *' })]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    let wake: (() => void) | null = null;
    const watched: string[][] = [];
    const wakeups: Wakeups = { watch(s, w) { watched.push(s.map((x) => x.id)); wake = w; }, stop() { wake = null; } };
    // A periodic check far away (30 s): only the wake-up can bring the run.
    const d = new Daemon(deps, { schedules: file, tickMs: 30_000, wakeups });
    const first = deps.events.once('tick');
    d.start();
    await first;
    expect(watched).toEqual([['weekly']]);
    clock.set('2026-03-02T07:00:00.020Z');
    const finished = deps.events.once('run:finished');
    wake!();
    expect((await finished).state).toBe('sent');
    await d.stop('test');
    expect(wake).toBeNull(); // stopped with the daemon
    expect(smtp.received).toHaveLength(3);
  });

  it('node-cron\'s timers fall on the instants our cron maths gives, in each schedule\'s zone', async () => {
    const cron = await import('node-cron');
    const file = schedulesFile([
      scheduleEntry({ id: 'ny', cron: '0 7 * * mon', timezone: 'America/New_York' }),
      scheduleEntry({ id: 'syd', cron: '30 6 1 * *', timezone: 'Australia/Sydney' }),
      scheduleEntry({ id: 'utc', cron: '*/15 8-17 * * 1-5', timezone: 'UTC' }),
    ]);
    const w = cronWakeups();
    w.watch(file.schedules, () => undefined);
    try {
      const tasks = [...cron.getTasks().values()].filter((t) => t.name?.startsWith('psa-reports:'));
      expect(tasks.map((t) => t.name).sort()).toEqual(['psa-reports:ny', 'psa-reports:syd', 'psa-reports:utc']);
      for (const t of tasks) {
        const s = file.schedules.find((x) => `psa-reports:${x.id}` === t.name)!;
        const now = systemClock.now();
        expect(t.getNextRun()?.getTime()).toBe(nextRun(s, now));
      }
    } finally {
      w.stop();
    }
    expect([...cron.getTasks().values()].filter((t) => t.name?.startsWith('psa-reports:'))).toEqual([]);
  });
});

describe('a late check is not an outage', () => {
  it('skip: a run that fell due while this daemon was busy (event loop blocked 4 min) still fires; a fresh start after the same gap does not', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:30Z'));
    const file = schedulesFile([scheduleEntry({ cron: '0 7 * * *', catchUp: 'skip' })]);
    const deps = makeDeps(store.db, mailer(), clock, file);
    const dropped: unknown[] = [];
    deps.events.on('run:dropped', (e) => dropped.push(e));
    const d = new Daemon(deps, { schedules: file });
    await d.tick();
    clock.set('2026-03-02T07:03:30Z');
    expect((await d.tick()).claimed).toBe(1);
    await d.idle();
    expect(smtp.received).toHaveLength(3);
    await d.stop('test');
    expect(dropped).toEqual([]);

    // Same gap, but the daemon was down: the skip policy drops it and says so.
    clock.set('2026-03-03T06:59:30Z');
    const d2 = new Daemon(deps, { schedules: file });
    await d2.tick();
    await d2.stop('down');
    clock.set('2026-03-03T07:03:30Z');
    const d3 = new Daemon({ ...deps, owner: newOwner() }, { schedules: file });
    expect((await d3.tick()).claimed).toBe(0);
    expect(dropped).toEqual([{ scheduleId: 'weekly', count: 1, policy: 'skip' }]);
    await d3.stop('test');
  });
});

describe('pid reuse', () => {
  it('a lock and a working run left by an earlier process with our pid (container restart) are taken at once; another instance of this process is respected', () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:00Z'));
    const ledger = new Ledger(store.db);
    const self = newOwner();
    const earlier = `${self.host}:${self.pid}:oldproc1:abcdefgh`;
    store.db.prepare(`INSERT INTO daemon_lock (name, owner, pid, host, acquired_at, heartbeat_at) VALUES ('daemon', ?, ?, ?, ?, ?)`).run(earlier, self.pid, self.host, clock.now(), clock.now());
    store.db.prepare(`INSERT INTO runs (schedule_id, due_at, state, owner, pid, host, heartbeat_at, attempt, created_at) VALUES ('weekly', 1, 'working', ?, ?, ?, ?, 1, ?)`).run(earlier, self.pid, self.host, clock.now(), clock.now());
    expect(ledger.runnable(self, clock.now() - 60_000)).toEqual([expect.objectContaining({ ownerGone: true })]);
    expect(ledger.acquireLock('daemon', self, clock.now(), clock.now() - 90_000)).toEqual({ ok: true });
    const sibling = newOwner();
    expect(ledger.acquireLock('daemon', sibling, clock.now(), clock.now() - 90_000)).toMatchObject({ ok: false, heldBy: self.id });
  });
});

describe('a daemon that lost its run', () => {
  it('cannot hand out deliveries once another process took the run over (stale heartbeat)', () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:00Z'));
    const ledger = new Ledger(store.db);
    const slow = newOwner();
    const other = { id: 'other-host:77:tok:inst', pid: 77, host: 'other-host' };
    const { run } = ledger.claimScheduled('weekly', clock.now(), clock.now());
    expect(ledger.startRun(run.id, slow, clock.now(), clock.now() + 600_000, clock.now() - 60_000)).not.toBeNull();
    const [d] = ledger.ensureDeliveries(run.id, [{ recipient: 'a@x.test', messageId: '<a@x>' }, { recipient: 'b@x.test', messageId: '<b@x>' }], clock.now());
    expect(ledger.claimDelivery(d!.id, slow)).toEqual({ claimed: true, inDoubt: false });
    // The slow process stalls past the stale limit; another takes the run over.
    clock.advance(61_000);
    expect(ledger.startRun(run.id, other, clock.now(), clock.now() + 600_000, clock.now() - 60_000)).not.toBeNull();
    expect(ledger.heartbeat(run.id, slow, clock.now())).toBe(false);
    const b = ledger.deliveries(run.id).find((x) => x.recipient === 'b@x.test')!;
    expect(ledger.claimDelivery(b.id, slow)).toEqual({ claimed: false, inDoubt: false });
    expect(ledger.claimDelivery(b.id, other)).toEqual({ claimed: true, inDoubt: false });
    expect(ledger.claimDelivery(d!.id, other)).toEqual({ claimed: true, inDoubt: true });
    expect(ledger.claimDelivery(d!.id, slow)).toEqual({ claimed: false, inDoubt: false });
  });
});

describe('schedules.json edited while the daemon runs', () => {
  it('picks up added, changed and removed schedules at the next check; an invalid edit is reported once and the schedules in use stay', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-reload-'));
    closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'schedules.json');
    let bump = Date.parse('2026-01-01T00:00:00Z') / 1000;
    const write = (schedules: Record<string, unknown>[] | string) => {
      fs.writeFileSync(file, typeof schedules === 'string' ? schedules : JSON.stringify({ owner: 'owner@x.test', roles: { team: { recipients: ['a@x.test', 'b@x.test', 'c@x.test'] } }, schedules }));
      fs.utimesSync(file, ++bump, bump); // distinct mtimes even within one millisecond
    };
    write([scheduleEntry()]);
    const first = loadSchedules(file);
    const clock = new FakeClock(Date.parse('2026-03-02T06:59:50Z'));
    const deps = makeDeps(store.db, mailer(), clock, first);
    let settingsChecks = 0;
    const d = new Daemon(deps, { schedules: first, reload: watchFile(file, () => loadSchedules(file)), reloadSettings: () => { settingsChecks++; } });
    const reloaded: { added: string[]; removed: string[]; changed: string[] }[] = [];
    const invalid: { error: string; kept: string[] }[] = [];
    deps.events.on('schedules:reloaded', (e) => reloaded.push(e));
    deps.events.on('schedules:invalid', (e) => invalid.push(e));
    await d.tick();
    expect(reloaded).toEqual([]);

    // Added: a daily schedule at 07:05; the weekly one is unchanged.
    write([scheduleEntry(), scheduleEntry({ id: 'daily', cron: '5 7 * * *' })]);
    clock.set('2026-03-02T07:00:05Z');
    await d.tick();
    await d.idle();
    expect(reloaded).toEqual([{ file, added: ['daily'], removed: [], changed: [] }]);
    expect(smtp.received).toHaveLength(3); // the weekly run

    // An invalid edit: reported once with the file and the field, the daily schedule still fires.
    write([scheduleEntry(), scheduleEntry({ id: 'daily', cron: '61 7 * * *' })]);
    clock.set('2026-03-02T07:01:00Z');
    await d.tick();
    clock.set('2026-03-02T07:02:00Z');
    await d.tick();
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.error).toContain(file);
    expect(invalid[0]!.error).toMatch(/schedules\[1\]\.cron/);
    expect(invalid[0]!.kept).toEqual(['weekly', 'daily']);
    clock.set('2026-03-02T07:05:05Z');
    await d.tick();
    await d.idle();
    expect(smtp.received).toHaveLength(6);
    expect(d.current.schedules.map((s) => s.id)).toEqual(['weekly', 'daily']);

    // Fixed by removing it and moving the weekly one: no run of "daily" at 07:05 tomorrow; roles reloaded too.
    write([scheduleEntry({ cron: '0 8 * * *' })]);
    clock.set('2026-03-02T07:06:00Z');
    await d.tick();
    expect(reloaded.at(-1)).toEqual({ file, added: [], removed: ['daily'], changed: ['weekly'] });
    clock.set('2026-03-03T07:05:30Z');
    await d.tick();
    await d.idle();
    expect(smtp.received).toHaveLength(6);
    clock.set('2026-03-03T08:00:10Z');
    await d.tick();
    await d.idle();
    expect(smtp.received).toHaveLength(9);
    expect(store.db.prepare('SELECT schedule_id, count(*) AS n FROM runs GROUP BY schedule_id ORDER BY schedule_id').all()).toEqual([
      { schedule_id: 'daily', n: 1 }, { schedule_id: 'weekly', n: 2 },
    ]);
    // The settings file is looked at on every check too.
    expect(settingsChecks).toBe(8);
  });
});
