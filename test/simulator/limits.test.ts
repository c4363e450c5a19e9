import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { call, get, headers, post, start } from './_helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const q = { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 5 };

describe('thread limit', () => {
  it('answers the 4th concurrent request to one endpoint with 429', async () => {
    sim = await start({ latency: { baseMs: 300 } });
    const s = sim;
    const results = await Promise.all([0, 1, 2, 3].map(() => post(s, 'Tickets/query', q)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const rejected = results.find((r) => r.status === 429)!;
    expect(rejected.body).toEqual({ errors: ['API thread threshold of 3 threads has been exceeded'] });
    expect(s.stats().rejected429).toBe(1);
    expect(s.stats().maxInFlight.Tickets).toBe(3);
  });

  it('counts child paths and entityInformation against the parent endpoint, not other endpoints', async () => {
    sim = await start({ latency: { baseMs: 300 } });
    const s = sim;
    const project = (await post(s, 'Projects/query', { filter: [{ op: 'exist', field: 'id' }], MaxRecords: 1 })).body.items[0];
    const mixed = await Promise.all([
      post(s, 'Projects/query', q), get(s, `Projects/${project.id}/Tasks`), get(s, 'Projects/entityInformation/fields'), get(s, 'Projects/entityInformation'),
    ]);
    expect(mixed.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    const spread = await Promise.all([post(s, 'Tickets/query', q), post(s, 'Companies/query', q), post(s, 'Contracts/query', q), post(s, 'Opportunities/query', q)]);
    expect(spread.every((r) => r.status === 200)).toBe(true);
  });

  it('exempts ZoneInformation', async () => {
    sim = await start({ latency: { baseMs: 200 }, threadLimit: 1 });
    const s = sim;
    const rs = await Promise.all([0, 1, 2, 3].map(() => call(`${s.zoneUrl}v1.0/zoneInformation?user=${s.credentials.username}`, {})));
    expect(rs.every((r) => r.status === 200)).toBe(true);
  });
});

describe('hourly threshold', () => {
  it('reports the rolling count including the call itself', async () => {
    sim = await start();
    await post(sim, 'Tickets/query', q);
    await post(sim, 'Tickets/query', q);
    const r = await get(sim, 'ThresholdInformation');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ externalRequestThreshold: 10000, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 3 });
  });

  it('rejects every call at the cap until the window drains', async () => {
    sim = await start({ hourlyLimit: 5 });
    for (let i = 0; i < 5; i++) expect((await post(sim, 'Tickets/query', q)).status).toBe(200);
    const blocked = await post(sim, 'Companies/query', q);
    expect(blocked.status).toBe(429);
    expect(blocked.body.errors[0]).toMatch(/threshold/i);
    expect((await get(sim, 'ThresholdInformation')).status).toBe(429);
    sim.advance(61 * 60_000);
    expect((await post(sim, 'Tickets/query', q)).status).toBe(200);
    expect((await get(sim, 'ThresholdInformation')).body.currentTimeframeRequestCount).toBe(2);
  });

  it('adds threshold latency above 50 % of the limit when enabled', async () => {
    sim = await start({ hourlyLimit: 4, latency: { thresholdLatency: true, scale: 0.6 } });
    await post(sim, 'Tickets/query', q);
    await post(sim, 'Tickets/query', q);
    const t1 = performance.now();
    await post(sim, 'Tickets/query', q);
    const slow = performance.now() - t1;
    // At 25 % of the limit: none; at 50 %: +0.5 s × 0.6; at 75 %: +1 s × 0.6 — as the simulator logs it.
    expect(sim.stats().log.map((l) => l.delayMs)).toEqual([0, 300, 600]);
    // And the wait is real: the third answer cannot come before its added latency (a lower bound only).
    expect(slow).toBeGreaterThanOrEqual(590);
  });
});

describe('fault knobs', () => {
  it('injects 500s deterministically every Nth request, only for the named entity', async () => {
    sim = await start({ faults: { everyNth: 3, rate500: 1, only: ['Tickets'] } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(sim, 'Tickets/query', q)).status);
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500]);
    for (let i = 0; i < 4; i++) expect((await post(sim, 'Companies/query', q)).status).toBe(200);
  });

  it('injects 429 with Retry-After when asked', async () => {
    sim = await start({ faults: { rate429: 1, retryAfterSeconds: 7 } });
    const r = await fetch(`${sim.baseUrl}V1.0/Tickets/query`, { method: 'POST', headers: headers(sim), body: JSON.stringify(q) });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    await r.text();
  });

  it('drops connections and truncates bodies', async () => {
    sim = await start({ faults: { rateReset: 1 } });
    await expect(fetch(`${sim.baseUrl}V1.0/Tickets/query`, { method: 'POST', headers: headers(sim), body: JSON.stringify(q) })).rejects.toThrow();
    sim.setFaults({ rateMalformed: 1 });
    const r = await post(sim, 'Tickets/query', q);
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    sim.setFaults({});
    expect((await post(sim, 'Tickets/query', q)).body.items).toHaveLength(5);
  });

  it('makes the same fault decisions for the same seed', async () => {
    const run = async () => {
      const s = await start({ faults: { rate500: 0.3 } });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await post(s, 'Tickets/query', q)).status);
      await s.close();
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });
});

describe('stats', () => {
  it('counts requests per endpoint and keeps a bounded log', async () => {
    sim = await start();
    await post(sim, 'Tickets/query', q);
    await get(sim, 'Companies/0');
    const st = sim.stats();
    expect(st.requests).toBe(2);
    expect(st.byEndpoint).toEqual({ Tickets: 1, Companies: 1 });
    expect(st.log.map((l) => l.status)).toEqual([200, 200]);
    expect(st.impersonated).toBe(0);
    await get(sim, 'Companies/0', { ...headers(sim), ImpersonationResourceId: '29682890' });
    expect(sim.stats().impersonated).toBe(1);
    sim.resetStats();
    expect(sim.stats().requests).toBe(0);
  });
});
