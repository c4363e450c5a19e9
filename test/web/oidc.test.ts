import puppeteer, { type Browser } from 'puppeteer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../src/render/browser.js';
import { Users } from '../../src/web/users.js';
import { freePort, startOidcProvider, type TestOidcProvider } from './oidc-provider.js';
import { webHome, type WebHome } from './helpers.js';

/** Sign-in with an OpenID Connect provider (Entra ID's shape) over real HTTP, in real Chromium and by hand. */

let h: WebHome;
let idp: TestOidcProvider;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  idp = await startOidcProvider({ redirectUri: `http://127.0.0.1:${port}/login/oidc/callback`, now: () => h.sim.now() });
  h = await webHome({
    port,
    env: { PSA_REPORTS_OIDC_CLIENT_SECRET: idp.clientSecret },
    settings: { web: { oidc: { issuer: idp.issuer, clientId: idp.clientId, redirectUri: idp.redirectUri, roleMap: { 'Reports.Manager': 'manager', 'Reports.Reader': 'viewer' } } } },
  });
  browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
});
afterAll(async () => {
  await browser?.close();
  await h?.cleanup();
  await idp?.close();
});
beforeEach(() => {
  idp.tamper = {};
});

/** The whole flow by hand: start, the provider's redirect, the callback with the transaction cookie. */
async function flow(next = '/sync'): Promise<Response> {
  const start = await fetch(`${h.base}/login/oidc?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const tx = start.headers.getSetCookie().find((c) => c.startsWith('psa_oidc='))!;
  expect(tx).toMatch(/HttpOnly/);
  expect(tx).toMatch(/SameSite=Lax/);
  const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  return fetch(authorize.headers.get('location')!, { redirect: 'manual', headers: { cookie: tx.split(';')[0]! } });
}

const sessionOf = (r: Response) => r.headers.getSetCookie().find((c) => /^psa_session=[^;]+/.test(c))?.split(';')[0];
const logs = () => [...h.io.stdout, ...h.io.stderr].join('\n');

describe('sign-in with Microsoft (OpenID Connect)', () => {
  it('signs a user with a mapped app role in through Chromium, end to end', async () => {
    idp.user = { email: 'New.Manager@msp.example', roles: ['Reports.Reader', 'Reports.Manager'] };
    const page = await browser.newPage();
    await page.goto(`${h.base}/reports`);
    expect(new URL(page.url()).pathname).toBe('/login');
    const button = await page.$eval('a.sso-button', (a) => ({ text: a.textContent, href: a.getAttribute('href') }));
    expect(button.text).toBe('Sign in with Microsoft');
    expect(button.href).toBe('/login/oidc?next=%2Freports');
    idp.interactive = true;
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('a.sso-button')]);
    expect(new URL(page.url()).host).toBe(new URL(idp.issuer).host); // at the provider: another site
    // back from the provider's page (a cross-site navigation); the callback page moves on by itself
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#continue')]);
    if (new URL(page.url()).pathname !== '/reports') await page.waitForNavigation({ waitUntil: 'load' });
    idp.interactive = false;
    expect(new URL(page.url()).pathname).toBe('/reports');
    expect(await page.$eval('.top', (e) => e.textContent)).toContain('new.manager@msp.example');
    await page.close();

    const u = new Users(h.db).get('new.manager@msp.example')!;
    expect(u.role).toBe('manager'); // the highest mapped role
    expect(u.source).toBe('oidc');
    // the code was exchanged with PKCE and the client secret, at the registered redirect URI
    const t = idp.tokenRequests.at(-1)!;
    expect(t.code_verifier).toMatch(/^[\w-]{43,}$/);
    expect(t.redirect_uri).toBe(idp.redirectUri);
    expect(t.client_secret).toBe(idp.clientSecret);
  });

  it('gives a user added in the store their own role, whatever the token says', async () => {
    idp.user = { email: 'viewer@msp.example', roles: ['Reports.Manager'] };
    const r = await flow('/sync');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('url=/sync');
    const cookie = sessionOf(r)!;
    expect(cookie).toBeTruthy();
    const sync = await fetch(`${h.base}/sync`, { headers: { cookie }, redirect: 'manual' });
    expect(sync.status).toBe(200);
    expect(new Users(h.db).get('viewer@msp.example')!.role).toBe('viewer');
  });

  it('refuses a user who is neither in the store nor has a mapped role (no default role configured)', async () => {
    idp.user = { email: 'stranger@msp.example', roles: ['Something.Else'] };
    const r = await flow();
    expect(r.status).toBe(403);
    expect(sessionOf(r)).toBeUndefined();
    expect(await r.text()).toContain('stranger@msp.example has no access');
    expect(new Users(h.db).get('stranger@msp.example')).toBeUndefined();
  });

  it('takes access away when the mapped role is gone at the next sign-in', async () => {
    idp.user = { email: 'leaver@msp.example', roles: ['Reports.Reader'] };
    expect((await flow()).status).toBe(200);
    expect(new Users(h.db).get('leaver@msp.example')!.role).toBe('viewer');
    idp.user = { email: 'leaver@msp.example', roles: [] };
    expect((await flow()).status).toBe(403);
    expect(new Users(h.db).get('leaver@msp.example')).toBeUndefined();
  });

  for (const [what, tamper, reason] of [
    ['the wrong audience', { aud: 'another-app' }, /aud/],
    ['the wrong issuer', { iss: 'https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0' }, /iss/],
    ['the wrong nonce', { nonce: 'not-the-one-we-sent' }, /nonce/],
    ['an expired token', { expIn: -600 }, /exp|timestamp/],
    ['a signature by a key not in the JWKS', { foreignKey: true }, /signature|key/i],
  ] as const) {
    it(`refuses an ID token with ${what}`, async () => {
      idp.user = { email: 'viewer@msp.example' };
      idp.tamper = tamper;
      const r = await flow();
      expect(r.status).toBe(401);
      expect(sessionOf(r)).toBeUndefined();
      expect(await r.text()).toContain('Sign-in with Microsoft failed');
      expect(h.io.stderr.at(-1)).toMatch(reason);
    });
  }

  it('refuses a callback whose state is not the one sent, or without the browser\'s transaction', async () => {
    idp.user = { email: 'viewer@msp.example' };
    const start = await fetch(`${h.base}/login/oidc`, { redirect: 'manual' });
    const tx = start.headers.getSetCookie().find((c) => c.startsWith('psa_oidc='))!.split(';')[0]!;
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const cb = new URL(authorize.headers.get('location')!);
    // another browser (no transaction cookie) cannot use the code
    const stolen = await fetch(cb, { redirect: 'manual' });
    expect(stolen.status).toBe(400);
    expect(sessionOf(stolen)).toBeUndefined();
    // a forged state is refused, and the transaction is used up
    const forged = new URL(cb);
    forged.searchParams.set('state', 'forged');
    const r = await fetch(forged, { redirect: 'manual', headers: { cookie: tx } });
    expect(r.status).toBe(401);
    expect(sessionOf(r)).toBeUndefined();
    const again = await fetch(cb, { redirect: 'manual', headers: { cookie: tx } });
    expect(again.status).toBe(400);
  });

  it('shows the provider\'s refusal as text and logs it as one line', async () => {
    const start = await fetch(`${h.base}/login/oidc`, { redirect: 'manual' });
    const tx = start.headers.getSetCookie().find((c) => c.startsWith('psa_oidc='))!.split(';')[0]!;
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const cb = new URL(idp.redirectUri);
    cb.search = new URLSearchParams({ error: 'access_denied', error_description: 'AADSTS50105: not assigned\n<script>x()</script>\u001b[2J', state }).toString();
    const r = await fetch(cb, { redirect: 'manual', headers: { cookie: tx } });
    expect(r.status).toBe(401);
    expect(sessionOf(r)).toBeUndefined();
    const body = await r.text();
    expect(body).toContain('AADSTS50105: not assigned &lt;script&gt;');
    expect(body).not.toContain('<script>x()');
    const line = h.io.stderr.at(-1)!;
    expect(line).toBe('web: the identity provider refused a sign-in: access_denied: AADSTS50105: not assigned <script>x()</script>[2J');
  });

  it('never writes the client secret to the log, even when the provider echoes it', async () => {
    idp.tamper = { echoSecret: true };
    const r = await flow();
    expect(r.status).toBe(401);
    expect(h.io.stderr.at(-1)).toMatch(/invalid_client/);
    expect(logs()).not.toContain(idp.clientSecret);
    expect(logs()).not.toContain(encodeURIComponent(idp.clientSecret));
    expect(logs().length).toBeGreaterThan(0);
  });
});
