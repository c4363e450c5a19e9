import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { loadConfig } from '../../src/config.js';
import { syncStore as runSync } from '../../src/app.js';
import { syncExitCode } from '../../src/sync/run.js';
import type { CommandIO } from '../../src/commands/types.js';
import { SECRET, sim, tempDir } from './_helpers.js';

let s: Simulator | undefined;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('psa-runsync-');
});
afterEach(async () => {
  await s?.close();
  s = undefined;
  tmp.cleanup();
});

function io(isTTY: boolean, env: NodeJS.ProcessEnv): CommandIO & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (x) => lines.push(x), err: (x) => lines.push(x), isTTY, env, cwd: tmp.dir };
}

function envOf(sm: Simulator): NodeJS.ProcessEnv {
  return {
    AUTOTASK_USERNAME: sm.credentials.username,
    AUTOTASK_SECRET: sm.credentials.secret,
    AUTOTASK_INTEGRATION_CODE: sm.credentials.integrationCode,
    AUTOTASK_BASE_URL: sm.baseUrl,
  };
}

describe('runSync (what the command, daemon and demo call)', () => {
  it('draws a progress bar from query/count totals on a terminal', async () => {
    s = await sim();
    const env = envOf(s);
    const cfg = loadConfig({ db: path.join(tmp.dir, 'a.db') }, env, tmp.dir);
    const term = io(true, env);
    const sum = await runSync(cfg, term, { entities: ['Tickets', 'TimeEntries'] });
    expect(syncExitCode(sum)).toBe(0);
    const total = s.tenant.table('Tickets').size + s.tenant.table('TimeEntries').size;
    const bars = term.lines.filter((l) => /\[[#.]{30}\] \d+%/.test(l));
    expect(bars.length).toBeGreaterThan(1);
    expect(bars.at(-1)).toContain(`100% ${total}/${total} rows, 2/2 entities`);
    expect(term.lines.at(-1)).toMatch(/^sync done: \d+ rows, \d+ requests/);
    // count requests were made for the totals
    expect(s.stats().log.some((l) => /query\/count$/i.test(l.path))).toBe(true);
  });

  it('without a terminal prints one line per entity and names the failed entities and why', async () => {
    s = await sim({ faults: { rate500: 1, only: ['TimeEntries'] } });
    const env = envOf(s);
    const cfg = loadConfig({ db: path.join(tmp.dir, 'b.db') }, env, tmp.dir);
    const pipe = io(false, env);
    const sum = await runSync(cfg, pipe, { entities: ['Tickets', 'TimeEntries'], clientOptions: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
    expect(syncExitCode(sum)).toBe(1);
    expect(pipe.lines).toContainEqual(expect.stringMatching(/^Tickets: \d+ rows, \d+ requests, [\d.]+ s \(initial\)$/));
    expect(pipe.lines).toContainEqual(expect.stringMatching(/^failed: TimeEntries: .*HTTP 500/));
    expect(pipe.lines.join('\n')).not.toContain(SECRET);
    expect(pipe.lines.some((l) => l.includes('\x1b['))).toBe(false);
  });
});
