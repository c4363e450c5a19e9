import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { Users } from '../../src/web/users.js';
import { captureIO, syncedStore } from '../helpers/synced.js';
import type { Clock } from '../../src/types.js';

export const NOW = Date.parse('2026-11-26T12:00:00Z');
export const PASSWORD = 'correct horse battery staple';

/** A synced store, users of every role and the web server on a free port of 127.0.0.1. */
export interface WebHome {
  base: string;
  server: WebServer;
  db: Db;
  cfg: Config;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The technician user's resource id, and another technician's. */
  techId: number;
  otherTechId: number;
  techEmail: string;
  sim: Awaited<ReturnType<typeof syncedStore>>['sim'];
  /** What the server wrote (its log lines). */
  io: ReturnType<typeof captureIO>;
  /** Restarts nothing; writes schedules.json into the folder and points the configuration at it. */
  cleanup(): Promise<void>;
}

export async function webHome(opts: { env?: NodeJS.ProcessEnv; schedules?: unknown; boardPollMs?: number; settings?: unknown; port?: number; pageRows?: number } = {}): Promise<WebHome> {
  const s = await syncedStore({ scale: 'tiny', seed: 11, now: NOW, days: 1 });
  const env = { ...s.env, ...opts.env };
  if (opts.schedules) fs.writeFileSync(path.join(s.dir, 'schedules.json'), JSON.stringify(opts.schedules));
  if (opts.settings) fs.writeFileSync(path.join(s.dir, 'settings.json'), JSON.stringify(opts.settings));
  const cfg = loadConfig({ db: s.cfg.db, ...(opts.settings ? { config: 'settings.json' } : {}) }, env, s.dir);
  const db = openDb(cfg.db);
  const users = new Users(db);
  const techs = db.prepare(`SELECT id, email FROM resources WHERE isActive = 1 AND email IS NOT NULL ORDER BY id LIMIT 2`).all() as { id: number; email: string }[];
  for (const [email, role] of [['admin@msp.example', 'admin'], ['manager@msp.example', 'manager'], ['viewer@msp.example', 'viewer'], [techs[0]!.email, 'technician']] as const) {
    users.add(email, role, PASSWORD, NOW);
  }
  const clock: Clock = { now: () => s.sim.now() };
  const io = captureIO(env, s.dir);
  const server = await startWebServer({ cfg, db, io, host: '127.0.0.1', port: opts.port ?? 0, clock, ...(opts.boardPollMs ? { boardPollMs: opts.boardPollMs } : {}), ...(opts.pageRows ? { pageRows: opts.pageRows } : {}) });
  return {
    base: server.url, server, db, cfg, dir: s.dir, env, sim: s.sim, io,
    techId: techs[0]!.id, otherTechId: techs[1]!.id, techEmail: techs[0]!.email.toLowerCase(),
    async cleanup() {
      await server.close();
      db.close();
      await s.cleanup();
    },
  };
}

/** A cookie jar over fetch, signed in as `email`; `csrf` is the session's token (read from a page). */
export async function signIn(base: string, email: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; get(p: string, init?: RequestInit): Promise<Response>; post(p: string, form: Record<string, string>): Promise<Response> }> {
  const login = await fetch(`${base}/login`);
  const loginCookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const token = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}`);
  const session = res.headers.getSetCookie().find((c) => c.startsWith('psa_session='))!.split(';')[0]!;
  const page = await fetch(`${base}/board`, { headers: { cookie: session } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return {
    cookie: session, csrf,
    get: (p, init = {}) => fetch(`${base}${p}`, { redirect: 'manual', ...init, headers: { cookie: session, ...(init.headers ?? {}) } }),
    post: (p, form) => fetch(`${base}${p}`, { method: 'POST', redirect: 'manual', headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }),
  };
}
