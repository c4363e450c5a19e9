import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startSimulator } from '../../src/simulator/index.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';

/**
 * One event map, one logger: the daemon's JSON log of a scheduled run shows the sync's, the Autotask
 * client's, the browser pool's and the delivery's events, in the order they happened, and no secret.
 */
let home: SimHome;
beforeAll(async () => { home = simHome(await startSimulator({ port: 0, seed: 5, scale: 'tiny' }), 'psa-log-'); }, 60_000);
afterAll(async () => { await home?.cleanup(); });

describe('the daemon\'s log', () => {
  it('one JSON line per event of every component of a run, in order, without a secret', async () => {
    const schedules = path.join(home.dir, 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({
      owner: 'ops@msp.example',
      roles: { team: { recipients: ['lead@msp.example'] } },
      schedules: [{ id: 'every-minute', cron: '* * * * *', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['team'], subject: 'Backlog {date}', freshness: '1h', deadline: '5m' }],
    }));
    const io = captureIO({ ...home.env, PSA_REPORTS_OUTBOX: path.join(home.dir, 'outbox') }, home.dir);
    const code = await main(['daemon', '--once', '--db', path.join(home.dir, 'store.db'), '--schedules', schedules], io);
    expect(io.stderr.join('\n')).toBe('');
    expect(code).toBe(0);
    const logs = io.stdout.map((l) => JSON.parse(l) as { ts: string; level: string; event: string });
    for (const l of logs) expect(Object.keys(l).slice(0, 3)).toEqual(['ts', 'level', 'event']);
    const events = logs.map((l) => l.event);
    const first = (name: string | RegExp) => events.findIndex((e) => (typeof name === 'string' ? e === name : name.test(e)));
    const order = ['daemon:started', 'run:claimed', 'sync:stale', 'sync:start', /^autotask:/, 'sync:entity', 'sync:done', 'pool:launch', 'report:rendered', 'mail:sent', 'run:finished', 'lock:released'];
    const at = order.map(first);
    expect(at.every((i) => i >= 0), `missing: ${order.filter((_, i) => at[i]! < 0).join(', ')} in ${events.join(' ')}`).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const raw = io.stdout.join('\n');
    expect(raw).not.toContain(home.sim.credentials.secret);
    expect(raw).not.toContain(home.sim.credentials.integrationCode);
  }, 120_000);

  it('--log-format human gives one readable line per event; a bad format is refused naming the allowed ones', async () => {
    const io = captureIO(home.env, home.dir);
    expect(await main(['sync', '--db', path.join(home.dir, 'human.db'), '--log-format', 'human'], io)).toBe(0);
    expect(io.stderr.some((l) => /^\d\d:\d\d:\d\d INFO  sync:done /.test(l))).toBe(true);
    const bad = captureIO(home.env, home.dir);
    expect(await main(['sync', '--log-format', 'xml'], bad)).toBe(2);
    expect(bad.stderr.join('\n')).toMatch(/--log-format: "xml" is not allowed. Allowed: human, json/);
  }, 120_000);
});
