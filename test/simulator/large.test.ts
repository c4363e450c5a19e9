import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCredentials } from '../../src/simulator/index.js';
import { NOW, call } from './_helpers.js';

/**
 * The large scale is a contract too: >= 100k tickets, >= 1M time entries, and keyset, change-window and
 * by-ticket pages answered right at that size, over real HTTP. How fast it generates and answers is
 * measured by `npm run bench` (sync section: generation seconds, page times as a ratio to a full scan).
 * The simulator runs in a child process (fixtures/large-sim.ts): generation blocks its process for a while.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const buildDir = path.join(here, '../..', 'node_modules', '.cache', 'psa-reports-tests');
const childJs = path.join(buildDir, `large-sim-${process.pid}.mjs`);

interface Ready {
  baseUrl: string;
  credentials: SimCredentials;
  tickets: number;
  timeEntries: number;
  midTimeEntryId: number;
  someTicket: number;
}

let child: ChildProcess;
let sim: Ready;

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the large simulator exited (${code}) before answering`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
  });
}

beforeAll(async () => {
  fs.mkdirSync(buildDir, { recursive: true });
  // Bundled beside node_modules, as the daemon's kill test does, so packages resolve as for the product.
  await build({ entryPoints: [path.join(here, 'fixtures/large-sim.ts')], outfile: childJs, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });
  child = fork(childJs, ['11', String(NOW)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  sim = await nextMessage<Ready>();
}, 300_000);
afterAll(async () => {
  if (child?.connected) {
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ cmd: 'close' });
    await exited;
  }
  fs.rmSync(childJs, { force: true });
});

function query(body: unknown) {
  const headers = { ApiIntegrationCode: sim.credentials.integrationCode, UserName: sim.credentials.username, Secret: sim.credentials.secret, 'Content-Type': 'application/json' };
  return call(`${sim.baseUrl}V1.0/TimeEntries/query`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('large scale', () => {
  it('has the documented size', () => {
    expect(sim.tickets).toBeGreaterThanOrEqual(100_000);
    expect(sim.timeEntries).toBeGreaterThanOrEqual(1_000_000);
  });

  it('answers keyset, change-window and by-ticket pages', async () => {
    const mid = sim.midTimeEntryId;
    for (let i = 0; i < 20; i++) {
      const r = await query({ filter: [{ op: 'gt', field: 'id', value: mid + i * 500 }] });
      expect(r.body.items).toHaveLength(500);
      expect(r.body.items[0].id).toBeGreaterThan(mid + i * 500);
    }
    child.send({ cmd: 'advance', ms: 3_600_000 });
    const s = await nextMessage<{ from: number; created: number[] }>();
    expect(s.created.length).toBeGreaterThan(0);
    // An hour of a 900-technician desk is more than one page of entries: every page of the change window.
    const changed: number[] = [];
    for (let after = 0; ;) {
      const r = await query({ filter: [{ op: 'gte', field: 'lastModifiedDateTime', value: new Date(s.from + 1).toISOString() }, { op: 'gt', field: 'id', value: after }] });
      const ids = r.body.items.map((x: { id: number }) => x.id) as number[];
      changed.push(...ids);
      if (ids.length < 500) break;
      after = Math.max(...ids);
    }
    expect(changed).toEqual(expect.arrayContaining(s.created));
    const byTicket = await query({ filter: [{ op: 'eq', field: 'ticketID', value: sim.someTicket }] });
    expect(byTicket.body.items.length).toBeGreaterThan(0);
    expect(byTicket.body.items.every((x: { ticketID: number }) => x.ticketID === sim.someTicket)).toBe(true);
  });
});
