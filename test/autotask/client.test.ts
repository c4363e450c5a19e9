import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { CURSOR_PAGES, createAutotaskClient, type AutotaskEvent, type AutotaskRecord } from '../../src/autotask/client.js';
import { memoryLedger } from '../../src/autotask/budget.js';
import { F } from '../../src/autotask/filter.js';
import { AppError } from '../../src/errors.js';
import { SECRET, clientOf, envOf, sim } from '../sync/_helpers.js';

let s: Simulator | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function collect(it: AsyncIterable<{ items: AutotaskRecord[] }>): Promise<{ ids: number[]; pages: number; rows: AutotaskRecord[] }> {
  const rows: AutotaskRecord[] = [];
  let pages = 0;
  for await (const p of it) {
    pages++;
    rows.push(...p.items);
  }
  return { ids: rows.map((r) => r.id), pages, rows };
}

function tenantIds(sm: Simulator, entity: string): number[] {
  const t = sm.tenant.table(entity);
  const ids: number[] = [];
  for (let p = 0; p < t.length; p++) if (t.isAlive(p)) ids.push(t.idAt(p));
  return ids.sort((a, b) => a - b);
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

describe('Autotask client against the simulator', () => {
  it('pages across many pages with POST and with GET, following nextPageUrl with the same method', async () => {
    s = await sim();
    const c = clientOf(s);
    const want = tenantIds(s, 'Tickets');
    expect(want.length).toBeGreaterThan(60);
    const post = await collect(c.query('Tickets', { filter: [F.all()], maxRecords: 7 }, { method: 'POST' }));
    const get = await collect(c.query('Tickets', { filter: [F.all()], maxRecords: 7 }, { method: 'GET' }));
    expect(post.ids).toEqual(want);
    expect(get.ids).toEqual(want);
    expect(post.pages).toBe(Math.ceil(want.length / 7));
    expect(get.pages).toBe(post.pages);
    const nexts = s.stats().log.filter((l) => /\/query\/next$/i.test(l.path));
    expect(nexts.some((l) => l.method === 'GET' && l.status === 200)).toBe(true);
    expect(nexts.some((l) => l.method === 'POST' && l.status === 200)).toBe(true);
    expect(nexts.every((l) => l.status === 200)).toBe(true);
    expect(await c.count('Tickets', [F.all()])).toBe(want.length);
  });

  it('keyset paging resumes after an id and matches nextPageUrl paging', async () => {
    s = await sim();
    const c = clientOf(s);
    const want = tenantIds(s, 'TimeEntries');
    const mid = want[Math.floor(want.length / 3)]!;
    const rest = await collect(c.queryKeyset('TimeEntries', { filter: [F.all()], maxRecords: 50 }, { afterId: mid }));
    expect(rest.ids).toEqual(want.filter((x) => x > mid));
  });

  for (const answer of ['end', 404, 500] as const) {
    it(`reads every row when the server caps its cursors at 5 pages (${answer === 'end' ? 'no next link' : `HTTP ${answer} on the next link`})`, async () => {
      s = await sim({ cursorCap: { pages: 5, answer } });
      const events: AutotaskEvent[] = [];
      const c = clientOf(s, { onEvent: (e) => events.push(e) });
      const want = tenantIds(s, 'TimeEntries');
      expect(want.length).toBeGreaterThan(5 * 20 * 3);
      const got = await collect(c.queryKeyset('TimeEntries', { filter: [F.all()], maxRecords: 20 }));
      expect(got.ids).toEqual(want);
      if (answer !== 'end') {
        const refused = s.stats().log.filter((l) => /\/query\/next$/i.test(l.path) && l.status === answer);
        expect(refused.length).toBeGreaterThan(0);
        expect(events.some((e) => e.type === 'autotask:requery' && e.reason === 'link-refused')).toBe(true);
      }
    });
  }

  it(`makes a fresh query by id after ${CURSOR_PAGES} pages of one cursor, at no extra request`, async () => {
    s = await sim();
    const events: AutotaskEvent[] = [];
    const c = clientOf(s, { onEvent: (e) => events.push(e) });
    const want = tenantIds(s, 'TimeEntries');
    const size = Math.max(1, Math.floor(want.length / (CURSOR_PAGES * 2 + 5)));
    const before = c.stats().requests;
    const got = await collect(c.queryKeyset('TimeEntries', { filter: [F.all()], maxRecords: size }));
    expect(got.ids).toEqual(want);
    expect(events.filter((e) => e.type === 'autotask:requery' && e.reason === 'cursor-pages')).toHaveLength(Math.floor((Math.ceil(want.length / size) - 1) / CURSOR_PAGES));
    // One request per page (plus at most one empty page at a restart boundary).
    expect(c.stats().requests - before).toBeLessThanOrEqual(Math.ceil(want.length / size) + 2);
    const nexts = s.stats().log.filter((l) => /\/query\/next$/i.test(l.path)).length;
    expect(nexts).toBeLessThan(got.pages);
  });

  it('filters as Autotask does: nested and/or, in, notExist, datetimes', async () => {
    s = await sim();
    const c = clientOf(s);
    const all = (await collect(c.query('Tickets', { filter: [F.all()] }))).rows;
    const freq = new Map<number, number>();
    for (const r of all) freq.set(r.status as number, (freq.get(r.status as number) ?? 0) + 1);
    // the two rarest statuses: the filter must leave rows out
    const statuses = [...freq.entries()].sort((a, b) => a[1] - b[1]).slice(0, 2).map(([v]) => v);
    const cut = all.map((r) => Date.parse(String(r.createDate))).sort((a, b) => a - b)[Math.floor(all.length / 2)]!;
    const got = await collect(c.query('Tickets', {
      filter: [
        F.or(F.in('status', statuses), F.and(F.notExist('completedDate'), F.gte('createDate', new Date(cut)))),
        F.gt('id', 0),
      ],
      includeFields: ['status', 'completedDate', 'createDate'],
    }));
    const want = all
      .filter((r) => statuses.includes(r.status as number) || ((r.completedDate ?? null) === null && Date.parse(String(r.createDate)) >= cut))
      .map((r) => r.id);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(all.length);
    expect(got.ids).toEqual(want);
    // includeFields projected the rows, and id was added for paging
    expect(Object.keys(got.rows[0]!).sort()).toEqual(expect.arrayContaining(['id', 'status']));
    expect(got.rows[0]!.title).toBeUndefined();
  });

  it('never has more than 3 requests in flight per entity endpoint', async () => {
    s = await sim({ latency: { baseMs: 15 } });
    const c = clientOf(s);
    const n = tenantIds(s, 'Tickets').length;
    const runs = await Promise.all([
      ...Array.from({ length: 6 }, () => collect(c.query('Tickets', { filter: [F.all()], maxRecords: 20 }))),
      ...Array.from({ length: 4 }, () => c.count('Tickets', [F.all()])),
      c.fields('Tickets'),
      c.get('Tickets', tenantIds(s!, 'Tickets')[0]!),
    ]);
    for (const r of runs.slice(0, 6)) expect((r as { ids: number[] }).ids.length).toBe(n);
    const st = s.stats();
    expect(st.maxInFlight.Tickets).toBeLessThanOrEqual(3);
    expect(c.stats().maxInFlight.Tickets).toBe(3); // the limit was reached, not merely never tested
    expect(st.rejected429).toBe(0);
  });

  it('discovers the zone through AUTOTASK_ZONE_URL once and uses the REST base it returns', async () => {
    s = await sim();
    const events: AutotaskEvent[] = [];
    const c = clientOf(s, { onEvent: (e) => events.push(e) }, { baseUrl: undefined });
    await c.count('Companies', [F.all()]);
    await c.fields('Companies');
    const zone = events.filter((e) => e.type === 'autotask:zone');
    expect(zone).toEqual([{ type: 'autotask:zone', url: s.baseUrl }]);
    expect(s.stats().byEndpoint.ZoneInformation).toBe(1);
  });

  it('a 401 from a discovered zone asks for the zone again, once: a moved database is followed, a bad secret still fails as AUTH', async () => {
    s = await sim();
    const old = await sim({ credentials: { secret: 'the-secret-of-another-database' } });
    try {
      let lookups = 0;
      let answer = old.baseUrl;
      const f: typeof fetch = async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (/zoneInformation/i.test(url)) {
          lookups++;
          const body = { zoneName: 'z', url: answer, webUrl: 'https://ww.example/', ci: 1 };
          answer = s!.baseUrl; // the database has moved: later lookups name the new zone
          return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
        }
        return fetch(input, init);
      };
      const events: AutotaskEvent[] = [];
      const c = clientOf(s, { fetch: f, onEvent: (e) => events.push(e) }, { baseUrl: undefined });
      const want = tenantIds(s, 'Tickets');
      // Three at once: they all meet the 401, share one new lookup and continue at the new zone.
      const got = await Promise.all([c.count('Tickets', [F.all()]), collect(c.queryKeyset('Tickets', { filter: [F.all()], maxRecords: 50 })), c.count('Tickets', [F.all()])]);
      expect(got[0]).toBe(want.length);
      expect(got[1].ids).toEqual(want);
      expect(got[2]).toBe(want.length);
      expect(lookups).toBe(2);
      expect(events.filter((e) => e.type === 'autotask:zone').map((e) => (e as { url: string }).url)).toEqual([old.baseUrl, s.baseUrl]);

      // Same zone, wrong secret: one more lookup finds nothing new, and the error names the variables.
      lookups = 0;
      answer = s.baseUrl;
      const bad = clientOf(s, { fetch: f }, { baseUrl: undefined, secret: 'wrong-secret-value' });
      const err = await failure(bad.count('Tickets', [F.all()]));
      expect(err.code).toBe('AUTH');
      expect(err.message).toMatch(/AUTOTASK_SECRET/);
      expect(err.message).not.toContain('wrong-secret-value');
      expect(lookups).toBe(2);
    } finally {
      await old.close();
    }
  });

  it('turns credential failures into AUTH/ZONE errors naming the variable, never the secret', async () => {
    s = await sim();
    const events: AutotaskEvent[] = [];
    const onEvent = (e: AutotaskEvent) => events.push(e);
    const wrongSecret = 'Wrong-Secret-Do-Not-Print-4471';

    const bad = await failure(clientOf(s, { onEvent }, { secret: wrongSecret }).count('Tickets', [F.all()]));
    expect(bad.code).toBe('AUTH');
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toMatch(/AUTOTASK_SECRET/);

    const unknown = await failure(clientOf(s, { onEvent }, { baseUrl: undefined, username: 'nobody@example.com' }).count('Tickets', [F.all()]));
    expect(unknown.code).toBe('ZONE');
    expect(unknown.message).toMatch(/AUTOTASK_USERNAME/);
    expect(unknown.message).toMatch(/AUTOTASK_BASE_URL/);

    const code = await failure(clientOf(s, { onEvent }, { integrationCode: 'NOPE' }).count('Tickets', [F.all()]));
    expect(code.code).toBe('AUTH');
    expect(code.message).toMatch(/AUTOTASK_INTEGRATION_CODE/);

    expect(() => createAutotaskClient({ ...envOf(s), secret: undefined, integrationCode: undefined })).toThrow(/AUTOTASK_SECRET, AUTOTASK_INTEGRATION_CODE/);

    const text = JSON.stringify([bad.message, unknown.message, code.message, bad.details, events, String(bad.stack)]);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(wrongSecret);
    // no retries on credential errors: each failed once
    expect(events.filter((e) => e.type === 'autotask:retry')).toEqual([]);
  });

  it('retries 429s honouring Retry-After, and 500s, resets and malformed bodies with backoff', async () => {
    s = await sim({ faults: { rate429: 1, retryAfterSeconds: 2, everyNth: 3, only: ['Tickets'] } });
    const slept: number[] = [];
    const events: AutotaskEvent[] = [];
    const c = clientOf(s, { sleep: async (ms) => void slept.push(ms), onEvent: (e) => events.push(e) });
    const want = tenantIds(s, 'Tickets');
    expect((await collect(c.query('Tickets', { filter: [F.all()], maxRecords: 10 }))).ids).toEqual(want);
    const retries = events.filter((e): e is Extract<AutotaskEvent, { type: 'autotask:retry' }> => e.type === 'autotask:retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.status === 429 && r.delayMs >= 2000)).toBe(true);
    expect(slept.filter((ms) => ms >= 2000).length).toBe(retries.length);

    for (const kind of ['rate500', 'rateReset', 'rateMalformed'] as const) {
      s.setFaults({ [kind]: 1, everyNth: 2, only: ['Tickets'] });
      const ev: AutotaskEvent[] = [];
      const c2 = clientOf(s, { sleep: async () => {}, onEvent: (e) => ev.push(e) });
      expect((await collect(c2.query('Tickets', { filter: [F.all()], maxRecords: 10 }))).ids).toEqual(want);
      expect(ev.filter((e) => e.type === 'autotask:retry').length).toBeGreaterThan(0);
    }
  });

  it('parses Retry-After given as an HTTP date', async () => {
    const now = Date.UTC(2026, 0, 1, 12);
    let countCalls = 0;
    const fakeFetch = (async (url: string | URL | Request) => {
      if (String(url).includes('ThresholdInformation')) {
        return new Response(JSON.stringify({ externalRequestThreshold: 10000, requestThresholdTimeframe: 60, currentTimeframeRequestCount: 1 }), { status: 200 });
      }
      countCalls++;
      if (countCalls === 1) return new Response('{"errors":["slow down"]}', { status: 429, headers: { 'Retry-After': new Date(now + 7000).toUTCString() } });
      return new Response(JSON.stringify({ queryCount: 3 }), { status: 200 });
    }) as typeof fetch;
    const slept: number[] = [];
    const c = createAutotaskClient(
      { username: 'u', secret: SECRET, integrationCode: 'i', baseUrl: 'http://127.0.0.1:9/ATServicesRest/', zoneUrl: 'http://127.0.0.1:9/' },
      { fetch: fakeFetch, clock: { now: () => now }, sleep: async (ms) => void slept.push(ms), baseDelayMs: 5 },
    );
    await expect(c.count('Tickets', [F.all()])).resolves.toBe(3);
    expect(slept).toEqual([7000]);
  });

  it('stops retrying at the deadline and when the run is cancelled', async () => {
    s = await sim({ faults: { rate500: 1, only: ['Tickets'] } });
    let t = Date.now();
    const c = clientOf(s, { clock: { now: () => t }, deadline: t + 1000, sleep: async (ms) => void (t += ms), baseDelayMs: 400, maxDelayMs: 10_000 });
    const e = await failure(c.count('Tickets', [F.all()]));
    expect(e.code).toBe('DEADLINE');
    expect(e.message).toMatch(/HTTP 500/);

    const ac = new AbortController();
    const c2 = clientOf(s, { signal: ac.signal, baseDelayMs: 10_000, maxDelayMs: 10_000 });
    const p = c2.count('Tickets', [F.all()]);
    setTimeout(() => ac.abort(new Error('run cancelled')), 50);
    expect((await failure(p)).code).toBe('DEADLINE');
  });

  it('retries a request that times out, and reports the timeout when it keeps happening', async () => {
    s = await sim({ latency: { baseMs: 300 } });
    const events: AutotaskEvent[] = [];
    const c = clientOf(s, { requestTimeoutMs: 60, maxAttempts: 2, onEvent: (e) => events.push(e) });
    const e = await failure(c.count('Tickets', [F.all()]));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/timed out/);
    expect(events.filter((x) => x.type === 'autotask:retry' && x.endpoint === 'Tickets').length).toBe(1);
  });

  it('keeps its own requests under budgetShare of the hourly threshold, waiting and saying so', async () => {
    s = await sim({ hourlyLimit: 60 });
    let t = s.now();
    const events: AutotaskEvent[] = [];
    const c = clientOf(s, {
      budgetShare: 0.25,
      clock: { now: () => t },
      sleep: async (ms) => void (t += ms),
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 25; i++) await c.count('Companies', [F.all()]);
    const waits = events.filter((e): e is Extract<AutotaskEvent, { type: 'autotask:budget-wait' }> => e.type === 'autotask:budget-wait');
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ reason: 'own-share', budget: 15, used: 15 });
    expect(waits[0]!.waitMs).toBeGreaterThan(59 * 60_000);
    expect(s.stats().rejected429).toBe(0);
  });

  it('clients sharing one ledger share one budget, and a wait past the deadline or the longest wait fails with BUDGET', async () => {
    s = await sim({ hourlyLimit: 80 });
    const t = s.now();
    const ledger = memoryLedger();
    const slept: number[] = [];
    const opts = { budgetShare: 0.25, ledger, clock: { now: () => t }, sleep: async (ms: number) => void slept.push(ms) };
    const a = clientOf(s, opts);
    const b = clientOf(s, { ...opts, deadline: t + 30 * 60_000 });
    // 20 between them: the first client's threshold read and 12 counts, then the second's read and 6 counts.
    for (let i = 0; i < 12; i++) await a.count('Companies', [F.all()]);
    for (let i = 0; i < 6; i++) await b.count('Companies', [F.all()]);
    expect(ledger.used(t)).toBe(20);
    // The hour frees a slot in about an hour, after the second client's deadline: it stops at once.
    const late = await failure(b.count('Companies', [F.all()]));
    expect(late.code).toBe('BUDGET');
    expect(late.message).toMatch(/^Autotask request budget spent: 20 of 20 requests in the last hour \(budgetShare 0\.25 of the 80-request hour, shared by every psa-reports process on this database\); the next is free at \S+, later than the run deadline\. The sync stops \(at Companies\); the next one continues where it stopped$/);
    // The first client may wait 10 minutes only.
    const c = clientOf(s, { ...opts, budgetMaxWaitMs: 10 * 60_000 });
    expect((await failure(c.count('Companies', [F.all()]))).message).toMatch(/later than the longest wait allowed \(10 min, settings autotask\.budgetMaxWaitMinutes\)/);
    expect(slept).toEqual([]);
    expect(s.stats().requests).toBe(20);
  });
});
