import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startSimulator } from '../../src/simulator/index.js';
import { openDb } from '../../src/store/db.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';
import { startReceiver, type Receiver } from './_receivers.js';

const NOW = Date.parse('2026-03-04T15:00:00Z'); // a Wednesday, inside business hours

describe('psa-reports alerts, and the daemon evaluating after a sync (simulator, real reports)', () => {
  let home: SimHome;
  let teams: Receiver;
  let schedules: string;
  beforeAll(async () => {
    home = simHome(await startSimulator({ seed: 3, now: NOW }), 'psa-alerts-cli-');
    teams = await startReceiver();
    schedules = path.join(home.dir, 'schedules.json');
    fs.writeFileSync(schedules, JSON.stringify({
      owner: 'ops@msp.example',
      roles: { desk: { recipients: ['desk@msp.example'], channels: [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }] } },
      schedules: [],
      alerts: [
        { id: 'on-hold-overdue', report: 'intake/on-hold-past-due', rows: { key: 'ticket_id' }, roles: ['desk'] },
        { id: 'backlog-any', report: 'intake/backlog', metric: 'open_tickets', above: 0, for: 2, roles: ['desk'] },
      ],
    }));
  }, 120_000);
  afterAll(async () => {
    await teams?.close();
    await home?.cleanup();
  });
  const run = async (args: string[]) => {
    const io = captureIO({ ...home.env, TEAMS_DESK_URL: teams.url }, home.dir);
    const code = await main([...args, '--db', path.join(home.dir, 'store.db'), '--schedules', schedules], io, home.clock);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  };

  it('alerts test shows what would be sent and sends nothing; the daemon evaluates after its sync and sends once', async () => {
    await home.sync();
    const t = await run(['alerts', 'test', 'on-hold-overdue']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/breaching row\(s\)/);
    expect(t.out).toMatch(/would send to desk@msp\.example: FIRING: on-hold-overdue/);
    expect(t.out).toMatch(/would send to teams:TEAMS_DESK_URL: FIRING/);
    expect(t.out).not.toContain(teams.url);
    expect(teams.got).toHaveLength(0);
    const db = openDb(path.join(home.dir, 'store.db'));
    expect(db.prepare('SELECT count(*) FROM alert_notifications').pluck().get()).toBe(0);
    db.close();
    // Unknown rule: usage error naming the rules.
    const bad = await run(['alerts', 'test', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/rules: on-hold-overdue, backlog-any/);
    // One daemon check: the data is older than the cadence → it syncs, evaluates, delivers.
    home.sim.tenant.now += 10 * 60_000;
    const d = await run(['daemon', '--once']);
    expect(d.code).toBe(0);
    const rows = teams.accepted().length;
    expect(rows).toBeGreaterThan(0); // one card per on-hold ticket (backlog-any needs 2 evaluations)
    expect(d.out).not.toContain(teams.url);
    const list = await run(['alerts']);
    expect(list.out).toMatch(/on-hold-overdue: intake\/on-hold-past-due, each row \(key ticket_id\)/);
    expect(list.out).toMatch(/FIRING/);
    expect(list.out).toMatch(/backlog-any: .*\n {2}PENDING/);
    // A second check inside the cadence: no sync, nothing new.
    const again = await run(['daemon', '--once']);
    expect(again.code).toBe(0);
    expect(teams.accepted()).toHaveLength(rows);
  }, 120_000);
});
