import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { Database } from '../../src/store/sqlite.js';
import { startSmtp, type TestSmtp } from '../delivery/_helpers.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let env: Awaited<ReturnType<typeof syncedStore>>;
let smtp: TestSmtp;
let schedules: string;
beforeAll(async () => {
  env = await syncedStore({ scale: 'tiny', seed: 4, now: NOW });
  smtp = await startSmtp();
  schedules = path.join(env.dir, 'schedules.json');
  fs.writeFileSync(schedules, JSON.stringify({
    owner: 'ops@msp.test',
    roles: { managers: { recipients: ['a@msp.test', 'b@msp.test'] } },
    schedules: [{ id: 'backlog-daily', cron: '0 8 * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['managers'], subject: 'Backlog {date}', catchUp: 'skip', freshness: '1d' }],
  }));
}, 120_000);
afterAll(async () => { await smtp?.close(); await env?.cleanup(); });

/** Rows of every table of the store. */
const rowCounts = (): Record<string, number> => {
  const db = new Database(env.cfg.db, { readonly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number]));
  } finally {
    db.close();
  }
};

const run = async (...argv: string[]) => {
  const io = captureIO({ ...env.env, SMTP_URL: smtp.url }, env.dir);
  const code = await main([...argv, '--db', env.cfg.db, '--schedules', schedules], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
};

describe('psa-reports run <schedule>', () => {
  it('--dry-run renders every message to a folder and sends nothing; --send delivers once per recipient and history shows it', async () => {
    const before = rowCounts();
    const dry = await run('run', 'backlog-daily', '--dry-run');
    expect(dry.code).toBe(0);
    // A dry run writes nothing to the store: no run, no delivery, no report snapshot.
    expect(rowCounts()).toEqual(before);
    expect(dry.out).toMatch(/backlog-daily: dry run rendered; 2 message\(s\) written to (.+), nothing sent/);
    const folder = /written to (.+), nothing sent/.exec(dry.out)![1]!;
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    expect(smtp.received).toHaveLength(0);

    const sent = await run('run', 'backlog-daily', '--send');
    expect(sent.code).toBe(0);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['a@msp.test', 'b@msp.test']);
    const hist = await run('history');
    expect(hist.code).toBe(0);
    expect(hist.out).toMatch(/SENT\s+backlog-daily/);
    expect(hist.out).not.toMatch(/dry/i); // the dry run left the ledger alone
  }, 120_000);

  it('--recipient sends a test copy to that address only, with [Test] in the subject', async () => {
    const before = smtp.received.length;
    const r = await run('run', 'backlog-daily', '--send', '--recipient', 'me@msp.test');
    expect(r.code).toBe(0);
    const mine = smtp.received.slice(before);
    expect(mine.map((m) => m.to[0])).toEqual(['me@msp.test']);
    expect(mine[0]!.subject).toMatch(/^\[Test\] Backlog /);
    const bad = await run('run', 'backlog-daily', '--send', '--recipient', 'not-an-address');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--recipient: "not-an-address" is not an e-mail address/);
    const lone = await run('run', 'intake/backlog', '--recipient', 'me@msp.test');
    expect(lone.code).toBe(2);
    expect(lone.err).toMatch(/--recipient goes with a schedule id and --send or --dry-run/);
    expect(smtp.received.length).toBe(before + 1);
  }, 120_000);

  it('an unknown schedule id exits 2 and lists the allowed ones', async () => {
    const r = await run('run', 'nope', '--send');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no schedule with id "nope"\. Allowed: backlog-daily/);
  });
});
