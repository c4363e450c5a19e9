import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { startWebServer } from '../../src/web/server.js';
import { trustedPeers } from '../../src/web/proxy-auth.js';
import { Users } from '../../src/web/users.js';
import { captureIO } from '../helpers/synced.js';
import { PASSWORD, signIn, webHome, type WebHome } from './helpers.js';

/**
 * Reverse-proxy header mode over real TCP: the server listens on 127.0.0.1 and trusts only the peer
 * 127.0.0.1; the same request sent from 127.0.0.2 (another loopback address of this machine) is an
 * untrusted peer, whatever it says in X-Forwarded-For.
 */

let h: WebHome;

beforeAll(async () => {
  h = await webHome({ settings: { web: { proxyAuth: { header: 'X-Forwarded-Email', trustedProxies: ['127.0.0.1/32', '10.9.0.0/16'] } } } });
});
afterAll(async () => {
  await h?.cleanup();
});

/** A GET from a chosen local address. */
function get(path: string, headers: Record<string, string>, from = '127.0.0.1'): Promise<{ status: number; location?: string; cookies: string[]; body: string }> {
  const url = new URL(path, h.base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers, localAddress: from, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const session = (cookies: string[]) => cookies.find((c) => /^psa_session=[^;]+/.test(c))?.split(';')[0];

describe('reverse-proxy header sign-in', () => {
  it('signs in the user named by a trusted proxy, with their role in the store', async () => {
    const r = await get('/sync', { 'x-forwarded-email': 'Manager@MSP.example' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('manager@msp.example');
    const cookie = session(r.cookies)!;
    expect(cookie).toBeTruthy();
    // the role is the store's: a technician named by the proxy is refused a manager's page
    const tech = await get('/sync', { 'x-forwarded-email': h.techEmail });
    expect(tech.status).toBe(403);
    expect(tech.body).toContain('Your role (technician)');
    // the session goes on with the header and its cookie, without a new session per request
    const again = await get('/reports', { 'x-forwarded-email': 'manager@msp.example', cookie });
    expect(again.status).toBe(200);
    expect(session(again.cookies)).toBeUndefined();
  });

  it('ignores the header from a peer that is not a trusted proxy, and says so once', async () => {
    const before = h.io.stderr.length;
    const r = await get('/sync', { 'x-forwarded-email': 'admin@msp.example', 'x-forwarded-for': '127.0.0.1' }, '127.0.0.2');
    expect(r.status).toBe(302);
    expect(r.location).toMatch(/^\/login/);
    expect(session(r.cookies)).toBeUndefined();
    const api = await get('/api/board', { 'x-forwarded-email': 'admin@msp.example' }, '127.0.0.2');
    expect(api.status).toBe(401);
    const warnings = h.io.stderr.slice(before).filter((l) => l.includes('X-Forwarded-Email'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/warning: ignored the X-Forwarded-Email header of a request from 127\.0\.0\.2/);
    expect(warnings[0]).not.toContain('admin@msp.example');
  });

  it('an untrusted peer keeps its own password session; the header does not change who it is', async () => {
    const viewer = await signIn(h.base, 'viewer@msp.example', PASSWORD);
    const r = await get('/users-do-not-exist', { 'x-forwarded-email': 'admin@msp.example', cookie: viewer.cookie }, '127.0.0.2');
    expect(r.status).toBe(404);
    const sync = await get('/sync', { 'x-forwarded-email': 'admin@msp.example', cookie: viewer.cookie }, '127.0.0.2');
    expect(sync.status).toBe(200);
    expect(sync.body).toContain('viewer@msp.example');
    expect(sync.body).not.toContain('admin@msp.example');
  });

  it('refuses a header user who is not in the store (no default role configured), and a malformed header', async () => {
    const r = await get('/sync', { 'x-forwarded-email': 'stranger@msp.example' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('stranger@msp.example, who is not a user of psa-reports');
    expect(session(r.cookies)).toBeUndefined();
    expect(new Users(h.db).get('stranger@msp.example')).toBeUndefined();
    const bad = await get('/sync', { 'x-forwarded-email': 'not an address' });
    expect(bad.status).toBe(403);
  });

  it('matches trusted addresses and CIDR blocks, IPv4 peers on dual-stack sockets too', () => {
    const trusted = trustedPeers(['10.9.0.0/16', '192.0.2.7', '2001:db8::/32']);
    expect(trusted('10.9.200.1')).toBe(true);
    expect(trusted('::ffff:10.9.0.1')).toBe(true);
    expect(trusted('10.10.0.1')).toBe(false);
    expect(trusted('192.0.2.7')).toBe(true);
    expect(trusted('192.0.2.8')).toBe(false);
    expect(trusted('2001:db8::1')).toBe(true);
    expect(trusted('2001:db9::1')).toBe(false);
    expect(trusted(undefined)).toBe(false);
  });

  it('counts a configured sign-in method for a non-loopback address (no user in the store)', async () => {
    const db = openDb(':memory:');
    try {
      const s = await startWebServer({ cfg: h.cfg, db, io: captureIO(), host: '0.0.0.0', port: 0 });
      await s.close();
    } finally {
      db.close();
    }
  });
});
