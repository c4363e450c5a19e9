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
