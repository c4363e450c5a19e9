import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config.js';
import { mappedRole } from '../../src/web/oidc.js';
import { captureIO } from '../commands/io.js';

/** web.oidc and web.proxyAuth: what the settings refuse (naming the field and what is allowed) and what check says. */

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-webauth-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const OIDC = { issuer: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0', clientId: 'abc' };
const load = (web: unknown, env: NodeJS.ProcessEnv = {}) => {
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ web }));
  return loadConfig({ config: 'settings.json' }, env, dir);
};
async function check(web: unknown, env: NodeJS.ProcessEnv = {}) {
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ web }));
  const io = captureIO(dir, env);
  const code = await main(['check', '--config', 'settings.json'], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('sign-in settings', () => {
  it('refuses a multi-tenant issuer, plain http elsewhere than loopback, and a missing redirect URI', () => {
    expect(() => load({ baseUrl: 'https://r.msp.example', oidc: { ...OIDC, issuer: 'https://login.microsoftonline.com/common/v2.0' } }))
      .toThrow(/web\.oidc\.issuer: a single tenant: "https:\/\/login\.microsoftonline\.com\/<tenant id>\/v2\.0"/);
    expect(() => load({ baseUrl: 'https://r.msp.example', oidc: { ...OIDC, issuer: 'http://idp.msp.example/t/v2.0' } }))
      .toThrow(/web\.oidc\.issuer: an https URL \(http only on a loopback address\)/);
    expect(() => load({ oidc: OIDC })).toThrow(/web\.oidc\.redirectUri: needed when web\.baseUrl is not set/);
    const cfg = load({ baseUrl: 'https://r.msp.example/', oidc: OIDC });
    expect(cfg.webAuth.oidc!.redirectUri).toBe('https://r.msp.example/login/oidc/callback');
    expect(cfg.webAuth.oidc!.defaultRole).toBeNull();
  });

  it('names the allowed roles and refuses a trusted-proxy list that trusts everyone', () => {
    expect(() => load({ baseUrl: 'https://r.msp.example', oidc: { ...OIDC, roleMap: { 'Reports.Admin': 'superuser' } } }))
      .toThrow(/web\.oidc\.roleMap\.Reports\.Admin: a role: admin, manager, viewer, technician/);
    expect(() => load({ proxyAuth: { trustedProxies: ['0.0.0.0/0'] } })).toThrow(/web\.proxyAuth\.trustedProxies\.0: not every address/);
    expect(() => load({ proxyAuth: { trustedProxies: ['10.0.0.0/33'] } })).toThrow(/web\.proxyAuth\.trustedProxies\.0: an IP address or CIDR block/);
    expect(() => load({ proxyAuth: { trustedProxies: [] } })).toThrow(/web\.proxyAuth\.trustedProxies: at least one proxy address/);
    expect(load({ proxyAuth: { trustedProxies: ['127.0.0.1', '::1', '10.0.0.0/24'] } }).webAuth.proxy!.header).toBe('X-Forwarded-Email');
  });

  it('maps the highest app role, else the default role, else none', () => {
    const map = { 'R.Read': 'viewer', 'R.Admin': 'admin' } as const;
    expect(mappedRole(['R.Read', 'R.Admin', 'other'], map, null)).toBe('admin');
    expect(mappedRole(['other'], map, null)).toBeNull();
    expect(mappedRole([], map, 'viewer')).toBe('viewer');
    expect(mappedRole(['toString', '__proto__'], map, null)).toBeNull();
  });

  it('check: exit 2 naming PSA_REPORTS_OIDC_CLIENT_SECRET when web.oidc is set without it, and never prints the secret', async () => {
    const r = await check({ baseUrl: 'https://r.msp.example', oidc: OIDC });
    expect(r.code).toBe(2);
    expect(r.err).toContain('environment: PSA_REPORTS_OIDC_CLIENT_SECRET: not set, but');
    const secret = 'Very~Secret.Value_123456';
    const ok = await check({ baseUrl: 'https://r.msp.example', oidc: OIDC, proxyAuth: { trustedProxies: ['10.0.0.5'] } }, { PSA_REPORTS_OIDC_CLIENT_SECRET: secret });
    expect(ok.err).not.toContain('PSA_REPORTS_OIDC_CLIENT_SECRET');
    expect(ok.out).toContain('--  web sign-in: Microsoft Entra ID, issuer https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0');
    expect(ok.out).toContain('others: no access unless added with users add');
    expect(ok.out).toContain('--  web sign-in: the X-Forwarded-Email header, believed only from 10.0.0.5; users not in the store: no access');
    expect(`${ok.out}${ok.err}`).not.toContain(secret);
    const wide = await check({ baseUrl: 'https://r.msp.example', oidc: { ...OIDC, defaultRole: 'admin' } }, { PSA_REPORTS_OIDC_CLIENT_SECRET: secret });
    expect(wide.out).toContain('!!  web.oidc.defaultRole: "admin" for everyone the tenant signs in');
  });

  it('check: names the field of a wrong sign-in setting and what is allowed', async () => {
    const r = await check({ proxyAuth: { header: 'X Forwarded', trustedProxies: ['10.0.0.5'] } });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/settings\.json: web\.proxyAuth\.header: an HTTP header name such as "X-Forwarded-Email"/);
  });
});

describe('users list', () => {
  it('tells users made at sign-in from those added by an operator', async () => {
    const { openDb } = await import('../../src/store/db.js');
    const { Users } = await import('../../src/web/users.js');
    const file = path.join(dir, 'store.db');
    const db = openDb(file);
    const users = new Users(db);
    users.add('admin@msp.example', 'admin', 'a long enough password', 0);
    users.external('sso@msp.example', 'viewer', 'oidc', 0);
    users.external('proxied@msp.example', 'manager', 'proxy', 0);
    // an operator adding a user made at sign-in makes it theirs
    users.add('proxied@msp.example', 'viewer', 'a long enough password', 0);
    db.close();
    const io = captureIO(dir);
    expect(await main(['users', 'list', '--db', file], io)).toBe(0);
    expect(io.stdout()).toBe([
      'admin@msp.example\tadmin\tadded 1970-01-01',
      'proxied@msp.example\tviewer\tadded 1970-01-01',
      'sso@msp.example\tviewer\tadded 1970-01-01\tvia Microsoft sign-in',
    ].join('\n'));
  });
});
