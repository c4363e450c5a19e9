import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTITIES } from '../../src/autotask/entities.js';
import { ENTITY_PERMISSION, groupsByEntity } from '../../src/commands/check-online.js';
import { openDb } from '../../src/store/db.js';

const root = path.resolve(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

function hasSystemdAnalyze(): boolean {
  return spawnSync('systemd-analyze', ['--version']).status === 0 && fs.existsSync('/usr/bin/node');
}

describe('production files', () => {
  it('the systemd unit runs as a dedicated user with secrets from a root-only file, restarts, and is hardened', () => {
    const unit = read('deploy/psa-reports.service');
    for (const line of ['User=psa-reports', 'EnvironmentFile=/etc/psa-reports/psa-reports.env', 'Restart=on-failure', 'StateDirectory=psa-reports',
      'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=']) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m); // V8's JIT cannot run under it
  });

  it.runIf(hasSystemdAnalyze())('the units pass systemd-analyze verify', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-units-'));
    try {
      const units = ['psa-reports.service', 'psa-reports-backup.service', 'psa-reports-backup.timer'];
      for (const u of units) fs.copyFileSync(path.join(root, 'deploy', u), path.join(dir, u));
      const r = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(dir, u))], { encoding: 'utf8' });
      // Warnings about the absent /opt/psa-reports install are not errors of the unit.
      expect(r.status, r.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the image runs as a non-root user with the store on a volume and a health check', () => {
    const c = read('deploy/Containerfile');
    expect(c).toMatch(/^FROM docker\.io\/library\/debian:\S+$/m);
    expect(c).toMatch(/ chromium fonts-dejavu-core /);
    expect(c).toMatch(/^USER psa-reports$/m);
    expect(c).toMatch(/^VOLUME \["\/var\/lib\/psa-reports"\]$/m);
    expect(c).toMatch(/^HEALTHCHECK /m);
    const compose = read('deploy/compose.yaml');
    expect(compose).toMatch(/^ {2}daemon:$/m);
    expect(compose).toMatch(/^ {2}web:$/m);
    expect(compose).toContain('"serve"');
    expect(compose).toMatch(/^volumes:\n {2}store:/m);
  });

  it('the health check answers from the daemon lock heartbeat', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-health-'));
    const file = path.join(dir, 'store.db');
    const run = () => spawnSync(process.execPath, [path.join(root, 'deploy/healthcheck.mjs'), 'daemon'], { env: { ...process.env, PSA_REPORTS_DB: file }, encoding: 'utf8' });
    try {
      expect(run().status).toBe(1); // no store
      const db = openDb(file);
      const lock = db.prepare('INSERT OR REPLACE INTO daemon_lock (name, owner, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)');
      lock.run('daemon', 'h:1:t:1', 1, 'h', Date.now() - 600_000, Date.now() - 600_000);
      const stale = run();
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/unhealthy: no daemon heartbeat for \d+ s/);
      lock.run('daemon', 'h:1:t:1', 1, 'h', Date.now(), Date.now());
      db.close();
      expect(run().status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every entity has its permission, and the README lists every entity in the permissions table', () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('**The API user\'s permissions.**'), readme.indexOf('## Reliability'));
    const groups = groupsByEntity(path.join(root, 'reports'));
    for (const e of ENTITIES) {
      expect(ENTITY_PERMISSION[e.name], e.name).toBeDefined();
      expect(table, e.name).toMatch(new RegExp(`\\b${e.name}\\b`));
      // An optional entity may be refused to the API user (a note, not a failed sync): when reports read it, the
      // README's row says it is optional and names the report groups that lose data without it.
      if (e.optional && (groups.get(e.name) ?? []).length) {
        const row = table.split('\n').find((l) => new RegExp(`\\b${e.name}\\b`).test(l)) ?? '';
        expect(row, e.name).toMatch(/optional/);
        for (const g of groups.get(e.name) ?? []) expect(row, `${e.name} → ${g}`).toContain(g);
      }
    }
    expect(groups.get('Tickets')).toEqual(expect.arrayContaining(['intake', 'tech-performance']));
    expect(groups.get('Opportunities')).toContain('sales');
  });
});
