import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { startWebServer } from '../../src/web/server.js';
import { hashPassword, verifyPassword } from '../../src/web/users.js';
import { captureIO } from '../helpers/synced.js';
import { signIn, webHome, type WebHome } from './helpers.js';

let h: WebHome;
beforeAll(async () => { h = await webHome(); });
afterAll(async () => { await h?.cleanup(); });

const PAGES = ['/', '/reports', '/reports/intake/backlog', '/reports/intake/backlog/download/pdf', '/board', '/scorecard', '/schedules', '/history', '/sync', `/charts/${'A'.repeat(43)}.png`];

describe('web security', () => {
  it('every page without a session redirects to the sign-in page; the API answers 401; /health needs no session', async () => {
    for (const p of PAGES) {
      const res = await fetch(`${h.base}${p}`, { redirect: 'manual' });
      expect(res.status, p).toBe(302);
      expect(res.headers.get('location'), p).toBe(`/login?next=${encodeURIComponent(p)}`);
    }
    for (const p of ['/api/reports/intake/backlog', '/api/board']) expect((await fetch(`${h.base}${p}`)).status, p).toBe(401);
    const health = await fetch(`${h.base}/health`);
    expect(health.status).toBe(200);
    const body = await health.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['daemon', 'lastSyncAt']);
    expect(body.daemon).toBe(false);
    expect(typeof body.lastSyncAt).toBe('string');
  });

  it('a forged session cookie is no session', async () => {
    const res = await fetch(`${h.base}/`, { redirect: 'manual', headers: { cookie: 'psa_session=forged' } });
    expect(res.status).toBe(302);
  });

  it('a POST without its CSRF token is refused with 403, with the token it passes', async () => {
    const m = await signIn(h.base, 'manager@msp.example');
    const without = await m.post('/logout', {});
    expect(without.status).toBe(403);
    const wrong = await m.post('/logout', { _csrf: `${m.csrf}x` });
    expect(wrong.status).toBe(403);
    // The session still works after the refused posts, and the right token signs out.
    expect((await m.get('/')).status).toBe(200);
    const ok = await m.post('/logout', { _csrf: m.csrf });
    expect(ok.status).toBe(303);
    expect((await m.get('/')).status).toBe(302);
  });

  it('the sign-in form itself needs its CSRF token', async () => {
    const res = await fetch(`${h.base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=admin%40msp.example&password=x' });
    expect(res.status).toBe(403);
  });

  it('cookies are HttpOnly and SameSite, Secure when the request came over TLS (a local proxy\'s X-Forwarded-Proto)', async () => {
    const login = await fetch(`${h.base}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const c = login.headers.get('set-cookie')!;
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Strict/);
    expect(c).toMatch(/Secure/);
    const plain = await fetch(`${h.base}/login`);
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('pages carry a strict Content-Security-Policy without inline script', async () => {
    const v = await signIn(h.base, 'viewer@msp.example');
    const res = await v.get('/');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc="\/static\/app\.js")/);
  });

  it('a technician sees their own scorecard and the board, and gets 403 for another technician\'s scorecard and the other pages', async () => {
    const t = await signIn(h.base, h.techEmail);
    expect((await t.get(`/scorecard/${h.techId}`)).status).toBe(200);
    expect((await t.get('/scorecard')).status).toBe(200);
    expect((await t.get('/board')).status).toBe(200);
    const other = await t.get(`/scorecard/${h.otherTechId}`);
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('only their own scorecard');
    for (const p of ['/reports/intake/backlog', '/schedules', '/history', '/api/reports/intake/backlog']) expect((await t.get(p)).status, p).toBe(403);
    // A viewer may open anyone's.
    const v = await signIn(h.base, 'viewer@msp.example');
    expect((await v.get(`/scorecard/${h.otherTechId}`)).status).toBe(200);
  });

  it('a link cannot put its own words on a page (outcome messages are kept on the server by id)', async () => {
    const v = await signIn(h.base, 'viewer@msp.example');
    const html = await (await v.get('/history?msg=Your%20password%20expired%2C%20call%20555')).text();
    expect(html).not.toContain('Your password expired');
  });

  it('a viewer cannot send (manager and up)', async () => {
    const v = await signIn(h.base, 'viewer@msp.example');
    expect((await v.post('/schedules/x/test', { _csrf: v.csrf })).status).toBe(403);
    expect((await v.post('/history/1/resend', { _csrf: v.csrf })).status).toBe(403);
  });

  it('a hostile ticket title is rendered as text on the report page and the board', async () => {
    const id = (h.db.prepare(`SELECT id FROM tickets WHERE status <> 5 AND projectID IS NULL ORDER BY createDate LIMIT 1`).get() as { id: number }).id;
    const hostile = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    h.db.prepare('UPDATE tickets SET title = ? WHERE id = ?').run(hostile, id);
    h.db.prepare(`INSERT INTO sync_runs (started_at, finished_at, status, summary) VALUES (?, ?, 'ok', '[]')`).run(h.sim.now(), h.sim.now() + 1);
    const v = await signIn(h.base, 'viewer@msp.example');
    for (const p of ['/reports/intake/backlog', '/board']) {
      const html = await (await v.get(p)).text();
      // Escaped by the templates (Handlebars also escapes "=" as &#x3D;): the title shows as the text it is.
      expect(html, p).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&lt;script&gt;alert(2');
      expect(html, p).not.toContain('<script>alert(2)');
      expect(html, p).not.toContain('<img src=x');
    }
  });

  it('a download cannot leave the output folder', async () => {
    fs.mkdirSync(path.join(h.cfg.paths.output, 'runs'), { recursive: true });
    fs.writeFileSync(path.join(h.cfg.paths.output, 'runs', 'ok.csv'), 'a,b\n');
    fs.writeFileSync(path.join(h.dir, 'secret.txt'), 'secret');
    const v = await signIn(h.base, 'viewer@msp.example');
    const ok = await v.get('/files/runs/ok.csv');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toMatch(/^attachment/);
    const rel = path.relative(h.cfg.paths.output, path.join(h.dir, 'secret.txt'));
    for (const p of [`/files/${rel}`, `/files/..%2F..%2Fsecret.txt`, `/files/runs/..%2F..%2F..%2Fsecret.txt`, `/files/%2Fetc%2Fpasswd`, '/files/runs/%00x']) {
      const res = await v.get(p);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).not.toContain('secret');
    }
    fs.symlinkSync(path.join(h.dir, 'secret.txt'), path.join(h.cfg.paths.output, 'runs', 'link.txt'));
    expect((await v.get('/files/runs/link.txt')).status).toBe(404);
  });

  it('sign-in attempts are rate-limited per address', async () => {
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const login = await fetch(`${h.base}/login`);
      const c = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
      const res = await fetch(`${h.base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: c }, body: new URLSearchParams({ _csrf: token, email: 'viewer@msp.example', password: 'wrong password!' }).toString() });
      last = res.status;
      if (i < 5) expect(res.status).toBe(401);
    }
    expect(last).toBe(429);
  });

  it('refuses a non-loopback address while the store has no user', async () => {
    const db = openDb(':memory:');
    try {
      await expect(startWebServer({ cfg: h.cfg, db, io: captureIO(), host: '0.0.0.0', port: 0 })).rejects.toThrow(/no user/);
    } finally {
      db.close();
    }
  });

  it('passwords are scrypt hashes with a salt; a wrong password does not verify', () => {
    const a = hashPassword('a long enough password');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hashPassword('a long enough password')).not.toBe(a);
    expect(verifyPassword('a long enough password', a)).toBe(true);
    expect(verifyPassword('a long enough passwore', a)).toBe(false);
    expect(verifyPassword('x', 'garbage')).toBe(false);
  });
});
