import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { runSimulate } from '../../src/commands/simulate.js';
import type { CommandIO } from '../../src/commands/types.js';
import type { Simulator } from '../../src/simulator/index.js';

function io(): CommandIO & { outText: () => string; errText: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (s) => out.push(s), err: (s) => err.push(s), isTTY: false, env: {}, cwd: process.cwd(),
    outText: () => out.join('\n'), errText: () => err.join('\n'),
  };
}

describe('psa-reports simulate', () => {
  it('--help teaches the flags and gives examples', async () => {
    const o = io();
    expect(await main(['simulate', '--help'], o)).toBe(0);
    const text = o.outText();
    for (const flag of ['--port', '--seed', '--scale', '--now', '--latency-ms', '--fault-429', '--advance-every']) expect(text).toContain(flag);
    expect(text).toMatch(/Examples:/);
  });

  it('rejects bad flags with exit 2 and a message naming the flag', async () => {
    const o = io();
    expect(await main(['simulate', '--scale', 'huge'], o)).toBe(2);
    expect(o.errText()).toMatch(/--scale must be one of tiny, small, medium, large/);
    const o2 = io();
    expect(await main(['simulate', '--fault-429', '2'], o2)).toBe(2);
    expect(o2.errText()).toMatch(/--fault-429/);
  });

  it('serves the tenant, prints the env lines without a real secret, and stops on abort', async () => {
    const o = io();
    const ac = new AbortController();
    let sim: Simulator | undefined;
    const done = runSimulate({ port: '0', scale: 'tiny', seed: '5', now: '2026-10-05T12:00:00Z' }, o, ac.signal, (s) => {
      sim = s;
    });
    await new Promise<void>((resolve) => {
      const check = () => (sim ? resolve() : setImmediate(check));
      check();
    });
    const text = o.outText();
    expect(text).toContain(`export AUTOTASK_BASE_URL=${sim!.baseUrl}`);
    expect(text).toContain('export AUTOTASK_USERNAME=demo@example.com');
    expect(text).toContain('export AUTOTASK_INTEGRATION_CODE=');
    expect(text).toMatch(/AUTOTASK_SECRET/);
    expect(text).not.toContain(sim!.credentials.secret);
    expect(sim!.now()).toBe(Date.UTC(2026, 9, 5, 12));
    const r = await fetch(`${sim!.zoneUrl}v1.0/zoneInformation?user=demo@example.com`);
    expect((await r.json()).url).toBe(sim!.baseUrl);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${sim!.zoneUrl}versioninformation`)).rejects.toThrow();
  });

  it('never prints a secret chosen through PSA_SIM_SECRET', async () => {
    const o = io();
    o.env.PSA_SIM_SECRET = 'very-private-value';
    const ac = new AbortController();
    ac.abort();
    expect(await runSimulate({ port: '0', scale: 'tiny' }, o, ac.signal)).toBe(0);
    expect(o.outText() + o.errText()).not.toContain('very-private-value');
  });
});
