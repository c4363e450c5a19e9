import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { runSync } from '../../src/commands/sync.js';
import type { CommandIO } from '../../src/commands/types.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

/** A captured CommandIO. */
export function captureIO(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): CommandIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (s) => stdout.push(s), err: (s) => stderr.push(s), isTTY: false, env, cwd, stdout, stderr };
}

/** The environment that points psa-reports at a simulator. */
export function simEnv(sim: Simulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AUTOTASK_BASE_URL: sim.baseUrl, AUTOTASK_ZONE_URL: sim.zoneUrl, AUTOTASK_USERNAME: sim.credentials.username,
    AUTOTASK_SECRET: sim.credentials.secret, AUTOTASK_INTEGRATION_CODE: sim.credentials.integrationCode, ...extra,
  };
}

/**
 * A simulator over HTTP and a store synced from it through the real sync path, in a fresh temp folder.
 * `days` simulated days of service-desk activity follow, with a sync after each (ticket history).
 */
export async function syncedStore(opts: { scale?: 'tiny' | 'small'; seed?: number; now: number; days?: number }): Promise<{ sim: Simulator; cfg: Config; dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-synced-'));
  const days = opts.days ?? 0;
  const sim = await startSimulator({ port: 0, seed: opts.seed ?? 7, scale: opts.scale ?? 'tiny', now: opts.now - days * 86_400_000 });
  const env = simEnv(sim, { PSA_REPORTS_OUTBOX: path.join(dir, 'outbox') });
  const cfg = loadConfig({ db: path.join(dir, 'store.db') }, env, dir);
  const io = captureIO(env, dir);
  const clock = { now: () => sim.now() };
  const first = await runSync(cfg, io, { clock, progress: 'none' });
  if (!first.ok) throw new Error(`sync failed: ${first.failed.join(', ')}`);
  for (let d = 0; d < days; d++) {
    sim.advance(86_400_000);
    const s = await runSync(cfg, io, { clock, progress: 'none' });
    if (!s.ok) throw new Error(`sync failed: ${s.failed.join(', ')}`);
  }
  return { sim, cfg, dir, env, cleanup: async () => { await sim.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}
