import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun, runScheduleNow } from '../../src/delivery/execute.js';
import { burstResults } from '../../src/reporting/personal.js';
import { OutboxMailer, SmtpMailer } from '../../src/delivery/mailer.js';
import { newOwner } from '../../src/store/ledger.js';
import type { DeliveryEvents } from '../../src/delivery/events.js';
import { createLogger } from '../../src/log.js';
import {
  FakeClock, StubComputer, StubRenderer, makeDeps, only, scheduleEntry, schedulesFile, seedResources, startSmtp, tempStore, tinyResult, type TestSmtp,
} from './_helpers.js';

const DUE = Date.parse('2026-03-02T07:00:00Z');

let store: ReturnType<typeof tempStore>;
let smtp: TestSmtp;
let mailer: SmtpMailer;

beforeEach(async () => {
  store = tempStore();
  smtp = await startSmtp();
  mailer = new SmtpMailer(smtp.url);
});
afterEach(async () => {
  mailer.close();
  await smtp.close();
  store.cleanup();
});

function record<K extends keyof DeliveryEvents>(deps: { events: { on: (n: K, f: (e: DeliveryEvents[K]) => void) => unknown } }, name: K): DeliveryEvents[K][] {
  const out: DeliveryEvents[K][] = [];
  deps.events.on(name, (e) => out.push(e));
  return out;
}

describe('executeRun', () => {
  it('delivers one message per recipient with a stable Message-ID, and a second call sends nothing', async () => {
    const clock = new FakeClock(DUE + 1000);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    const sent = record(deps, 'mail:sent');
    const rendered = record(deps, 'report:rendered');
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    expect(smtp.received).toHaveLength(3);
    for (const a of ['a@x.test', 'b@x.test', 'c@x.test']) expect(smtp.to(a)).toHaveLength(1);
    expect(sent).toHaveLength(3);
    expect(rendered).toHaveLength(1);
    const ids = new Set(smtp.received.map((r) => r.messageId));
    expect(ids.size).toBe(3);
    expect(out.deliveries.map((d) => d.message_id).sort()).toEqual([...ids].sort());
    // The report is run as of the due instant, in the schedule's zone.
    expect(deps.computer.calls[0]).toMatchObject({ asOf: DUE, timezone: 'UTC', ids: ['intake/backlog', 'intake/sla-performance'] });
    expect(smtp.received[0]!.subject).toBe('Service KPIs 2026-02-23 – 2026-03-01');
    expect(smtp.received[0]!.raw).toMatch(/List-Unsubscribe: <mailto:owner@x\.test/);

    const again = await executeRun(deps, only(file), DUE);
    expect(again.state).toBe('done');
    expect(smtp.received).toHaveLength(3);
    const runs = store.db.prepare('SELECT * FROM runs').all();
    expect(runs).toHaveLength(1);
  });

  it('SMTP 421 twice then 250: one email, three attempts on the ledger, the others unaffected', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    let tries = 0;
    smtp.fault = (step, rcpt) => (step === 'data' && rcpt === 'b@x.test' && ++tries <= 2 ? { code: 421, message: 'Service not available, try later' } : null);
    const retries = record(deps, 'mail:retry');
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    expect(tries).toBe(3);
    expect(retries).toHaveLength(2);
    for (const a of ['a@x.test', 'b@x.test', 'c@x.test']) expect(smtp.to(a)).toHaveLength(1);
    const b = out.deliveries.find((d) => d.recipient === 'b@x.test')!;
    expect(b).toMatchObject({ state: 'sent', attempts: 3 });
    expect(b.smtp_response).toMatch(/^250/);
    expect(smtp.received.filter((r) => r.to.includes('owner@x.test'))).toHaveLength(0);
  });

  it('a recipient rejected permanently (550) is recorded failed while the others are sent; the owner is told once', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    let rcptTries = 0;
    smtp.fault = (step, rcpt) => (step === 'rcpt' && rcpt === 'b@x.test' && ++rcptTries ? { code: 550, message: 'No such user here' } : null);
    const failed = record(deps, 'mail:failed');
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('partial');
    expect(rcptTries).toBe(1); // permanent: not retried
    expect(smtp.to('a@x.test')).toHaveLength(1);
    expect(smtp.to('c@x.test')).toHaveLength(1);
    expect(smtp.to('b@x.test')).toHaveLength(0);
    const b = out.deliveries.find((d) => d.recipient === 'b@x.test')!;
    expect(b.state).toBe('failed');
    expect(b.last_error).toMatch(/550/);
    expect(failed).toEqual([expect.objectContaining({ recipient: 'b@x.test', permanent: true })]);
    const notices = smtp.to('owner@x.test');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.raw).toMatch(/b@x\.test: failed/);
    expect(out.reason).toMatch(/2 of 3 delivered; failed: b@x\.test/);
  });

  describe('a failure injected at each phase gives a failed run row and exactly one owner notification', () => {
    const cases: { phase: string; inject: (d: ReturnType<typeof makeDeps>) => void; reason: RegExp }[] = [
      { phase: 'sync', inject: (d) => { d.syncer.last = DUE - 5 * 3_600_000; d.syncer.result = { ok: false, error: 'Autotask answered 500' }; }, reason: /data is stale .*freshness 2h.*Autotask answered 500/ },
      { phase: 'compute', inject: (d) => { d.computer.throwAll = new Error('database is locked'); }, reason: /computing the reports failed: database is locked/ },
      { phase: 'render', inject: (d) => { d.renderer.throwWith = new Error('Chromium crashed'); }, reason: /nothing delivered: rendering the message failed: Chromium crashed/ },
      { phase: 'deliver', inject: () => { smtp.fault = (step, rcpt) => (step === 'rcpt' && rcpt !== 'owner@x.test' ? { code: 554, message: 'Transaction failed' } : null); }, reason: /nothing delivered: .*554/ },
    ];
    for (const c of cases) {
      it(c.phase, async () => {
        const clock = new FakeClock(DUE);
        const file = schedulesFile([scheduleEntry()]);
        const deps = makeDeps(store.db, mailer, clock, file);
        c.inject(deps);
        const failedEvents = record(deps, 'run:failed');
        const out = await executeRun(deps, only(file), DUE);
        expect(out.state).toBe('failed');
        expect(out.failedPhase).toBe(c.phase);
        expect(out.reason).toMatch(c.reason);
        const run = store.db.prepare('SELECT * FROM runs').get() as Record<string, unknown>;
        expect(run).toMatchObject({ state: 'failed', failed_phase: c.phase, notice_state: 'sent', notice_to: 'owner@x.test' });
        expect(failedEvents).toHaveLength(1);
        for (const a of ['a@x.test', 'b@x.test', 'c@x.test']) expect(smtp.to(a)).toHaveLength(0);
        // Asking again (a restarted daemon, a second daemon) never notifies twice.
        await executeRun(deps, only(file), DUE);
        const notices = smtp.to('owner@x.test');
        expect(notices).toHaveLength(1);
        expect(notices[0]!.subject).toMatch(/run failed: weekly/);
        expect(notices[0]!.raw).toContain(c.phase);
      });
    }
  });

  it('a fresh-enough store is not synced; a stale one is synced before computing', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry({ freshness: '2h' })]);
    const deps = makeDeps(store.db, mailer, clock, file);
    deps.syncer.last = DUE - 3_600_000;
    await executeRun(deps, only(file), DUE);
    expect(deps.syncer.syncs).toBe(0);
    deps.syncer.last = DUE - 3 * 3_600_000;
    clock.advance(1);
    await runScheduleNow(deps, only(file));
    expect(deps.syncer.syncs).toBe(1);
  });

  it('one deadline covers the run: a render that never finishes fails the run within it, records the phase, sends nothing', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    deps.renderer.hang = true;
    // The renderer never answers: only the run's deadline can end the run (the test's timeout otherwise).
    const out = await executeRun(deps, only(file), DUE, { deadlineMs: 300 });
    expect(out).toMatchObject({ state: 'failed', failedPhase: 'render' });
    expect(out.reason).toMatch(/deadline of 300ms passed during render/);
    expect(smtp.to('a@x.test')).toHaveLength(0);
    expect(out.deliveries.every((d) => d.state === 'skipped')).toBe(true);
    expect(smtp.to('owner@x.test')).toHaveLength(1);
  }, 15_000);

  it('retries stop at the deadline', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file, { retry: { attempts: 100, baseDelayMs: 50, maxDelayMs: 50 } });
    smtp.fault = (step, rcpt) => (step === 'rcpt' && rcpt !== 'owner@x.test' ? { code: 451, message: 'Temporary local problem' } : null);
    const out = await executeRun(deps, only(file), DUE, { deadlineMs: 400 });
    expect(out).toMatchObject({ state: 'failed', failedPhase: 'deliver' });
    expect(out.reason).toMatch(/deadline/);
    expect(smtp.to('owner@x.test')).toHaveLength(1);
  });

  it('an SMTP server that is down: retried as transient, then the run fails in deliver; the notice failure is recorded too', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    await smtp.close();
    const down = new SmtpMailer(smtp.url);
    const deps = makeDeps(store.db, down, clock, file, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    const retries = record(deps, 'mail:retry');
    const out = await executeRun(deps, only(file), DUE);
    down.close();
    smtp = await startSmtp();
    expect(out).toMatchObject({ state: 'failed', failedPhase: 'deliver' });
    expect(out.reason).toMatch(/ECONNREFUSED/);
    expect(retries).toHaveLength(6);
    expect(out.deliveries.map((d) => d.attempts)).toEqual([3, 3, 3]);
    expect(store.db.prepare('SELECT notice_state, notice_error FROM runs').get()).toMatchObject({ notice_state: 'failed', notice_error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('manual runs get their own run rows', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    await executeRun(deps, only(file), DUE);
    const m1 = await runScheduleNow(deps, only(file));
    const m2 = await runScheduleNow(deps, only(file));
    expect(new Set([m1.runId, m2.runId]).size).toBe(2);
    expect(store.db.prepare(`SELECT kind, count(*) AS n FROM runs GROUP BY kind ORDER BY kind`).all()).toEqual([{ kind: 'manual', n: 2 }, { kind: 'scheduled', n: 1 }]);
    expect(smtp.to('a@x.test')).toHaveLength(3);
    // A manual run is created already held by its process: a daemon polling for pending runs never takes it.
    const held = deps.ledger.createManual('weekly', clock.now(), deps.owner, clock.now() + 60_000);
    expect(held).toMatchObject({ state: 'working', kind: 'manual', owner: deps.owner.id, attempt: 1 });
    expect(deps.ledger.runnable(newOwner(), clock.now() - 60_000).map((r) => r.run.id)).not.toContain(held.id);
  });

  it('roles resolve from Autotask resources; nobody to send to is a skipped run the owner hears about', async () => {
    seedResources(store.db, [
      { id: 1, first: 'Ann', last: 'Lead', email: 'Ann@MSP.test', role: 'Service Manager', department: 'Service' },
      { id: 2, first: 'Bo', last: 'Tech', email: 'bo@msp.test', role: 'Technician', department: 'Service' },
      { id: 3, first: 'Cy', last: 'Gone', email: 'cy@msp.test', role: 'Service Manager', department: 'Service', active: false },
    ]);
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry(), scheduleEntry({ id: 'nobody', roles: ['nobody'] })], {
      team: { recipients: [{ autotask: { role: 'service manager' } }] },
      nobody: { recipients: [{ autotask: { role: 'CEO' } }] },
    });
    const deps = makeDeps(store.db, mailer, clock, file);
    expect((await executeRun(deps, file.schedules[0]!, DUE)).state).toBe('sent');
    expect(smtp.received.map((r) => r.to[0])).toEqual(['ann@msp.test']);
    const skipped = await executeRun(deps, file.schedules[1]!, DUE);
    expect(skipped.state).toBe('skipped');
    expect(skipped.reason).toMatch(/no recipients: the roles nobody resolve to no address/);
    expect(smtp.to('owner@x.test')).toHaveLength(1);
  });

  it('a report that cannot be computed does not stop the others; the body says so and the owner is told', async () => {
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const deps = makeDeps(store.db, mailer, clock, file);
    deps.computer.failIds.add('intake/sla-performance');
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('partial');
    expect(out.failedPhase).toBe('compute');
    expect(smtp.to('a@x.test')).toHaveLength(1);
    expect(smtp.to('a@x.test')[0]!.raw).toMatch(/intake\/sla-performance could not be computed/);
    expect(smtp.to('owner@x.test')).toHaveLength(1);
  });
});

describe('bursting', () => {
  it('sends each technician only their own rows and numbers', async () => {
    seedResources(store.db, [
      { id: 11, first: 'Ann', last: 'A', email: 'ann@msp.test', role: 'Technician' },
      { id: 12, first: 'Bob', last: 'B', email: 'bob@msp.test', role: 'Technician' },
      { id: 13, first: 'Cat', last: 'C', email: 'cat@msp.test', role: 'Technician' },
    ]);
    const computer = new StubComputer(['tech-performance/reopen-rate', 'profitability/resource-utilization', 'sales/pipeline']);
    computer.rows['tech-performance/reopen-rate'] = [
      { resource_id: 11, resource: 'Ann A', completed: 40, reopened: 2, reopen_rate_pct: 5 },
      { resource_id: 12, resource: 'Bob B', completed: 30, reopened: 6, reopen_rate_pct: 20 },
      { resource_id: 13, resource: 'Cat C', completed: 10, reopened: 0, reopen_rate_pct: 0 },
    ];
    computer.rows['profitability/resource-utilization'] = [
      { resource_id: 11, resource: 'Ann A', utilization_pct: 81.25 },
      { resource_id: 12, resource: 'Bob B', utilization_pct: 64.5 },
      { resource_id: 13, resource: 'Cat C', utilization_pct: 90.75 },
    ];
    computer.rows['sales/pipeline'] = [{ stage: 'Proposal', amount: 99999 }];
    const clock = new FakeClock(DUE);
    const file = schedulesFile(
      [scheduleEntry({ id: 'scorecards', reports: ['tech-performance', 'profitability/resource-utilization', 'sales/pipeline'], roles: ['techs'], burst: 'technician', subject: 'Your scorecard {name} {period}' })],
      { techs: { recipients: [{ autotask: { role: 'Technician' } }] } },
    );
    const deps = makeDeps(store.db, mailer, clock, file, { computer });
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    expect(smtp.received).toHaveLength(3);
    const mine = { 'ann@msp.test': ['Ann A', '81.25'], 'bob@msp.test': ['Bob B', '64.5'], 'cat@msp.test': ['Cat C', '90.75'] } as const;
    for (const [addr, [name, util]] of Object.entries(mine)) {
      const [msg] = smtp.to(addr);
      expect(msg).toBeDefined();
      expect(msg!.subject).toContain(name.split(' ')[0]);
      expect(msg!.raw).toContain(name);
      expect(msg!.raw).toContain(util);
      for (const [other, [otherName, otherUtil]] of Object.entries(mine)) {
        if (other === addr) continue;
        expect(msg!.raw).not.toContain(otherName);
        expect(msg!.raw).not.toContain(otherUtil);
      }
      // Team-level numbers and reports without a per-technician breakdown stay out.
      expect(msg!.raw).not.toContain('99999');
    }
    const bob = deps.renderer.calls.find((c) => c.audience === 'Bob B')!;
    expect(bob.results.find((r) => r.report === 'tech-performance/reopen-rate')!.metrics).toEqual({ total: null });
  });

  it('bursting by company keeps only that company\'s rows; addresses without a company get an explanation, not other rows', async () => {
    const computer = new StubComputer(['accounting/approve-and-post']);
    computer.rows['accounting/approve-and-post'] = [
      { company_id: 7, company: 'Contoso', hours: 12.5 },
      { company_id: 9, company: 'Fabrikam', hours: 3.25 },
    ];
    const clock = new FakeClock(DUE);
    const file = schedulesFile(
      [scheduleEntry({ id: 'clients', reports: ['accounting'], roles: ['clients'], burst: 'company' })],
      { clients: { recipients: [{ address: 'it@contoso.test', companyId: 7 }, { address: 'ops@fabrikam.test', companyId: 9 }, 'nobody@x.test'] } },
    );
    const deps = makeDeps(store.db, mailer, clock, file, { computer });
    expect((await executeRun(deps, only(file), DUE)).state).toBe('sent');
    const contoso = smtp.to('it@contoso.test')[0]!.raw;
    expect(contoso).toContain('Contoso');
    expect(contoso).not.toContain('Fabrikam');
    const fabrikam = smtp.to('ops@fabrikam.test')[0]!.raw;
    expect(fabrikam).toContain('Fabrikam');
    expect(fabrikam).not.toContain('Contoso');
    const nobody = smtp.to('nobody@x.test')[0]!.raw;
    expect(nobody).not.toMatch(/Contoso|Fabrikam/);
    expect(nobody).toMatch(/not linked to an Autotask company/);
  });

  it('a schedule\'s "window" reaches the computation; without it each report keeps its own', async () => {
    const computer = new StubComputer(['tech-performance/reopen-rate']);
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry({ id: 'weekly-cards', reports: ['tech-performance'], window: 'previous-week' }), scheduleEntry({ id: 'plain', reports: ['tech-performance'] })]);
    const deps = makeDeps(store.db, mailer, clock, file, { computer });
    expect((await executeRun(deps, file.schedules[0]!, DUE)).state).toBe('sent');
    expect((await executeRun(deps, file.schedules[1]!, DUE)).state).toBe('sent');
    expect(computer.calls.map((c) => c.window ?? null)).toEqual(['previous-week', null]);
  });

  it('renders two personal copies at a time and still delivers each copy once, in order', async () => {
    seedResources(store.db, Array.from({ length: 5 }, (_, i) => ({ id: 21 + i, first: `T${i}`, last: 'X', email: `t${i}@msp.test`, role: 'Technician' })));
    const computer = new StubComputer(['tech-performance/reopen-rate']);
    computer.rows['tech-performance/reopen-rate'] = Array.from({ length: 5 }, (_, i) => ({ resource_id: 21 + i, resource: `T${i} X`, completed: i + 1 }));
    const renderer = new StubRenderer();
    renderer.delayMs = 40;
    const clock = new FakeClock(DUE);
    const file = schedulesFile(
      [scheduleEntry({ id: 'cards', reports: ['tech-performance'], roles: ['techs'], burst: 'technician', subject: 'Card {name}' })],
      { techs: { recipients: [{ autotask: { role: 'Technician' } }] } },
    );
    const deps = makeDeps(store.db, mailer, clock, file, { computer, renderer });
    const sentOrder: string[] = [];
    deps.events.on('mail:sent', (e) => sentOrder.push(e.recipient));
    expect((await executeRun(deps, only(file), DUE)).state).toBe('sent');
    expect(renderer.maxInFlight).toBe(2);
    expect(renderer.calls).toHaveLength(5);
    expect(smtp.received).toHaveLength(5);
    for (let i = 0; i < 5; i++) expect(smtp.to(`t${i}@msp.test`)).toHaveLength(1);
    expect(sentOrder).toEqual(renderer.calls.map((c) => `t${c.audience!.slice(1, 2)}@msp.test`));
  });

  it('burstResults uses the report\'s own technician column (sales rows are per owner_id)', () => {
    const r = tinyResult('sales/ready-to-close', [{ opportunity_id: 1, owner_id: 5, amount: 100 }, { opportunity_id: 2, owner_id: 6, amount: 200 }], { opportunities: 2, amount: 300 });
    r.burstKeys = { technician: 'owner_id' };
    const mine = burstResults([r], 'technician', 6);
    expect(mine.notes).toEqual([]);
    expect(mine.results[0]!.rows).toEqual([{ opportunity_id: 2, owner_id: 6, amount: 200 }]);
  });

  it('burstResults keeps metrics of the recipient row only', () => {
    const r = tinyResult('x/y', [{ resource_id: 1, rtte_pct: 90 }, { resource_id: 2, rtte_pct: 50 }], { rtte_pct: 70, without_end_time: 4 });
    const { results } = burstResults([r], 'technician', 2);
    expect(results[0]!.rows).toEqual([{ resource_id: 2, rtte_pct: 50 }]);
    expect(results[0]!.metrics).toEqual({ rtte_pct: 50, without_end_time: null });
  });

  it('a personal copy compares a person with the team average, not the team sum, and a rate over fewer than 5 of their items is not rated', () => {
    const r = tinyResult('x/u', [
      { resource_id: 1, completed: 2, reopen_pct: 50, available_hours: 22.5 },
      { resource_id: 2, completed: 20, reopen_pct: 25, available_hours: 40 },
      { resource_id: 3, completed: 8, reopen_pct: 0, available_hours: 37.5 },
    ], { completed: 30, reopen_pct: 20, available_hours: 100 });
    r.columns = [{ key: 'resource_id', label: 'Id' }, { key: 'completed', label: 'Completed', unit: 'count' }, { key: 'reopen_pct', label: 'Reopened', unit: 'pct' }, { key: 'available_hours', label: 'Available', unit: 'hours' }];
    r.headlines = [
      { metric: 'reopen_pct', label: 'Reopened', value: 20, unit: 'pct', target: 5, better: 'lower', light: 'red', previous: 10 },
      { metric: 'available_hours', label: 'Available hours', value: 100, unit: 'hours', target: null, better: 'none', light: 'none', previous: null },
    ];
    const few = burstResults([r], 'technician', 1).results[0]!;
    // Two tickets: neither red nor a change; the team's rate stays beside it.
    expect(few.headlines[0]).toMatchObject({ value: 50, team: 20, light: 'none', previous: null });
    // 22.5 h beside the average person's 33.3 h, not the team's 100 h.
    expect(few.headlines[1]!.team).toBeCloseTo(100 / 3, 5);
    const many = burstResults([r], 'technician', 2).results[0]!;
    expect(many.headlines[0]).toMatchObject({ value: 25, team: 20, light: 'red' });
  });

  it('a personal copy shows the team value beside the own one, and the light is the person\'s own against the target', () => {
    const r = tinyResult('x/y', [{ resource_id: 1, rtte_pct: 95 }, { resource_id: 2, rtte_pct: 50 }], { rtte_pct: 92 });
    r.warnings = ['2 resource(s) have no availability record: Ann A, Bob B.'];
    r.headlines = [{ metric: 'rtte_pct', label: 'On time', value: 92, unit: 'pct', target: 90, better: 'higher', light: 'green', previous: 88 }];
    const two = burstResults([r], 'technician', 2).results[0]!;
    expect(two.headlines[0]).toMatchObject({ value: 50, team: 92, light: 'red', previous: null });
    // Team notes name other people: a personal copy says that there are some, not what they say.
    expect(two.warnings).toHaveLength(1);
    expect(two.warnings[0]).not.toMatch(/Ann A/);
    expect(two.warnings[0]).toMatch(/1 data-quality note/);
    const one = burstResults([r], 'technician', 1).results[0]!;
    expect(one.headlines[0]).toMatchObject({ value: 95, team: 92, light: 'green' });
    const none = burstResults([r], 'technician', 3).results[0]!;
    expect(none.headlines[0]).toMatchObject({ value: null, team: 92, light: 'none' });
    // Without a row of theirs, a count is 0 (nothing counted was theirs); a rate has no value.
    const counted = tinyResult('x/z', [{ resource_id: 1, completed: 4, rate_pct: 25 }], { completed: 4, rate_pct: 25 });
    counted.headlines = counted.headlines.map((h) => (h.metric === 'rate_pct' ? { ...h, unit: 'pct' as const } : h));
    expect(burstResults([counted], 'technician', 3).results[0]!.metrics).toEqual({ completed: 0, rate_pct: null });
    expect(burstResults([counted], 'technician', null).results[0]!.metrics).toEqual({ completed: null, rate_pct: null });
  });
});

describe('outbox', () => {
  it('writes <run>-<recipient>.eml atomically when no SMTP server is configured', async () => {
    const outbox = path.join(store.dir, 'outbox');
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry({ format: 'csv' })]);
    const deps = makeDeps(store.db, new OutboxMailer(outbox), clock, file);
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    const files = fs.readdirSync(outbox).sort();
    expect(files).toEqual([`${out.runId}-a@x.test.eml`, `${out.runId}-b@x.test.eml`, `${out.runId}-c@x.test.eml`]);
    const eml = fs.readFileSync(path.join(outbox, files[0]!), 'utf8');
    expect(eml).toMatch(/^Message-ID: <psa-reports\.report\.[A-Za-z0-9_-]{12}\.\d+\.[0-9a-f]{16}@msp\.test>$/m);
    expect(eml).toMatch(/Content-Type: text\/csv/);
    expect(eml).toMatch(/multipart\/alternative/);
  });
});

describe('SMTP credentials', () => {
  it('authenticates, and a wrong password never appears in errors, the ledger or describe()', async () => {
    const authSmtp = await startSmtp({ auth: { user: 'reports', pass: 's3cr3t-Pa55' } });
    try {
      const good = new SmtpMailer(authSmtp.url);
      expect(good.describe()).not.toContain('s3cr3t');
      const clock = new FakeClock(DUE);
      const file = schedulesFile([scheduleEntry()]);
      const deps = makeDeps(store.db, good, clock, file);
      expect((await executeRun(deps, only(file), DUE)).state).toBe('sent');
      expect(authSmtp.received[0]!.user).toBe('reports');
      good.close();

      const bad = new SmtpMailer(authSmtp.url.replace('s3cr3t-Pa55', 'wr0ng-Pa55'));
      const deps2 = makeDeps(store.db, bad, clock, file);
      const logLines: string[] = [];
      deps2.events.onAny(createLogger({ format: 'json', write: (l) => logLines.push(l), clock }));
      const out = await runScheduleNow(deps2, only(file));
      bad.close();
      expect(out.state).toBe('failed');
      const dump = JSON.stringify(store.db.prepare('SELECT * FROM runs').all()) + JSON.stringify(store.db.prepare('SELECT * FROM deliveries').all());
      expect(dump).toMatch(/535|Invalid/);
      expect(dump).not.toContain('wr0ng-Pa55');
      expect(dump).not.toContain('s3cr3t-Pa55');
      const log = logLines.join('\n');
      expect(log).toMatch(/"event":"mail:failed"/);
      expect(log).not.toContain('wr0ng-Pa55');
      expect(bad.describe()).toBe(`SMTP smtp://reports:***@127.0.0.1:${authSmtp.port}`);
    } finally {
      await authSmtp.close();
    }
  });
});
