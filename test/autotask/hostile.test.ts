// A hostile or broken Autotask, played by a proxy in front of the real simulator: credentials never leave
// the REST base, redirects are not followed, bodies and Retry-After are bounded, a hang cannot hold a sync,
// server text reaches the terminal without control characters, and malformed records are named, not stored.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { createAutotaskClient, type AutotaskClientOptions, type AutotaskEvent } from '../../src/autotask/client.js';
import { F } from '../../src/autotask/filter.js';
import { AppError } from '../../src/errors.js';
import { loadConfig } from '../../src/config.js';
import { syncStore as runSync } from '../../src/app.js';
import { syncExitCode } from '../../src/sync/run.js';
import { openDb } from '../../src/store/db.js';
import { SECRET, sim, tempDir } from '../sync/_helpers.js';
import { credentialHeaders, isNext, isQuery, startCanary, startProxy, type Proxy, type Server } from './_hostile.js';

let s: Simulator;
let proxy: Proxy;
let canary: Server;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  // Small pages, so entities have several and next links matter.
  s = await sim({ pageSize: 25 });
  proxy = await startProxy(s);
  canary = await startCanary();
  tmp = tempDir('psa-hostile-');
});

afterEach(async () => {
  // The canary stands for a third party's host: whatever the test, it is never asked anything.
  const leaked = canary.seen.map((x) => `${x.method} ${x.url} [${credentialHeaders(x).join(', ')}]`);
  await Promise.all([proxy.close(), canary.close(), s.close()]);
  tmp.cleanup();
  expect(leaked).toEqual([]);
});

function client(opts: AutotaskClientOptions = {}, env: { baseUrl?: string | undefined; zoneUrl?: string } = {}) {
  return createAutotaskClient(
    { username: s.credentials.username, secret: SECRET, integrationCode: s.credentials.integrationCode, baseUrl: proxy.baseUrl, zoneUrl: proxy.zoneUrl, ...env },
    { baseDelayMs: 1, maxDelayMs: 5, ...opts },
  );
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a failure');
}

async function drain(it: AsyncIterable<{ items: unknown[] }>): Promise<number> {
  let n = 0;
  for await (const p of it) n += p.items.length;
  return n;
}

function cli(extra: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = {
    AUTOTASK_USERNAME: s.credentials.username, AUTOTASK_SECRET: SECRET, AUTOTASK_INTEGRATION_CODE: s.credentials.integrationCode,
    AUTOTASK_BASE_URL: proxy.baseUrl, ...extra,
  };
  const lines: string[] = [];
  const io = { out: (x: string) => lines.push(x), err: (x: string) => lines.push(x), isTTY: false, env, cwd: tmp.dir };
  const config = loadConfig({ db: path.join(tmp.dir, 'store.db') }, env, tmp.dir);
  return { io, lines, config };
}

/** Replaces the next link of every page with one on the canary (same path: only the port differs). */
const linkToCanary = (body: string) => body.replace(/"nextPageUrl":"http:\/\/127\.0\.0\.1:\d+\//, `"nextPageUrl":"${canary.origin}/`);

describe('credentials stay with the REST base', () => {
  it('a nextPageUrl on another host is refused: the query fails naming the host, the canary hears nothing', async () => {
    proxy.rule = (x) => (isNext(x, 'Tickets') ? { rewrite: linkToCanary } : isQuery(x, 'Tickets') ? { rewrite: linkToCanary } : undefined);
    const e = await failure(drain(client().query('Tickets', { filter: [F.all()], maxRecords: 10 })));
    expect(e.code).toBe('AUTOTASK_UNTRUSTED');
    expect(e.message).toContain(`127.0.0.1:${canary.port}`);
    expect(e.message).toMatch(/not followed/);
  });

  it('the sync marks the entity failed (exit 1, run partial), keeps the pages it read, and syncs the others', async () => {
    let pages = 0;
    // The third page of Tickets points at the canary; the first two are real.
    proxy.rule = (x) => ((isQuery(x, 'Tickets') || isNext(x, 'Tickets')) && ++pages === 3 ? { rewrite: linkToCanary } : undefined);
    const { io, lines, config } = cli();
    const sum = await runSync(config, io, { entities: ['Companies', 'Tickets'], progress: 'lines', clientOptions: { baseDelayMs: 1, maxDelayMs: 5 } });
    const tickets = sum.entities.find((r) => r.entity === 'Tickets')!;
    expect(syncExitCode(sum)).toBe(1);
    expect(sum.ok).toBe(false);
    expect(tickets.ok).toBe(false);
    expect(tickets.code).toBe('AUTOTASK_UNTRUSTED');
    expect(sum.entities.find((r) => r.entity === 'Companies')!.ok).toBe(true);
    expect(lines.join('\n')).toMatch(new RegExp(`failed: Tickets: .*127\\.0\\.0\\.1:${canary.port}`));
    const db = openDb(path.join(tmp.dir, 'store.db'));
    try {
      expect((db.prepare("SELECT status FROM sync_runs ORDER BY id DESC LIMIT 1").pluck().get())).toBe('partial');
      // The two pages read before the refused link are kept; the next sync resumes after them.
      expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(50);
    } finally {
      db.close();
    }
  });

  it('pages large enough to need links: through the proxy (no rewriting) the same query reads every row', async () => {
    // The control for the two tests above: the proxy itself does not break paging.
    const n = await drain(client().query('Tickets', { filter: [F.all()], maxRecords: 10 }));
    expect(n).toBe(s.tenant.table('Tickets').size);
  });

  for (const status of [301, 302, 307, 308]) {
    it(`a ${status} to another host is not followed: an error naming the host, no credentials sent on`, async () => {
      proxy.rule = (x) => (isQuery(x, 'Tickets') ? (res) => {
        res.writeHead(status, { location: `${canary.origin}/ATServicesRest/V1.0/Tickets/query` });
        res.end();
      } : undefined);
      const e = await failure(drain(client().query('Tickets', { filter: [F.all()] })));
      expect(e.code).toBe('AUTOTASK_UNTRUSTED');
      expect(e.message).toContain(`HTTP ${status}`);
      expect(e.message).toContain(`127.0.0.1:${canary.port}`);
      // Not retried either: one request reached the proxy.
      expect(proxy.seen.filter((x) => isQuery(x, 'Tickets'))).toHaveLength(1);
    });
  }

  it('a redirect of zone discovery is not followed (the user name would go along)', async () => {
    proxy.rule = (x) => (/zoneInformation/i.test(x.url) ? (res) => {
      res.writeHead(302, { location: `${canary.origin}/atservicesrest/v1.0/zoneInformation?user=x` });
      res.end();
    } : undefined);
    const e = await failure(client({}, { baseUrl: undefined }).threshold());
    expect(e.code).toBe('ZONE');
    expect(e.message).toContain(`127.0.0.1:${canary.port}`);
  });

  for (const answer of ['http://localhost:PORT/ATServicesRest/', 'https://evil.example/ATServicesRest/', 'http://webservices3.autotask.net/ATServicesRest/']) {
    it(`a zone answer naming ${answer.replace('PORT', '…')} is refused before any credentialed request`, async () => {
      proxy.rule = (x) => (/zoneInformation/i.test(x.url) ? (res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ zoneName: 'z', url: answer.replace('PORT', String(canary.port)), webUrl: 'https://ww3.autotask.net/', ci: 1 }));
      } : undefined);
      const e = await failure(client({}, { baseUrl: undefined }).count('Tickets', [F.all()]));
      expect(e.code).toBe('ZONE');
      expect(e.message).toMatch(/AUTOTASK_BASE_URL/);
      expect(proxy.seen.filter((x) => credentialHeaders(x).length > 0)).toEqual([]);
    });
  }

  it('zone discovery through AUTOTASK_ZONE_URL on its own host is used (the rule tests run under)', async () => {
    const n = await client({}, { baseUrl: undefined }).count('Tickets', [F.all()]);
    expect(n).toBe(s.tenant.table('Tickets').size);
  });
});

describe('bounded answers', () => {
  it('an endless body fails the request without reading it all, and is retried only the normal number of times', async () => {
    proxy.rule = (x) => (isQuery(x, 'Tickets') ? (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
      const chunk = `${'{"id":1,"title":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},'.repeat(1000)}`;
      // Writes as fast as the client reads, until the client hangs up.
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    } : undefined);
    const e = await failure(drain(client({ maxBodyBytes: 2_000_000, maxAttempts: 3 }).query('Tickets', { filter: [F.all()] })));
    expect(e.code).toBe('AUTOTASK_MALFORMED');
    expect(e.message).toMatch(/larger than 2000000 bytes/);
    expect(proxy.seen.filter((x) => isQuery(x, 'Tickets'))).toHaveLength(3);
  });

  it('a body declared larger than the limit is refused before it is read', async () => {
    proxy.rule = (x) => (isQuery(x, 'Tickets') ? (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1_500_000_000) });
      res.write('{"items":[');
    } : undefined);
    const e = await failure(drain(client({ maxAttempts: 2 }).query('Tickets', { filter: [F.all()] })));
    expect(e.message).toMatch(/larger than 50000000 bytes/);
    expect(proxy.seen.filter((x) => isQuery(x, 'Tickets'))).toHaveLength(2);
  });

  it('Retry-After: 999999 waits the cap (120 s), not 11 days, and the sync says so', async () => {
    let n = 0;
    proxy.rule = (x) => (isQuery(x, 'Tickets') && n++ === 0 ? (res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '999999' });
      res.end('{"errors":["API thread threshold of 3 threads has been exceeded"]}');
    } : undefined);
    const slept: number[] = [];
    const events: AutotaskEvent[] = [];
    const { io, lines, config } = cli();
    const sum = await runSync(config, io, {
      entities: ['Tickets'], progress: 'lines', onEvent: (e) => events.push(e as AutotaskEvent),
      clientOptions: { baseDelayMs: 1, maxDelayMs: 5, sleep: async (ms) => void slept.push(ms) },
    });
    expect(syncExitCode(sum)).toBe(0);
    expect(slept).toEqual([120_000]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'autotask:retry', delayMs: 120_000, retryAfterCappedFromMs: 999_999_000 }));
    expect(lines).toContainEqual(expect.stringMatching(/asked Tickets to wait 999999 s \(Retry-After\); waiting 120 s/));
  });

  it('a server that never answers fails the request at its timeout, for headers and for a body that stops', async () => {
    proxy.rule = (x) => (isQuery(x, 'Tickets') ? () => {} : isQuery(x, 'Companies') ? (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
    } : undefined);
    const c = client({ requestTimeoutMs: 100, maxAttempts: 2 });
    for (const entity of ['Tickets', 'Companies']) {
      const e = await failure(drain(c.query(entity, { filter: [F.all()] })));
      expect(e.code).toBe('NETWORK');
      expect(e.message).toMatch(/timed out/);
      expect(proxy.seen.filter((x) => isQuery(x, entity))).toHaveLength(2);
    }
  });

  it('a whole-sync time limit: entities still waiting on a hung server fail with the reason, exit 1', async () => {
    proxy.rule = (x) => (isQuery(x, 'Tickets') || isQuery(x, 'TimeEntries') ? () => {} : undefined);
    const { io, lines, config } = cli();
    const sum = await runSync(config, io, { entities: ['Tickets', 'TimeEntries'], progress: 'lines', deadlineMs: 400 });
    expect(syncExitCode(sum)).toBe(1);
    expect(sum.ok).toBe(false);
    for (const name of ['Tickets', 'TimeEntries']) {
      const r = sum.entities.find((x) => x.entity === name)!;
      expect(r.ok).toBe(false);
      expect(r.code).toBe('DEADLINE');
      expect(r.error).toMatch(/time limit of 0\.4 s \(settings autotask\.syncDeadlineMinutes\)/);
    }
    // Said once, where the sync stopped, not once per entity.
    expect(lines.join('\n')).toMatch(/sync stopped: the sync stopped after its time limit of 0\.4 s \(settings autotask\.syncDeadlineMinutes\)/);
  });
});

describe('hostile text and malformed records', () => {
  it('escape sequences in an Autotask error never reach the terminal', async () => {
    const evil = '\u001b[2J\u001b]0;owned\u0007\u009b31mUnable to find \u001b[31mprojectID\u001b[0m in the TimeEntry Entity\r\u0000';
    proxy.rule = (x) => (isQuery(x, 'Tickets') ? (res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [evil] }));
    } : undefined);
    const { io, lines, config } = cli();
    const sum = await runSync(config, io, { entities: ['Tickets'], progress: 'lines' });
    expect(syncExitCode(sum)).toBe(1);
    const out = lines.join('\n');
    expect(out).toContain('Unable to find [31mprojectID[0m in the TimeEntry Entity');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(sum.entities[0]!.error).not.toMatch(/\u001b/);
  });

  it('records without an id or with wrong field types are named per entity and field, and not stored', async () => {
    const t0 = s.tenant.table('Tickets');
    const ids = [...Array(t0.length).keys()].filter((p) => t0.isAlive(p)).map((p) => t0.idAt(p)).sort((x, y) => x - y);
    const [a, b, c, d, e2] = ids;
    proxy.rule = (x) => (isQuery(x, 'Tickets') ? {
      rewrite: (body) => {
        const page = JSON.parse(body) as { items: Record<string, unknown>[] };
        for (const r of page.items) {
          if (r.id === a) delete r.id;
          else if (r.id === b) r.status = 'open';
          else if (r.id === c) r.createDate = 'yesterday';
          else if (r.id === d) r.estimatedHours = '2.5'; // a number as text: coerced, stored
          else if (r.id === e2) r.companyID = { id: 5 };
        }
        return JSON.stringify(page);
      },
    } : undefined);
    const { io, lines, config } = cli();
    const sum = await runSync(config, io, { entities: ['Tickets'], progress: 'lines' });
    const t = sum.entities[0]!;
    expect(t.ok).toBe(true);
    expect(t.note).toMatch(/^4 Tickets records not stored/);
    expect(t.note).toContain('Tickets: a record without an id');
    expect(t.note).toContain(`Tickets id ${b}: field status is string "open", allowed: an integer`);
    expect(t.note).toContain(`Tickets id ${c}: field createDate is string "yesterday", allowed: an ISO date-time (UTC)`);
    expect(t.note).toContain('and 1 more');
    expect(lines.join('\n')).toContain(`field status is string "open"`);
    const db = openDb(path.join(tmp.dir, 'store.db'));
    try {
      const stored = db.prepare('SELECT id FROM tickets ORDER BY id').pluck().all() as number[];
      expect(stored).toEqual(ids.filter((x) => x !== a && x !== b && x !== c && x !== e2));
      expect(db.prepare('SELECT estimatedHours FROM tickets WHERE id = ?').pluck().get(d)).toBe(2.5);
    } finally {
      db.close();
    }
  });
});
