import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { CommandIO } from '../../src/commands/types.js';
import { executeRun } from '../../src/delivery/execute.js';
import { OutboxMailer } from '../../src/delivery/mailer.js';
import { FakeClock, makeDeps, only, scheduleEntry, schedulesFile, tempStore } from '../delivery/_helpers.js';

let store: ReturnType<typeof tempStore>;
beforeEach(() => {
  store = tempStore();
});
afterEach(() => store.cleanup());

function io(env: NodeJS.ProcessEnv = {}): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), isTTY: false, env, cwd: store.dir, stdout, stderr };
}

describe('psa-reports history', () => {
  it('lists recent runs, failures first, with reasons, the failed phase, the owner notice and the recipients that did not get it', async () => {
    const clock = new FakeClock(Date.parse('2026-03-02T07:00:10Z'));
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, new OutboxMailer(path.join(store.dir, 'outbox')), clock, file);
    await executeRun(deps, only(file), Date.parse('2026-03-02T07:00:00Z'));
    deps.renderer.throwWith = new Error('Chromium crashed');
    clock.set('2026-03-09T07:00:10Z');
    await executeRun(deps, only(file), Date.parse('2026-03-09T07:00:00Z'));
    store.db.close();

    const out = io();
    expect(await main(['history', '--db', store.file], out)).toBe(0);
    const text = out.stdout.join('\n');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^FAILED\s+weekly\s+due 2026-03-09 07:00 UTC\s+\(scheduled run 2, attempt 1\)\s+0\/3 delivered$/);
    expect(text).toMatch(/reason \(phase render\): nothing delivered: rendering the message failed: Chromium crashed/);
    expect(text).toMatch(/owner notice to owner@x\.test: sent/);
    expect(text).toMatch(/a@x\.test: failed — rendering the message failed/);
    expect(text).toMatch(/SENT\s+weekly\s+due 2026-03-02 07:00 UTC\s+\(scheduled run 1, attempt 1\)\s+3\/3 delivered/);
    expect(text.indexOf('FAILED')).toBeLessThan(text.indexOf('SENT'));

    const failedOnly = io();
    await main(['history', '--db', store.file, '--failed'], failedOnly);
    expect(failedOnly.stdout.join('\n')).not.toMatch(/SENT/);

    const json = io();
    await main(['history', '--db', store.file, '--json', '--limit', '1'], json);
    const parsed = JSON.parse(json.stdout.join('\n'));
    expect(parsed).toHaveLength(1);
    expect(parsed[0].run).toMatchObject({ state: 'failed', failed_phase: 'render' });
    expect(parsed[0].deliveries).toHaveLength(3);

    const bad = io();
    expect(await main(['history', '--db', store.file, '--limit', 'lots'], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/--limit: "lots" is not a whole number/);
  });
});

describe('psa-reports daemon --once', () => {
  it('runs what is due now through the real wiring, records it, tells the owner, and exits 1 for a failed run', async () => {
    // A schedule due every minute is always due within the last minute; the store was never synced and
    // no Autotask credentials are set, so the run must fail in the sync phase — visibly, not silently.
    const schedules = path.join(store.dir, 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({
      owner: 'ops@msp.example',
      roles: { team: { recipients: ['lead@msp.example'] } },
      schedules: [{ id: 'every-minute', cron: '* * * * *', timezone: 'America/New_York', reports: ['accounting/approve-and-post'], format: 'csv', roles: ['team'], subject: 'Approve {date}', freshness: '1h', deadline: '2m' }],
    }));
    store.db.close();
    const outbox = path.join(store.dir, 'outbox');
    const out = io({ PSA_REPORTS_OUTBOX: outbox });
    const code = await main(['daemon', '--once', '--db', store.file, '--schedules', schedules], out);
    const logs = out.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs[0]).toMatchObject({ event: 'daemon:started', schedulesFile: schedules });
    expect(String(logs[0]!.mail)).toMatch(/^outbox /);
    expect(logs.map((l) => l.event)).toEqual(expect.arrayContaining(['lock:acquired', 'run:claimed', 'sync:stale', 'run:failed', 'notice:sent', 'lock:released']));
    expect(code).toBe(1);
    const notices = fs.readdirSync(outbox);
    expect(notices).toEqual([expect.stringMatching(/^1-ops@msp\.example-notice\.eml$/)]);
    expect(fs.readFileSync(path.join(outbox, notices[0]!), 'utf8')).toMatch(/Phase: sync/);

    const hist = io();
    await main(['history', '--db', store.file], hist);
    expect(hist.stdout.join('\n')).toMatch(/^FAILED\s+every-minute/);
    expect(hist.stdout.join('\n')).toMatch(/reason \(phase sync\): data is stale/);
  });

  it('rejects a bad --tick with exit 2', async () => {
    const out = io();
    expect(await main(['daemon', '--tick', '90', '--db', store.file], out)).toBe(2);
    expect(out.stderr.join('\n')).toMatch(/--tick: "90" is not a number of seconds from 1 to 30/);
  });
});

describe('daemon --help', () => {
  it('says a schedule\'s own time zone wins, and does not list the time zone among the settings a reload changes', async () => {
    const out: string[] = [];
    const code = await main(['daemon', '--help'], { out: (s) => out.push(s), err: () => undefined, isTTY: false, env: {}, cwd: process.cwd() });
    expect(code).toBe(0);
    const help = out.join('\n').replace(/\s+/g, ' ');
    expect(help).not.toMatch(/business hours, time zone/);
    expect(help).toMatch(/computed in the schedule's own "timezone"/);
  });
});
