import { describe, expect, it } from 'vitest';
import { trustedZoneAnswer, underBase } from '../../src/autotask/client.js';
import { printable } from '../../src/errors.js';

describe('where the credentials may go', () => {
  const base = 'https://webservices3.autotask.net/ATServicesRest/';
  it('under the REST base: same scheme, host and port, a path inside the base (any case)', () => {
    expect(underBase('https://webservices3.autotask.net/ATServicesRest/V1.0/Tickets/query', base)).toBe(true);
    expect(underBase('https://webservices3.autotask.net/atservicesrest/v1.0/Tickets/query/next?paging=x', base)).toBe(true);
    expect(underBase('https://webservices3.autotask.net:443/ATServicesRest/V1.0/x', base)).toBe(true);
    expect(underBase('http://webservices3.autotask.net/ATServicesRest/V1.0/x', base)).toBe(false);
    expect(underBase('https://webservices3.autotask.net:8443/ATServicesRest/V1.0/x', base)).toBe(false);
    expect(underBase('https://webservices4.autotask.net/ATServicesRest/V1.0/x', base)).toBe(false);
    expect(underBase('https://webservices3.autotask.net.evil.example/ATServicesRest/V1.0/x', base)).toBe(false);
    expect(underBase('https://webservices3.autotask.net/other/V1.0/x', base)).toBe(false);
    expect(underBase('https://webservices3.autotask.net/ATServicesRest/../other/x', base)).toBe(false);
    expect(underBase('https://u:p@webservices3.autotask.net/ATServicesRest/V1.0/x', base)).toBe(false);
    expect(underBase('not a url', base)).toBe(false);
  });

  it('a zone answer: https on autotask.net, or the host AUTOTASK_ZONE_URL names', () => {
    const zone = 'https://webservices.autotask.net/atservicesrest/';
    expect(trustedZoneAnswer('https://webservices3.autotask.net/ATServicesRest/', zone)).toBe(true);
    expect(trustedZoneAnswer('https://prde.autotask.net/ATServicesRest/', zone)).toBe(true);
    expect(trustedZoneAnswer('http://webservices3.autotask.net/ATServicesRest/', zone)).toBe(false);
    expect(trustedZoneAnswer('https://autotask.net.evil.example/ATServicesRest/', zone)).toBe(false);
    expect(trustedZoneAnswer('https://evil.example/autotask.net/', zone)).toBe(false);
    expect(trustedZoneAnswer('https://x@webservices3.autotask.net/ATServicesRest/', zone)).toBe(false);
    const local = 'http://127.0.0.1:4000/atservicesrest/';
    expect(trustedZoneAnswer('http://127.0.0.1:4001/ATServicesRest/', local)).toBe(true);
    expect(trustedZoneAnswer('http://localhost:4001/ATServicesRest/', local)).toBe(false);
    expect(trustedZoneAnswer('https://127.0.0.1:4001/ATServicesRest/', local)).toBe(false);
  });

  it('server text is printed without control characters (newlines kept)', () => {
    expect(printable('a\u001b[31mb\u0007\u009bc\r\nd\te\u007f')).toBe('a[31mbc\nd e');
  });
});

describe('next links over plain http on the zone host', () => {
  it('are followed over https (the credentials stay on TLS); another host is refused', async () => {
    const { createAutotaskClient } = await import('../../src/autotask/client.js');
    const { F } = await import('../../src/autotask/filter.js');
    const asked: string[] = [];
    const page = (next: string | null) => new Response(JSON.stringify({ items: [{ id: asked.length }], pageDetails: { nextPageUrl: next } }), { status: 200 });
    const base = 'https://webservices3.autotask.net/ATServicesRest/';
    const run = async (link: string) => {
      asked.length = 0;
      const f = (async (u: string | URL | Request) => {
        if (/ThresholdInformation/.test(String(u))) return new Response(JSON.stringify({ externalRequestThreshold: 10000, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 1 }), { status: 200 });
        asked.push(String(u));
        return asked.length === 1 ? page(link) : page(null);
      }) as typeof fetch;
      const c = createAutotaskClient({ username: 'u@x', secret: 'sssss', integrationCode: 'c', baseUrl: base, zoneUrl: 'https://webservices.autotask.net/atservicesrest/' }, { fetch: f, baseDelayMs: 1, maxDelayMs: 2 });
      const ids: number[] = [];
      for await (const p of c.query('Tickets', { filter: [F.all()] })) ids.push(...p.items.map((r) => r.id));
      return ids;
    };
    expect(await run('http://webservices3.autotask.net/atservicesrest/v1.0/Tickets/query/next?paging=x')).toEqual([1, 2]);
    expect(asked[1]).toBe('https://webservices3.autotask.net/atservicesrest/v1.0/Tickets/query/next?paging=x');
    await expect(run('http://webservices4.autotask.net/ATServicesRest/V1.0/Tickets/query/next?paging=x')).rejects.toThrow(/webservices4\.autotask\.net.*not followed/);
    expect(asked).toHaveLength(1);
  });
});
