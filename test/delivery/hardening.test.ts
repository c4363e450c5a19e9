import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { executeRun, runScheduleNow } from '../../src/delivery/execute.js';
import { SmtpMailer, parseSmtpUrl } from '../../src/delivery/mailer.js';
import { parseAddress, parseSender } from '../../src/delivery/address.js';
import { Ledger } from '../../src/store/ledger.js';
import { redactText, redactUrl } from '../../src/redact.js';
import { createLogger } from '../../src/log.js';
import historyCommand from '../../src/commands/history.js';
import { loadConfig } from '../../src/config.js';
import { captureIO } from '../commands/io.js';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli.js';
import {
  FakeClock, StubComputer, makeDeps, only, scheduleEntry, schedulesFile, seedResources, startSmtp, tempStore, type TestSmtp,
} from './_helpers.js';

/** Probes of issue 16 on the delivery side: each reproduces an attack or a fault seen against the daemon. */

const DUE = Date.parse('2026-03-02T07:00:00Z');
/** Undoes quoted-printable soft line breaks, so a body can be searched. */
const qp = (raw: string) => raw.replace(/=\r?\n/g, '');

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

describe('one redaction for every URL and secret', () => {
  const PASSWORDS = ['Pw0rd/Secret', 'Pw0rd@Secret', 'Pw0rd#Secret', 'Pw0rd?Secret', 'Pw0rd%Secret', 'Pw0rd%2FSecret', 'Pw0rd:Secret'];

  it('never prints any part of a password holding / @ # ? % or :', () => {
    for (const pass of PASSWORDS) {
      const url = `smtp://u:${pass}@mail.example:25`;
      const shown = redactUrl(url);
      expect(shown).toBe('smtp://u:***@mail.example:25');
      expect(redactText(`cannot connect to ${url} (refused)`, [])).toBe('cannot connect to smtp://u:***@mail.example:25 (refused)');
    }
    // A token used as the user name goes whole; text that is no URL loses what precedes its last "@".
    expect(redactUrl('https://tok/en@api.example/x')).toBe('https://***@api.example/x');
    expect(redactUrl('u:Pw0rd/Secret@host:25')).toBe('***@host:25');
    expect(redactUrl('smtp://mail.example:25')).toBe('smtp://mail.example:25');
  });

  it('reads the password up to the last "@", so the host and the password are both right', () => {
    for (const pass of ['Pw0rd/Secret', 'Pw0rd@Secret', 'Pw0rd#Secret', 'Pw0rd?Secret']) {
      const t = parseSmtpUrl(`smtp://u:${pass}@host.example:25?requireTLS=true`);
      expect(t).toMatchObject({ host: 'host.example', port: 25, user: 'u', pass, secure: false });
      expect(t.query.get('requireTLS')).toBe('true');
    }
    expect(parseSmtpUrl('smtp://u:Pw0rd%2FSecret@h:25').pass).toBe('Pw0rd/Secret');
    expect(parseSmtpUrl('smtp://u:100%zz@h:25').pass).toBe('100%zz');
    expect(parseSmtpUrl('smtps://me@gmail.example:p@ss@smtp.gmail.example')).toMatchObject({ user: 'me@gmail.example', pass: 'p@ss', host: 'smtp.gmail.example', port: 465, secure: true });
    expect(() => parseSmtpUrl('u:Pw0rd/Secret@host')).toThrow(/^SMTP_URL is not a URL \(expected smtp:\/\//);
    expect(() => parseSmtpUrl('smtp://u:Pw0rd/Secret@')).toThrow(/SMTP_URL has no (valid )?host/);
    try {
      parseSmtpUrl('http://u:Pw0rd/Secret@host');
    } catch (e) {
      expect(String(e)).not.toMatch(/Pw0rd|Secret/);
    }
  });

  it('a password with "/" authenticates, and a server that echoes the password back (plain, base64, AUTH PLAIN) never gets it printed', async () => {
    const pass = 'Pw0rd/Se+cret';
    const user = 'reports';
    const b64 = Buffer.from(pass).toString('base64');
    const plain = Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64');
    let echo = false;
    const server = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false, disableReverseLookup: true,
      onAuth(auth, _s, cb) {
        if (!echo && auth.username === user && auth.password === pass) return cb(null, { user });
        const e = new Error(`rejected ${auth.password} ${b64} ${plain}`) as Error & { responseCode: number };
        e.responseCode = 535;
        cb(e);
      },
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => cb(null, `OK ${pass}`));
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.server.address() as net.AddressInfo).port;
    try {
      const m = new SmtpMailer(`smtp://${user}:${pass}@127.0.0.1:${port}`);
      expect(m.describe()).toBe(`SMTP smtp://${user}:***@127.0.0.1:${port}`);
      const clock = new FakeClock(DUE);
      const file = schedulesFile([scheduleEntry()]);
      const deps = makeDeps(store.db, m, clock, file);
      const log: string[] = [];
      deps.events.onAny(createLogger({ format: 'json', write: (l) => log.push(l), clock }));
      expect((await executeRun(deps, only(file), DUE)).state).toBe('sent');
      echo = true;
      const out = await runScheduleNow(deps, only(file));
      m.close();
      expect(out.state).toBe('failed');
      const dump = JSON.stringify(store.db.prepare('SELECT * FROM runs').all()) + JSON.stringify(store.db.prepare('SELECT * FROM deliveries').all()) + log.join('\n');
      expect(dump).toMatch(/535 rejected \*\*\*/);
      for (const secret of [pass, 'Pw0rd', 'Se+cret', encodeURIComponent(pass), b64, plain]) expect(dump).not.toContain(secret);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('smtps:// still works over the socket the mailer owns (nodemailer adds TLS on top)', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      secure: true, authOptional: true, logger: false, disableReverseLookup: true,
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => { received.push(session.envelope.rcptTo[0]!.address); cb(null, 'OK'); });
      },
    });
    server.on('error', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.server.address() as net.AddressInfo).port;
    try {
      const m = new SmtpMailer(`smtps://127.0.0.1:${port}?rejectUnauthorized=false`);
      await m.send({ runId: 1, to: 'a@x.test', from: 'r@x.test', subject: 's', messageId: '<1@x.test>', date: DUE, content: { text: 'hi' } }, { signal: new AbortController().signal });
      m.close();
      expect(received).toEqual(['a@x.test']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('recipient addresses never come from untrusted text', () => {
  it('parses exactly one plain address per field', () => {
    expect(parseAddress(' Ann@MSP.test ')).toEqual({ ok: true, address: 'ann@msp.test' });
    expect(parseAddress("o'brien+kpi@sub.msp-1.test")).toEqual({ ok: true, address: "o'brien+kpi@sub.msp-1.test" });
    const refused: [string, RegExp][] = [
      ['bob@msp.test\r\nmallory@evil.test', /line break/],
      ['bob@msp.test\n', /line break/],
      ['bob@msp.test\u0000', /control/],
      ['cat@msp.test,eve@evil.test', /list/],
      ['cat@msp.test; eve@evil.test', /list/],
      ['"boss@msp.test" <eve@evil.test>', /not a plain address/],
      ['Boss <eve@evil.test>', /not a plain address/],
      ['eve@evil.test (boss@msp.test)', /not a plain address/],
      ['a@b@evil.test', /exactly one "@"/],
      ['@evil.test', /exactly one "@"/],
      ['nobody', /exactly one "@"/],
      ['a..b@msp.test', /local part/],
      ['a@-msp.test', /domain/],
      ['a@[127.0.0.1]', /not a plain address/],
      ['ännä@msp.test', /ASCII/],
      [`${'a'.repeat(65)}@msp.test`, /local part/],
      [`a@${'b'.repeat(250)}.test`, /longer than 254/],
      ['', /empty/],
    ];
    for (const [raw, why] of refused) {
      const p = parseAddress(raw);
      expect(p.ok, raw).toBe(false);
      if (!p.ok) expect(p.reason, raw).toMatch(why);
    }
  });

  it('a resource e-mail with CRLF and one with a comma are refused and named in the run notes; the others get their own copy (burst by technician)', async () => {
    seedResources(store.db, [
      { id: 11, first: 'Ann', last: 'A', email: 'ann@msp.test', role: 'Technician' },
      { id: 12, first: 'Bob', last: 'B', email: 'bob@msp.test\r\nmallory@evil.test', role: 'Technician' },
      { id: 13, first: 'Cat', last: 'C', email: 'cat@msp.test,eve@evil.test', role: 'Technician' },
      { id: 14, first: 'Dan', last: 'D', email: 'Dan@MSP.test', role: 'Technician' },
      { id: 15, first: 'Eve', last: 'E', email: '"dan@msp.test" <eve@evil.test>', role: 'Technician' },
    ]);
    const computer = new StubComputer(['tech-performance/reopen-rate']);
    computer.rows['tech-performance/reopen-rate'] = [11, 12, 13, 14, 15].map((id) => ({ resource_id: id, resource: `R${id}`, completed: id, reopened: 1 }));
    for (const burst of ['technician', null] as const) {
      const clock = new FakeClock(DUE);
      const file = schedulesFile(
        [scheduleEntry({ id: `s-${burst ?? 'all'}`, reports: ['tech-performance'], roles: ['techs'], ...(burst ? { burst } : {}) })],
        { techs: { recipients: [{ autotask: { role: 'Technician' } }] } },
      );
      const deps = makeDeps(store.db, mailer, clock, file, { computer });
      const refusedEvents: unknown[] = [];
      deps.events.on('recipient:refused', (e) => refusedEvents.push(e));
      const before = smtp.received.length;
      const out = await executeRun(deps, only(file), DUE);
      const got = smtp.received.slice(before).filter((m) => !m.to.includes('owner@x.test'));
      // Only the two valid addresses; nothing to the injected ones, nothing to the refused owners either.
      expect(got.map((m) => m.to).sort()).toEqual([['ann@msp.test'], ['dan@msp.test']]);
      for (const m of got) expect(m.raw).not.toMatch(/evil\.test|mallory/);
      if (burst) {
        expect(qp(got.find((m) => m.to[0] === 'ann@msp.test')!.raw)).toContain('"resource_id":11');
        expect(qp(got.find((m) => m.to[0] === 'ann@msp.test')!.raw)).not.toContain('"resource_id":12');
      }
      // The ledger holds exactly the addresses given to SMTP.
      expect(out.deliveries.map((d) => [d.recipient, d.state])).toEqual([['ann@msp.test', 'sent'], ['dan@msp.test', 'sent']]);
      const run = new Ledger(store.db).run(out.runId!)!;
      const notes = run.notes!.split('\n');
      expect(notes).toHaveLength(3);
      expect(notes[0]).toMatch(/^Autotask resource 12 \(Bob B\): e-mail "bob@msp\.test\\r\\nmallory@evil\.test" refused \(it contains a line break/);
      expect(notes[1]).toMatch(/^Autotask resource 13 \(Cat C\): e-mail "cat@msp\.test,eve@evil\.test" refused \(it is a list/);
      expect(notes[2]).toMatch(/^Autotask resource 15 \(Eve E\): e-mail .* refused \(it is not a plain address/);
      expect(refusedEvents).toHaveLength(3);
      // Not everyone intended got it: partial, and the owner hears of it.
      expect(out.state).toBe('partial');
      expect(out.reason).toMatch(/addresses refused: Autotask resource 12/);
      expect(smtp.received.slice(before).filter((m) => m.to.includes('owner@x.test'))).toHaveLength(1);
    }
    // history shows the notes.
    const io = captureIO(store.dir, {});
    await historyCommand.run({ values: {}, positionals: [] } as never, { io, loadConfig: () => loadConfig({ db: store.file }, {}, store.dir) } as never);
    expect(io.stdout()).toMatch(/note: Autotask resource 13 \(Cat C\): e-mail "cat@msp\.test,eve@evil\.test" refused/);
  });

  it('check --db names the resource addresses a run would refuse', async () => {
    seedResources(store.db, [
      { id: 11, first: 'Ann', last: 'A', email: 'ann@msp.test', role: 'Technician' },
      { id: 12, first: 'Bob', last: 'B', email: 'bob@msp.test\r\nmallory@evil.test', role: 'Technician' },
      { id: 13, first: 'Cat', last: 'C', email: 'cat@msp.test;eve@evil.test', role: 'Technician' },
    ]);
    const file = path.join(store.dir, 'schedules.json');
    fs.writeFileSync(file, JSON.stringify({
      owner: 'ops@msp.test',
      roles: { techs: { recipients: [{ autotask: { role: 'Technician' } }] }, all: { recipients: [{ autotask: {} }] } },
      schedules: [{ id: 'weekly', cron: '0 7 * * 1', timezone: 'UTC', reports: ['intake'], format: 'html', roles: ['techs'], subject: 'KPIs' }],
    }));
    const io = captureIO(store.dir, { MAIL_FROM: 'reports@msp.test' });
    expect(await main(['check', '--db', store.file, '--schedules', file], io)).toBe(0);
    const lines = io.stdout().split('\n').filter((l) => l.startsWith('!!  recipients:'));
    expect(lines).toEqual([
      expect.stringMatching(/^!!  recipients: Autotask resource 12 \(Bob B\): e-mail "bob@msp\.test\\r\\nmallory@evil\.test" refused \(it contains a line break/),
      expect.stringMatching(/^!!  recipients: Autotask resource 13 \(Cat C\): e-mail "cat@msp\.test;eve@evil\.test" refused \(it is a list/),
    ]);
  });

  it('the mailer itself refuses a list or a CRLF in "to" and gives SMTP an explicit one-address envelope', async () => {
    const send = (to: string) => mailer.send({ runId: 1, to, from: 'r@x.test', subject: 's', messageId: '<1@x.test>', date: DUE, content: { text: 'hi' } }, { signal: new AbortController().signal });
    await expect(send('a@x.test, hidden@x.test')).rejects.toThrow(/recipient "a@x\.test, hidden@x\.test" refused: it is a list/);
    await expect(send('a@x.test\r\nhidden@x.test')).rejects.toThrow(/line break/);
    expect(smtp.received).toHaveLength(0);
    await send('a@x.test');
    expect(smtp.received.map((m) => m.to)).toEqual([['a@x.test']]);
  });

  it('MAIL_FROM that is not an address is refused by the mailer instead of sending without a From header', async () => {
    expect(parseSender('psa-reports <reports@msp.test>')).toMatchObject({ ok: true, address: 'reports@msp.test', name: 'psa-reports' });
    expect(parseSender('"Reports, MSP" <reports@msp.test>')).toMatchObject({ ok: true, name: 'Reports, MSP' });
    expect(parseSender('reports@msp.test')).toMatchObject({ ok: true, address: 'reports@msp.test', name: null });
    for (const bad of ['not an address', 'a@x.test, b@x.test', 'Reports, MSP <r@x.test>', 'r@x.test\r\nBcc: e@evil.test']) expect(parseSender(bad).ok, bad).toBe(false);
    await expect(mailer.send({ runId: 1, to: 'a@x.test', from: 'not an address', subject: 's', messageId: '<1@x.test>', date: DUE, content: { text: 'hi' } }, { signal: new AbortController().signal }))
      .rejects.toThrow(/^MAIL_FROM "not an address" is not usable: .*allowed: an address such as "reports@msp\.example" or "PSA Reports <reports@msp\.example>"/);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('Message-IDs', () => {
  it('two fresh stores give different Message-IDs to run 1 of the same schedule; each store keeps its id', async () => {
    const other = tempStore();
    try {
      const ids: string[][] = [];
      for (const s of [store, other]) {
        const clock = new FakeClock(DUE);
        const file = schedulesFile([scheduleEntry()]);
        const out = await executeRun(makeDeps(s.db, mailer, clock, file), only(file), DUE);
        expect(out.runId).toBe(1);
        ids.push(out.deliveries.map((d) => d.message_id));
      }
      expect(ids[0]).toHaveLength(3);
      for (const id of ids[1]!) expect(ids[0]).not.toContain(id);
      const storeId = new Ledger(store.db).storeId();
      expect(storeId).toMatch(/^[A-Za-z0-9_-]{12}$/);
      for (const id of ids[0]!) expect(id).toContain(`.${storeId}.1.`);
      // Kept in the store: reopening gives the same id.
      store.db.close();
      const { openDb } = await import('../../src/store/db.js');
      const again = openDb(store.file);
      expect(new Ledger(again).storeId()).toBe(storeId);
      again.close();
    } finally {
      other.cleanup();
    }
  });
});

describe('a connection dropped after the end of DATA', () => {
  it('is recorded in doubt, not re-sent, visible in history; the others are sent and the owner is told once', async () => {
    const sockets = new Set<net.Socket>();
    let dataEnds = 0;
    const server = new SMTPServer({
      secure: false, disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false, disableReverseLookup: true,
      onData(stream, session, cb) {
        const rcpt = session.envelope.rcptTo[0]!.address;
        stream.resume();
        stream.on('end', () => {
          if (rcpt === 'b@x.test') {
            // The whole message arrived; the connection drops before the reply.
            dataEnds++;
            for (const s of sockets) s.destroy();
            return;
          }
          cb(null, 'OK');
        });
      },
    });
    server.on('error', () => {});
    server.server.on('connection', (s: net.Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.server.address() as net.AddressInfo).port;
    const m = new SmtpMailer(`smtp://127.0.0.1:${port}`);
    try {
      const clock = new FakeClock(DUE);
      const file = schedulesFile([scheduleEntry()]);
      const deps = makeDeps(store.db, m, clock, file);
      const doubts: unknown[] = [];
      const retries: unknown[] = [];
      deps.events.on('mail:in-doubt', (e) => doubts.push(e));
      deps.events.on('mail:retry', (e) => retries.push(e));
      const out = await executeRun(deps, only(file), DUE);
      expect(dataEnds).toBe(1);
      expect(retries).toHaveLength(0);
      expect(doubts).toHaveLength(1);
      const b = out.deliveries.find((d) => d.recipient === 'b@x.test')!;
      expect(b).toMatchObject({ state: 'in_doubt', in_doubt: 1, attempts: 1 });
      expect(b.last_error).toMatch(/^in doubt: .*it may have been delivered, so it is not sent again automatically \(Message-ID </);
      expect(out.deliveries.filter((d) => d.state === 'sent').map((d) => d.recipient)).toEqual(['a@x.test', 'c@x.test']);
      expect(out.state).toBe('partial');
      expect(out.reason).toMatch(/2 of 3 delivered; in doubt: b@x\.test/);
      expect(new Ledger(store.db).run(out.runId!)!.notice_state).toBe('sent');

      // Running it again does not re-send it.
      expect((await executeRun(deps, only(file), DUE)).state).toBe('done');
      expect(dataEnds).toBe(1);

      const io = captureIO(store.dir, {});
      await historyCommand.run({ values: { failed: true }, positionals: [] } as never, { io, loadConfig: () => loadConfig({ db: store.file }, {}, store.dir) } as never);
      expect(io.stdout()).toMatch(/PARTIAL\s+weekly/);
      expect(io.stdout()).toMatch(/b@x\.test: in_doubt \(may have been delivered; not re-sent: Message-ID <psa-reports\.report\./);
    } finally {
      m.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a 421 reply to the end of DATA is a transient fault (the server answered), retried as before', async () => {
    let tries = 0;
    smtp.fault = (step, rcpt) => (step === 'data' && rcpt === 'b@x.test' && ++tries <= 1 ? { code: 421, message: 'closing' } : null);
    const clock = new FakeClock(DUE);
    const file = schedulesFile([scheduleEntry()]);
    const out = await executeRun(makeDeps(store.db, mailer, clock, file), only(file), DUE);
    expect(out.state).toBe('sent');
    expect(out.deliveries.find((d) => d.recipient === 'b@x.test')).toMatchObject({ state: 'sent', attempts: 2, in_doubt: 0 });
  });
});
