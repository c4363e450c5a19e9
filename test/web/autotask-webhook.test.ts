import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName, createConfiguredClient } from '../../src/app.js';
import { installWebhook, readSecretFile, uninstallWebhook } from '../../src/autotask/webhooks.js';
import { hookSignature } from '../../src/simulator/webhooks.js';
import { startSimulator } from '../../src/simulator/index.js';
import { openDb, type Db } from '../../src/store/db.js';
import { startWebServer, type WebServer } from '../../src/web/server.js';
import { captureIO, simHome, type SimHome } from '../helpers/synced.js';
import { syncStore as runSync } from '../../src/app.js';

const NOW = Date.parse('2026-03-04T15:00:00Z');

describe('Autotask webhooks: install, the signed receiver, replays, reopen between two polls', () => {
  let home: SimHome;
  let db: Db;
  let web: WebServer;
  let secretFile: string;
  const io = captureIO();
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const post = (body: string, headers: Record<string, string>) => fetch(`${web.url}/autotask/webhook`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    home = simHome(await startSimulator({ seed: 7, now: NOW, webhooks: { retryMs: 20, attempts: 2 } }), 'psa-webhook-');
    await home.sync();
    const cfg = home.config();
    db = openDb(cfg.db);
    web = await startWebServer({ cfg, db, io, clock: home.clock, port: 0 });
    secretFile = cfg.webhookSecretFile;
    const client = await createConfiguredClient(cfg, db, home.clock);
    const r = await installWebhook(client, secretFile, `${web.url}/autotask/webhook`, { now: NOW });
    expect(r.fields).toEqual(expect.arrayContaining(['status', 'queueID', 'priority', 'assignedResourceID']));
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    db?.close();
    await home?.cleanup();
  });

  it('install keeps the generated secret in a 0600 file outside the store; Autotask has the webhook with its fields', () => {
    expect(path.dirname(secretFile)).toBe(home.dir);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    const f = readSecretFile(secretFile)!;
    expect(f.secretKey.length).toBeGreaterThanOrEqual(40);
    const hooks = [...home.sim.webhooks.hooks.values()];
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.secretKey).toBe(f.secretKey);
    expect(hooks[0]!.fields.filter((x) => x.isSubscribedField).length).toBeGreaterThanOrEqual(4);
    // The store never holds it.
    expect(fs.readFileSync(home.config().db).includes(Buffer.from(f.secretKey))).toBe(false);
  });

  it('a missing or wrong signature is refused with nothing stored, the deactivation notice included', async () => {
    const before = { events: count('SELECT count(*) FROM webhook_events'), states: count('SELECT count(*) FROM ticket_states') };
    const body = JSON.stringify({ Action: 'Update', Guid: 'g', EntityType: 'Ticket', Id: 1, Fields: { Status: '5' }, EventTime: '2026-03-04T15:00:00Z', SequenceNumber: 1, PersonID: 1 });
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, { 'x-hook-signature': hookSignature(body, 'not-the-secret') })).status).toBe(401);
    expect((await post(body, { 'x-hook-signature': hookSignature(`${body} `, readSecretFile(secretFile)!.secretKey) })).status).toBe(401);
    expect((await post('{"IsActive":false,"Reason":"deactivated"}', {})).status).toBe(401);
    expect((await post('not json', { 'x-hook-signature': 'sha1=AAAA' })).status).toBe(401);
    expect({ events: count('SELECT count(*) FROM webhook_events'), states: count('SELECT count(*) FROM ticket_states') }).toEqual(before);
  });

  it('a ticket reopened and completed again between two polls is counted by the reopen rate; a replayed callout is a no-op', async () => {
    const sim = home.sim;
    const t = sim.tenant;
    const complete = t.completeTicketStatus();
    const inProgress = t.value('Tickets', 'status', 'In Progress');
    const sr = t.value('Tickets', 'ticketType', 'Service Request');
    const tickets = t.table('Tickets');
    let ticketId = -1;
    for (let p = 0; p < tickets.length && ticketId < 0; p++) {
      if (tickets.isAlive(p) && tickets.get(p, 'ticketType') === sr && tickets.get(p, 'status') !== complete && tickets.get(p, 'projectID') === null && tickets.get(p, 'assignedResourceID') !== null) ticketId = tickets.get(p, 'id') as number;
    }
    expect(ticketId).toBeGreaterThan(0);
    // A second store that only polls: synced now and after the changes.
    const pollCfg = home.config('poll-only.db');
    await runSync(pollCfg, io, { clock: home.clock, progress: 'none' });
    const before = count(`SELECT count(*) FROM ticket_states WHERE ticket_id = ${ticketId}`);
    const step = async (status: number) => {
      t.now += 10 * 60_000;
      t.update('Tickets', ticketId, { status });
      await sim.webhooks.idle();
    };
    await step(complete);
    await step(inProgress);
    await step(complete);
    await runSync(pollCfg, io, { clock: home.clock, progress: 'none' });
    expect(count(`SELECT count(*) FROM ticket_states WHERE ticket_id = ${ticketId}`)).toBe(before + 3);
    const pollDb = openDb(pollCfg.db);
    try {
      expect(pollDb.prepare(`SELECT count(*) FROM ticket_states WHERE ticket_id = ${ticketId}`).pluck().get()).toBe(before + 1);
      const opts = { asOf: t.now + 60_000, from: NOW - 86_400_000, to: t.now + 60_000 };
      const withHooks = computeByName(db, home.config(), ['tech-performance/reopen-rate'], opts)[0]!;
      const polled = computeByName(pollDb, pollCfg, ['tech-performance/reopen-rate'], opts)[0]!;
      if (!withHooks.ok || !polled.ok) throw new Error('reopen rate failed');
      expect(withHooks.value.metrics.completed).toBe(polled.value.metrics.completed);
      expect(withHooks.value.metrics.reopened).toBe((polled.value.metrics.reopened ?? 0) + 1);
    } finally {
      pollDb.close();
    }
    // Replay the last callout exactly as Autotask would (same bytes, same signature): nothing happens.
    const hook = [...sim.webhooks.hooks.values()][0]!;
    const last = sim.webhooks.delivered.at(-1)!;
    const body = JSON.stringify({ Action: 'Update', Guid: hook.webhookGUID, EntityType: 'Ticket', Id: ticketId, Fields: { Status: String(complete) }, EventTime: new Date(t.now).toISOString(), SequenceNumber: last.sequence, PersonID: 1 });
    const gets = sim.stats().byEndpoint.Tickets ?? 0;
    const states = count('SELECT count(*) FROM ticket_states');
    const res = await post(body, { 'x-hook-signature': hookSignature(body, hook.secretKey) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'duplicate' });
    expect(count('SELECT count(*) FROM ticket_states')).toBe(states);
    expect(sim.stats().byEndpoint.Tickets ?? 0).toBe(gets);
  }, 120_000);

  it('a gap in sequence numbers starts an incremental sync', async () => {
    const sim = home.sim;
    const t = sim.tenant;
    const runs = count('SELECT count(*) FROM sync_runs');
    const tickets = t.table('Tickets');
    const id = tickets.get(0, 'id') as number;
    sim.webhooks.loseNext(1);
    t.now += 60_000;
    t.update('Tickets', id, { priority: t.value('Tickets', 'priority', 'High') });
    t.now += 60_000;
    t.update('Tickets', id, { priority: t.value('Tickets', 'priority', 'Low') });
    await sim.webhooks.idle();
    for (let i = 0; i < 200 && count('SELECT count(*) FROM sync_runs') === runs; i++) await new Promise((r) => setTimeout(r, 50));
    expect(count('SELECT count(*) FROM sync_runs')).toBeGreaterThan(runs);
  }, 60_000);

  it('uninstall deletes the webhook in Autotask and the secret file', async () => {
    const cfg = home.config();
    const r = await uninstallWebhook(await createConfiguredClient(cfg, db, home.clock), secretFile);
    expect(r.existed).toBe(true);
    expect(home.sim.webhooks.hooks.size).toBe(0);
    expect(fs.existsSync(secretFile)).toBe(false);
  });
});
