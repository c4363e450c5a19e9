import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { openDb, type Db } from '../../src/store/db.js';
import { Events } from '../../src/delivery/events.js';
import { Ledger, newOwner, type OwnerInfo } from '../../src/store/ledger.js';
import type { DeliveryDeps } from '../../src/delivery/execute.js';
import type { Mailer, MessageContent, MessageRenderer, RenderInput, ReportComputer, Syncer } from '../../src/delivery/ports.js';
import { parseSchedules, type Schedule, type SchedulesFile } from '../../src/delivery/schedules.js';
import type { ItemResult, ReportResult, Row } from '../../src/types.js';

/** A fresh SQLite file in a temp folder. */
export function tempStore(): { db: Db; file: string; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-delivery-'));
  const file = path.join(dir, 'store.db');
  const db = openDb(file);
  return { db, file, dir, cleanup: () => { try { db.close(); } catch { /* already closed */ } fs.rmSync(dir, { recursive: true, force: true }); } };
}

/** A clock the test moves. */
export class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number | string): void {
    this.t = typeof t === 'string' ? Date.parse(t) : t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A message the test SMTP server accepted. */
export interface Received {
  /** RCPT TO addresses. */
  to: string[];
  /** MAIL FROM. */
  from: string;
  /** Message-ID header. */
  messageId: string;
  /** Subject header. */
  subject: string;
  /** Whole message. */
  raw: string;
  /** Authenticated user, if any. */
  user: string | null;
}

/** What the fault hook may answer for one step: an SMTP error to reply with, or nothing (accept). */
export type Fault = { code: number; message: string } | null;

/** A real in-process SMTP server on 127.0.0.1 with scriptable faults. */
export interface TestSmtp {
  /** Port it listens on. */
  port: number;
  /** URL for SmtpMailer. */
  url: string;
  /** Accepted messages, in order. */
  received: Received[];
  /** Every step's fault hook (rcpt: at RCPT TO; data: after the message body). */
  fault: (step: 'rcpt' | 'data', rcpt: string, session: SMTPServerSession) => Fault;
  /** Milliseconds to wait before answering the end of a message (a slow server). */
  delay: (rcpt: string) => number;
  /** Called when a message has been received, before the answer is delayed and sent. */
  onReceiving: (rcpt: string) => void;
  /** Resolves when `n` messages have been accepted. */
  waitFor(n: number): Promise<void>;
  /** Accepted messages to one address. */
  to(address: string): Received[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (what nodemailer does to non-ASCII subjects). */
function decodeWords(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? decodeWords(m[1]!.trim()) : '';
}

function smtpError(f: { code: number; message: string }): Error {
  const e = new Error(f.message) as Error & { responseCode: number };
  e.responseCode = f.code;
  return e;
}

/** Starts the SMTP server. `auth` requires that user/password. */
export async function startSmtp(opts: { auth?: { user: string; pass: string } } = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const api: TestSmtp = {
    port: 0,
    url: '',
    received,
    fault: () => null,
    delay: () => 0,
    onReceiving: () => {},
    waitFor(n) {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    to: (address) => received.filter((r) => r.to.includes(address.toLowerCase())),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !opts.auth,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      const e = new Error('Invalid username or password') as Error & { responseCode: number };
      e.responseCode = 535;
      cb(e);
    },
    onRcptTo(address: SMTPServerAddress, session, cb) {
      const f = api.fault('rcpt', address.address.toLowerCase(), session);
      if (f) return cb(smtpError(f));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const rcpts = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        api.onReceiving(rcpts[0] ?? '');
        const wait = api.delay(rcpts[0] ?? '');
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const f = api.fault('data', rcpts[0] ?? '', session);
        if (f) return cb(smtpError(f));
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          to: rcpts,
          from: session.envelope.mailFrom ? (session.envelope.mailFrom as SMTPServerAddress).address : '',
          messageId: header(raw, 'Message-ID'),
          subject: header(raw, 'Subject'),
          raw,
          user: (session.user as string | undefined) ?? null,
        });
        for (const w of [...waiters]) {
          if (received.length >= w.n) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
        cb(null, `OK queued as ${received.length}`);
      });
    },
  });
  // A client killed mid-conversation resets its connection: expected in the kill tests.
  server.on('error', () => {});
  // Nagle + delayed ACKs cost ~40 ms per SMTP round trip on loopback; tests send hundreds of messages.
  server.server.on('connection', (sock: import('node:net').Socket) => sock.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  api.port = (server.server.address() as { port: number }).port;
  api.url = opts.auth ? `smtp://${opts.auth.user}:${encodeURIComponent(opts.auth.pass)}@127.0.0.1:${api.port}` : `smtp://127.0.0.1:${api.port}`;
  return api;
}

/** A small but complete ReportResult; rows may carry resource_id for bursting. */
export function tinyResult(report: string, rows: Row[] = [], metrics: Record<string, number | null> = { total: rows.length }): ReportResult {
  return {
    report,
    title: `Report ${report}`,
    description: 'test stand-in',
    group: report.split('/')[0]!,
    asOf: '2026-03-02T12:00:00.000Z',
    window: { from: '2026-02-23T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    timezone: 'UTC',
    metrics,
    rows,
    columns: rows.length ? Object.keys(rows[0]!).map((k) => ({ key: k, label: k })) : [],
    headlines: Object.keys(metrics).map((m) => ({ metric: m, label: m, value: metrics[m] ?? null, unit: 'count' as const, target: null, better: 'none' as const, light: 'none' as const, previous: null })),
    series: [],
    charts: [],
    warnings: [],
  };
}

/** Compute stand-in: a fixed catalogue; `fail` makes one id or the whole call fail. */
export class StubComputer implements ReportComputer {
  calls: { ids: readonly string[]; asOf: number; timezone: string; window?: string }[] = [];
  throwAll: Error | null = null;
  failIds = new Set<string>();
  rows: Record<string, Row[]> = {};
  hang = false;
  constructor(public ids: string[] = ['intake/backlog', 'intake/sla-performance', 'sales/pipeline', 'tech-performance/reopen-rate']) {}
  reportIds(): readonly string[] {
    return this.ids;
  }
  async compute(ids: readonly string[], opts: { asOf: number; timezone: string; signal: AbortSignal; window?: string }): Promise<ItemResult<ReportResult>[]> {
    this.calls.push({ ids, asOf: opts.asOf, timezone: opts.timezone, ...(opts.window ? { window: opts.window } : {}) });
    if (this.hang) await new Promise((_, reject) => opts.signal.addEventListener('abort', () => reject(opts.signal.reason)));
    if (this.throwAll) throw this.throwAll;
    return ids.map((id) =>
      this.failIds.has(id)
        ? { ok: false as const, name: id, error: new Error(`no such table in ${id}`) }
        : { ok: true as const, name: id, value: tinyResult(id, this.rows[id] ?? [{ id: 1, value: 7 }]) },
    );
  }
}

/** Render stand-in: a trivial HTML body listing every row, so tests can read what each copy shows. */
export class StubRenderer implements MessageRenderer {
  calls: RenderInput[] = [];
  throwWith: Error | null = null;
  hang = false;
  /** Milliseconds each render takes (to see renders overlap). */
  delayMs = 0;
  /** Renders in progress now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Audience names in the order their renders finished. */
  finished: (string | null)[] = [];
  async render(input: RenderInput, opts: { signal: AbortSignal }): Promise<MessageContent> {
    this.calls.push(input);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    } finally {
      this.inFlight--;
    }
    this.finished.push(input.audience);
    if (this.hang) await new Promise((_, reject) => opts.signal.addEventListener('abort', () => reject(opts.signal.reason)));
    if (this.throwWith) throw this.throwWith;
    const body = input.results.map((r) => `<h2>${r.title}</h2><pre>${JSON.stringify({ metrics: r.metrics, rows: r.rows })}</pre>`).join('');
    const text = input.results.map((r) => `${r.title}\nmetrics=${JSON.stringify(r.metrics)}\nrows=${JSON.stringify(r.rows)}`).join('\n') + (input.notes.length ? `\n${input.notes.join('\n')}` : '');
    return {
      html: `<html><body><h1>${input.subject}</h1>${body}</body></html>`,
      text,
      attachments: input.format === 'csv' ? [{ filename: 'report.csv', contentType: 'text/csv', content: Buffer.from('a,b\n1,2\n') }] : [],
    };
  }
}

/** Sync stand-in. */
export class StubSyncer implements Syncer {
  syncs = 0;
  result: { ok: boolean; error?: string } = { ok: true };
  constructor(private readonly clock: { now(): number }, public last: number | null) {}
  lastSuccessAt(): number | null {
    return this.last;
  }
  async sync(): Promise<{ ok: boolean; error?: string }> {
    this.syncs++;
    if (this.result.ok) this.last = this.clock.now();
    return this.result;
  }
}

/** Inserts Autotask resources (and their role/department pairings) into the store. */
export function seedResources(
  db: Db,
  list: { id: number; first: string; last: string; email: string | null; active?: boolean; role?: string; department?: string; level?: number }[],
): void {
  const roles = new Map<string, number>();
  const depts = new Map<string, number>();
  const now = Date.now();
  for (const r of list) {
    db.prepare(`INSERT INTO resources (id, firstName, lastName, email, isActive, securityLevelID, raw, synced_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?)`)
      .run(r.id, r.first, r.last, r.email, r.active === false ? 0 : 1, r.level ?? null, now);
    if (r.role || r.department) {
      let roleId: number | null = null;
      let deptId: number | null = null;
      if (r.role) {
        if (!roles.has(r.role)) {
          roles.set(r.role, roles.size + 1);
          db.prepare(`INSERT INTO roles (id, name, isActive, raw, synced_at) VALUES (?, ?, 1, '{}', ?)`).run(roles.size, r.role, now);
        }
        roleId = roles.get(r.role)!;
      }
      if (r.department) {
        if (!depts.has(r.department)) {
          depts.set(r.department, depts.size + 1);
          db.prepare(`INSERT INTO departments (id, name, raw, synced_at) VALUES (?, ?, '{}', ?)`).run(depts.size, r.department, now);
        }
        deptId = depts.get(r.department)!;
      }
      db.prepare(`INSERT INTO resource_role_departments (id, resourceID, roleID, departmentID, isActive, raw, synced_at) VALUES (?, ?, ?, ?, 1, '{}', ?)`)
        .run(r.id * 100, r.id, roleId, deptId, now);
    }
  }
}

/** A schedules file with one role of literal addresses and the given schedules. */
export function schedulesFile(schedules: Record<string, unknown>[], roles: Record<string, unknown> = { team: { recipients: ['a@x.test', 'b@x.test', 'c@x.test'] } }): SchedulesFile {
  return parseSchedules({ owner: 'owner@x.test', roles, schedules }, 'schedules.json');
}

/** A schedule entry with sensible test defaults. */
export function scheduleEntry(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'weekly',
    cron: '0 7 * * mon',
    timezone: 'UTC',
    reports: ['intake'],
    format: 'html',
    roles: ['team'],
    subject: 'Service KPIs {period}',
    catchUp: 'skip',
    freshness: '2h',
    deadline: '1m',
    ...over,
  };
}

/** Builds deps around a store and a mailer. */
export function makeDeps(
  db: Db,
  mailer: Mailer,
  clock: FakeClock,
  file: SchedulesFile,
  over: Partial<DeliveryDeps> & { owner?: OwnerInfo } = {},
): DeliveryDeps & { computer: StubComputer; renderer: StubRenderer; syncer: StubSyncer } {
  const computer = (over.computer as StubComputer | undefined) ?? new StubComputer();
  const renderer = (over.renderer as StubRenderer | undefined) ?? new StubRenderer();
  const syncer = (over.syncer as StubSyncer | undefined) ?? new StubSyncer(clock, clock.now());
  return {
    db,
    ledger: new Ledger(db),
    mailer,
    clock,
    events: new Events(),
    schedules: file,
    from: 'psa-reports <reports@msp.test>',
    owner: newOwner(),
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    heartbeatMs: 50,
    staleMs: 60_000,
    noticeDeadlineMs: 5000,
    ...over,
    computer,
    renderer,
    syncer,
  };
}

/** The only schedule of a file. */
export function only(file: SchedulesFile): Schedule {
  return file.schedules[0]!;
}
