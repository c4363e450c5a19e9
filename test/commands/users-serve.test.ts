import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/db.js';
import { Users } from '../../src/web/users.js';

/** `users` and `serve` through the built program (npm run build first), as an operator runs them. */
const BIN = path.resolve('bin/psa-reports.js');
let dir: string;
let db: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-users-'));
  db = path.join(dir, 'store.db');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], input?: string) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { cwd: dir, input: input ?? '', encoding: 'utf8', env: { PATH: process.env.PATH } });

/** Starts `serve` (or `daemon --serve`) and resolves with its address once it listens. */
function startServing(args: string[]): Promise<{ url: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args, '--db', db], { cwd: dir, env: { PATH: process.env.PATH, PSA_REPORTS_SCHEDULES: path.join(dir, 'schedules.json') } });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /(?:listening on|web app on) (http:\/\/\S+)/.exec(err);
      if (m) resolve({ url: m[1]!, stop: () => new Promise((r) => { child.once('exit', (code) => r(code)); child.kill('SIGTERM'); }) });
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
}

describe('psa-reports users / serve', () => {
  it('serve refuses a non-loopback address while no user exists (exit 2, says how to add one)', () => {
    const r = cli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no user/);
    expect(r.stderr).toMatch(/users add/);
  });

  it('users add needs --role and the password on standard input, of 12 characters or more', () => {
    expect(cli(['users', 'add', 'boss@msp.example']).status).toBe(2);
    const noStdin = cli(['users', 'add', 'boss@msp.example', '--role', 'admin']);
    expect(noStdin.status).toBe(2);
    expect(noStdin.stderr).toMatch(/--password-stdin/);
    expect(cli(['users', 'add', 'boss@msp.example', '--role', 'owner', '--password-stdin'], 'a long enough password').stderr).toMatch(/Allowed: admin, manager, viewer, technician/);
    expect(cli(['users', 'add', 'boss@msp.example', '--role', 'admin', '--password-stdin'], 'short').status).toBe(2);
    const ok = cli(['users', 'add', 'Boss@MSP.example', '--role', 'admin', '--password-stdin'], 'a long enough password\n');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('boss@msp.example: admin');
    expect(ok.stdout).not.toContain('a long enough password');
    const list = cli(['users', 'list']);
    expect(list.stdout).toMatch(/^boss@msp\.example\tadmin\t/m);
    const store = openDb(db);
    try {
      expect(new Users(store).authenticate('boss@msp.example', 'a long enough password')?.role).toBe('admin');
      const hash = (store.prepare('SELECT password_hash FROM web_users').get() as { password_hash: string }).password_hash;
      expect(hash).toMatch(/^scrypt\$/);
      expect(hash).not.toContain('a long enough password');
    } finally {
      store.close();
    }
  });

  it('with a user, serve listens; /health answers without a session; SIGTERM stops it', async () => {
    const s = await startServing(['serve', '--port', '0']);
    try {
      const res = await fetch(`${s.url}/health`);
      expect(await res.json()).toEqual({ lastSyncAt: null, daemon: false });
      expect((await fetch(`${s.url}/`, { redirect: 'manual' })).status).toBe(302);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('daemon --serve runs the schedules and the web app in one process; /health sees the daemon', async () => {
    fs.writeFileSync(path.join(dir, 'schedules.json'), JSON.stringify({ owner: 'ops@msp.example', roles: {}, schedules: [] }));
    const s = await startServing(['daemon', '--serve', '--port', '0', '--tick', '1']);
    try {
      let health = { daemon: false };
      for (let i = 0; i < 50 && !health.daemon; i++) {
        health = await (await fetch(`${s.url}/health`)).json() as { daemon: boolean };
        if (!health.daemon) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health.daemon).toBe(true);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('users remove deletes the user and their sessions', () => {
    expect(cli(['users', 'remove', 'boss@msp.example']).status).toBe(0);
    expect(cli(['users', 'remove', 'boss@msp.example']).status).toBe(2);
    expect(cli(['users', 'list']).stdout).toMatch(/No users/);
  });
});
