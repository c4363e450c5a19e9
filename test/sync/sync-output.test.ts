import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { syncStore as runSync } from '../../src/app.js';
import { syncExitCode } from '../../src/sync/run.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';

/** What `psa-reports sync` tells an admin: where it connects, one message for a failure, totals that add up. */

let home: SimHome | undefined;
afterEach(async () => {
  await home?.cleanup();
  home = undefined;
});

async function start(): Promise<SimHome> {
  const sim: Simulator = await startSimulator({ port: 0, seed: 7, scale: 'tiny', now: Date.parse('2026-03-02T12:00:00Z') });
  home = simHome(sim, 'psa-sync-out-');
  return home;
}

async function sync(h: SimHome, env: NodeJS.ProcessEnv = h.env) {
  const io = captureIO(env, h.dir);
  const cfg = (await import('../../src/config.js')).loadConfig({ db: `${h.dir}/store.db` }, env, h.dir);
  const summary = await runSync(cfg, io, { clock: h.clock, progress: 'lines' });
  return { summary, lines: io.stderr, code: syncExitCode(summary) };
}

/** A port on 127.0.0.1 nothing listens on (connections are refused at once). */
async function refusedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('sync output', () => {
  it('says first where it connects (host only), then its entity lines and a total that is their sum', async () => {
    const h = await start();
    const first = await sync(h);
    expect(first.code).toBe(0);
    const host = new URL(h.sim.baseUrl).host;
    expect(first.lines[0]).toBe(`connecting to Autotask at ${host} (AUTOTASK_BASE_URL) as ${h.sim.credentials.username}…`);
    expect(first.lines.join('\n')).not.toContain(h.sim.credentials.secret);

    // A later day: incremental passes and the deleted-row checks that follow them.
    h.sim.advance(86_400_000);
    h.sim.resetStats();
    const before = h.sim.stats().requests;
    const second = await sync(h);
    expect(second.code).toBe(0);
    const text = second.lines.join('\n');
    const entityRequests = [...text.matchAll(/^\w+: \d+ rows.*?, (\d+) requests?, /gm)].reduce((a, m) => a + Number(m[1]), 0);
    const sweepLine = /^deleted-row check: (.*)$/m.exec(text)?.[1] ?? '';
    const sweepRequests = [...sweepLine.matchAll(/(\d+) request\(s\)/g)].reduce((a, m) => a + Number(m[1]), 0);
    const total = /^sync done: \d+ rows, (\d+) requests \((\d+) in the entity lines(?:, (\d+) checking for deleted rows)?(?:, (\d+) for zone, sign-in and budget)?\)/m.exec(text);
    expect(total, text).not.toBeNull();
    expect(Number(total![2])).toBe(entityRequests);
    expect(sweepRequests).toBeGreaterThan(0);
    expect(Number(total![3] ?? 0)).toBe(sweepRequests);
    expect(entityRequests + sweepRequests + Number(total![4] ?? 0)).toBe(Number(total![1]));
    // And the total is what the server saw.
    expect(Number(total![1])).toBe(second.summary.requests);
    expect(h.sim.stats().requests - before).toBe(second.summary.requests);
  }, 120_000);

  it('a wrong secret: one message, no line per entity, one failed login, exit 2', async () => {
    const h = await start();
    const r = await sync(h, { ...h.env, AUTOTASK_SECRET: 'Wrong-Secret-77' });
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatch(/^connecting to Autotask at 127\.0\.0\.1:\d+ /);
    expect(r.lines[1]).toMatch(/^sync stopped before reading any entity: Autotask rejected the credentials .*AUTOTASK_SECRET/);
    expect(r.lines[2]).toMatch(/^sync failed: nothing synced \(1 request, /);
    expect(r.lines.join('\n')).not.toContain('Wrong-Secret-77');
    expect(h.sim.stats().log.filter((l) => l.status === 401)).toHaveLength(1);
  }, 60_000);

  it('a refused port: retries shown as they happen, then one message naming the host, after 3 attempts', async () => {
    const h = await start();
    const port = await refusedPort();
    const r = await sync(h, { ...h.env, AUTOTASK_BASE_URL: `http://127.0.0.1:${port}/ATServicesRest/` });
    expect(r.code).toBe(1);
    expect(r.lines[0]).toBe(`connecting to Autotask at 127.0.0.1:${port} (AUTOTASK_BASE_URL) as ${h.sim.credentials.username}…`);
    expect(r.lines.filter((l) => l.startsWith(`no answer from 127.0.0.1:${port} yet`))).toHaveLength(2);
    const stops = r.lines.filter((l) => l.startsWith('sync stopped'));
    expect(stops).toHaveLength(1);
    expect(stops[0]).toContain(`cannot reach 127.0.0.1:${port}: check AUTOTASK_BASE_URL`);
    expect(r.lines.at(-1)).toMatch(/^sync failed: nothing synced \(3 requests, /);
    expect(r.lines.some((l) => /^\w+: 0 rows/.test(l))).toBe(false);
  }, 60_000);
});
