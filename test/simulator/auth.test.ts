import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { call, get, headers, start } from './_helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start();
});
afterAll(async () => {
  await sim.close();
});

describe('zone discovery and version', () => {
  it('answers zoneInformation without auth, pointing back at this simulator', async () => {
    const r = await call(`${sim.zoneUrl}v1.0/zoneInformation?user=${encodeURIComponent(sim.credentials.username)}`, {});
    expect(r.status).toBe(200);
    expect(r.body.url).toBe(sim.baseUrl);
    expect(r.body.url.endsWith('ATServicesRest/')).toBe(true);
    expect(typeof r.body.zoneName).toBe('string');
    expect(typeof r.body.ci).toBe('number');
    expect(r.body.webUrl).toBe(sim.origin);
  });

  it('matches the user name case-insensitively and accepts the other path casing', async () => {
    const r = await call(`${sim.origin}ATServicesRest/V1.0/ZoneInformation?user=${encodeURIComponent(sim.credentials.username.toUpperCase())}`, {});
    expect(r.status).toBe(200);
  });

  it('answers 500 "Zone information could not be determined" for an unknown user', async () => {
    const r = await call(`${sim.zoneUrl}v1.0/zoneInformation?user=nobody@example.com`, {});
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ errors: ['Zone information could not be determined'] });
  });

  it('serves versioninformation as Autotask does since 2026: two versions, and V2.0 has no zoneInformation', async () => {
    const r = await call(`${sim.zoneUrl}versioninformation`, {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ apiVersions: ['V1.0', 'V2.0'] });
    const v2 = await call(`${sim.zoneUrl}V2.0/zoneInformation?user=${encodeURIComponent(sim.credentials.username)}`, {});
    expect(v2.status).toBe(404);
  });
});

describe('authentication', () => {
  it('accepts header names in any case', async () => {
    const h = {
      apiintegrationcode: sim.credentials.integrationCode,
      USERNAME: sim.credentials.username,
      secret: sim.credentials.secret,
    };
    const r = await call(`${sim.origin}atservicesrest/v1.0/Companies/0`, { headers: h });
    expect(r.status).toBe(200);
    expect(r.body.item.id).toBe(0);
  });

  it('answers 401 for a wrong secret', async () => {
    const r = await get(sim, 'Companies/0', headers(sim, { Secret: 'wrong' }));
    expect(r.status).toBe(401);
  });

  it('answers 401 when a header is missing', async () => {
    const h = headers(sim);
    delete (h as Record<string, string>).Secret;
    const r = await get(sim, 'Companies/0', h);
    expect(r.status).toBe(401);
  });

  it('answers 500 "IntegrationCode is invalid." for a bad integration code', async () => {
    const r = await get(sim, 'Companies/0', headers(sim, { ApiIntegrationCode: 'NOPE' }));
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ errors: ['IntegrationCode is invalid.'] });
  });

  it('answers 404 for unknown entities and paths', async () => {
    expect((await get(sim, 'NoSuchThings/query')).status).toBe(404);
    expect((await call(`${sim.origin}elsewhere`, {})).status).toBe(404);
  });

  it('accepts custom credentials', async () => {
    const other = await start({ credentials: { username: 'api@msp.example', secret: 's3', integrationCode: 'CODE' } });
    try {
      expect((await get(other, 'Companies/0')).status).toBe(200);
      expect((await get(other, 'Companies/0', headers(other, { Secret: 'demo-secret' }))).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
