import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { syncStore as runSync } from '../../src/app.js';
import type { CommandIO } from '../../src/commands/types.js';
import type { Clock } from '../../src/types.js';
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

/** A simulator's tenant over HTTP, a temp folder, and the sync command's path into a store there. */
export interface SimHome {
  /** The simulator (closed by cleanup). */
  sim: Simulator;
  /** The temp folder (removed by cleanup). */
  dir: string;
  /** The environment that points psa-reports at the simulator (outbox in the folder). */
  env: NodeJS.ProcessEnv;
  /** The simulator's clock. */
  clock: Clock;
  /** Settings of the store file `name` in the folder. */
  config(name?: string): Config;
  /** `psa-reports sync` into the folder's store.db; throws naming every failed entity. */
  sync(): Promise<void>;
  /** Closes the simulator and removes the folder. */
  cleanup(): Promise<void>;
}

/** A SimHome around a started simulator, in a fresh folder named with `prefix`. */
export function simHome(sim: Simulator, prefix = 'psa-synced-'): SimHome {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = simEnv(sim, { PSA_REPORTS_OUTBOX: path.join(dir, 'outbox') });
  const clock: Clock = { now: () => sim.now() };
  const config = (name = 'store.db') => loadConfig({ db: path.join(dir, name) }, env, dir);
  const io = captureIO(env, dir);
  return {
    sim, dir, env, clock, config,
    async sync() {
      const s = await runSync(config(), io, { clock, progress: 'none' });
      if (!s.ok) throw new Error(`sync failed: ${s.entities.filter((r) => !r.ok).map((r) => `${r.entity}: ${r.error}`).join('; ')}`);
    },
    async cleanup() {
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A simulator over HTTP and a store synced from it through the real sync path, in a fresh temp folder.
 * `days` simulated days of service-desk activity follow, with a sync after each (ticket history).
 */
export async function syncedStore(opts: { scale?: 'tiny' | 'small'; seed?: number; now: number; days?: number }): Promise<{ sim: Simulator; cfg: Config; dir: string; env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const days = opts.days ?? 0;
  const h = simHome(await startSimulator({ port: 0, seed: opts.seed ?? 7, scale: opts.scale ?? 'tiny', now: opts.now - days * 86_400_000 }));
  await h.sync();
  for (let d = 0; d < days; d++) {
    h.sim.advance(86_400_000);
    await h.sync();
  }
  return { sim: h.sim, cfg: h.config(), dir: h.dir, env: h.env, cleanup: h.cleanup };
}
