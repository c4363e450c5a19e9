/**
 * Alerts bench: from a P1 ticket created in the simulator to the Teams message delivered to a local
 * receiver, two ways.
 *
 * - With Autotask webhooks: the web app's receiver (the `serve` path) gets the simulator's signed callout,
 *   reads the ticket by id, stores its state and re-evaluates the rules, which post to Teams. Real time
 *   (performance.now()) from the ticket's creation to the Teams request (goal < 60 s).
 * - By polling alone: a second store, without webhooks, synced on the daemon's alert cadence. The ticket is
 *   created just after a cadence sync (the worst case); the simulator's clock is moved to the next cadence
 *   instant (the interval the daemon uses at that hour), then that sync runs as the daemon runs it (sync,
 *   evaluation, delivery) and is timed. The figure is the interval plus that sync's time; the goal is that
 *   the first cadence sync after the ticket appears delivers it (within one sync interval).
 *
 * The rule is a row rule on intake/needs-intervention (one alert per ticket whose SLA is at risk): a P1
 * has its first response due 30 minutes after creation, so it is at risk as soon as it exists.
 */
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { businessHoursTest, createAlertService, createLedgerClient, loadSchedulesFor, syncStore } from '../src/app.js';
import { installWebhook } from '../src/autotask/webhooks.js';
import type { CommandIO } from '../src/commands/types.js';
import { loadConfig, type Config } from '../src/config.js';
import { createMailer } from '../src/delivery/mailer.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { openDb, type Db } from '../src/store/db.js';
import type { Clock } from '../src/types.js';
import { startWebServer } from '../src/web/server.js';

const H = 3_600_000;

/** A local Teams Workflows endpoint: every body, with the performance.now() it arrived at. */
async function teamsReceiver(): Promise<{ url: string; got: { at: number; body: string }[]; waitFor(text: string, timeoutMs: number): Promise<number>; close(): Promise<void> }> {
  const got: { at: number; body: string }[] = [];
  const waiters: { text: string; resolve: (at: number) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ at, body });
      for (const w of [...waiters]) if (body.includes(w.text)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(at); }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/workflows/bench/triggers/manual/paths/invoke?sig=BENCH`,
    got,
    waitFor(text, timeoutMs) {
      const seen = got.find((g) => g.body.includes(text));
      if (seen) return Promise.resolve(seen.at);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no Teams message for ${text} within ${timeoutMs / 1000} s`)), timeoutMs);
        waiters.push({ text, resolve: (at) => { clearTimeout(t); resolve(at); } });
      });
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const io = (env: NodeJS.ProcessEnv, cwd: string): CommandIO => ({ out: () => {}, err: () => {}, isTTY: false, env, cwd });

/** Creates a P1 (Critical) ticket now, first response due in 30 minutes; returns its number. */
function createP1(sim: Simulator, n: number): string {
  const t = sim.tenant;
  const now = t.now;
  const d = new Date(now).toISOString();
  const ticketNumber = `T${d.slice(0, 10).replace(/-/g, '')}.P1${String(n).padStart(3, '0')}`;
  const company = t.table('Companies').get(1, 'id') as number;
  t.insert('Tickets', {
    ticketNumber, title: `Server down ${n}`, companyID: company, status: t.value('Tickets', 'status', 'New'), priority: t.value('Tickets', 'priority', 'Critical'),
    queueID: t.value('Tickets', 'queueID', 'Triage'), ticketType: t.value('Tickets', 'ticketType', 'Incident'), issueType: 12, subIssueType: null, ticketCategory: 3, source: 4,
    serviceLevelAgreementID: 1, assignedResourceID: null, assignedResourceRoleID: null, createDate: now, lastActivityDate: now, dueDateTime: now + 4 * H,
    estimatedHours: null, firstResponseDueDateTime: now + 0.5 * H, resolutionPlanDueDateTime: now + 2 * H, resolvedDueDateTime: now + 4 * H,
    firstResponseDateTime: null, creatorResourceID: null, description: 'Everything is down.',
  });
  return ticketNumber;
}

/** Figures of the alerts bench. */
export interface AlertsBench {
  /** Webhook path: median seconds from P1 created to Teams message. */
  webhookMedianSeconds: number;
  /** Webhook path: slowest of the samples (s). */
  webhookMaxSeconds: number;
  /** Samples of the webhook path. */
  webhookSamples: number;
  /** The daemon's alert cadence at that hour (s). */
  pollIntervalSeconds: number;
  /** The cadence sync that saw the ticket: incremental sync + evaluation + Teams post (s). */
  pollSyncSeconds: number;
  /** Worst case by polling alone: interval + that sync (s). */
  pollWorstSeconds: number;
  /** Cadence syncs after the ticket appeared until its Teams message (goal 1). */
  pollSyncsNeeded: number;
}

/** Runs the alerts bench on a small simulated desk. */
export async function benchAlerts(o: { log: (s: string) => void; samples?: number }): Promise<AlertsBench> {
  const samples = o.samples ?? 5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-bench-alerts-'));
  // A Wednesday afternoon: inside the default business hours, so the short cadence applies.
  const sim = await startSimulator({ seed: 7, scale: 'small', now: Date.parse('2026-03-04T14:00:00Z'), webhooks: { retryMs: 200, attempts: 3 } });
  const clock: Clock = { now: () => sim.now() };
  const hooked = await teamsReceiver();
  const polled = await teamsReceiver();
  const dbs: Db[] = [];
  let web: Awaited<ReturnType<typeof startWebServer>> | null = null;
  try {
    fs.writeFileSync(path.join(dir, 'schedules.json'), JSON.stringify({
      owner: 'ops@msp.example',
      roles: { dispatch: { channels: [{ type: 'teams', urlEnv: 'TEAMS_DISPATCH_URL' }] } },
      schedules: [],
      alerts: [{ id: 'sla-at-risk', report: 'intake/needs-intervention', rows: { key: 'ticket_id', where: { reason: 'at_risk' } }, for: 1, roles: ['dispatch'] }],
    }));
    const base = {
      AUTOTASK_BASE_URL: sim.baseUrl, AUTOTASK_ZONE_URL: sim.zoneUrl, AUTOTASK_USERNAME: sim.credentials.username,
      AUTOTASK_SECRET: sim.credentials.secret, AUTOTASK_INTEGRATION_CODE: sim.credentials.integrationCode, PSA_REPORTS_OUTBOX: path.join(dir, 'outbox'),
    };
    const envA = { ...base, TEAMS_DISPATCH_URL: hooked.url, PSA_REPORTS_WEBHOOK_SECRET_FILE: path.join(dir, 'hook.secret') };
    const envB = { ...base, TEAMS_DISPATCH_URL: polled.url };
    const cfgA: Config = loadConfig({ db: path.join(dir, 'webhooks.db') }, envA, dir);
    const cfgB: Config = loadConfig({ db: path.join(dir, 'polling.db') }, envB, dir);
    const alertsOf = (cfg: Config, db: Db, env: NodeJS.ProcessEnv) =>
      createAlertService(cfg, { db, clock, schedules: loadSchedulesFor(cfg), mailer: createMailer({ smtpUrl: null, outbox: cfg.paths.outbox }), env });

    // Both stores synced once, and the tickets already at risk alerted, before anything is timed.
    o.log('alerts: first syncs');
    const dbA = openDb(cfgA.db);
    const dbB = openDb(cfgB.db);
    dbs.push(dbA, dbB);
    for (const [cfg, db, env] of [[cfgA, dbA, envA], [cfgB, dbB, envB]] as const) {
      const s = await syncStore(cfg, io(env, dir), { db, clock, progress: 'none' });
      if (!s.ok) throw new Error(`bench sync failed: ${s.entities.filter((e) => !e.ok).map((e) => e.entity).join(', ')}`);
      await alertsOf(cfg, db, env).afterSync();
    }
    const lastPoll = sim.now();

    // ---- with webhooks: the web app receives the callouts ----
    web = await startWebServer({ cfg: cfgA, db: dbA, io: io(envA, dir), clock, port: 0 });
    await installWebhook(await createLedgerClient(cfgA, dbA, clock), cfgA.webhookSecretFile, `${web.url}/autotask/webhook`, { now: sim.now() });
    const times: number[] = [];
    for (let i = 1; i <= samples; i++) {
      sim.tenant.now += 1000;
      const t0 = performance.now();
      const number = createP1(sim, i);
      const at = await hooked.waitFor(number, 120_000);
      times.push((at - t0) / 1000);
      o.log(`alerts: webhook sample ${i}: ${((at - t0) / 1000).toFixed(3)} s`);
    }
    times.sort((a, b) => a - b);

    // ---- by polling alone: the ticket appears just after a cadence sync; the next one is an interval later ----
    const inHours = businessHoursTest(dbB, cfgB);
    const intervalMs = (inHours(lastPoll) ? cfgB.alerts.syncEveryMinutes : cfgB.alerts.syncOutsideHoursMinutes ?? cfgB.alerts.syncEveryMinutes) * 60_000;
    sim.tenant.now = lastPoll + 1000;
    const number = createP1(sim, 100);
    sim.tenant.now = lastPoll + intervalMs;
    const alertsB = alertsOf(cfgB, dbB, envB);
    let syncs = 0;
    let pollSeconds = 0;
    const delivered = () => polled.got.some((g) => g.body.includes(number));
    // What the daemon's cadence does at each interval (src/commands/daemon.ts): sync, evaluate, deliver.
    while (!delivered() && syncs < 3) {
      syncs++;
      const t0 = performance.now();
      const s = await syncStore(cfgB, io(envB, dir), { db: dbB, clock, progress: 'none' });
      if (!s.ok) throw new Error('bench: cadence sync failed');
      await alertsB.afterSync();
      pollSeconds = (performance.now() - t0) / 1000;
      if (!delivered()) sim.tenant.now += intervalMs;
    }
    if (!delivered()) throw new Error(`bench: no Teams message for ${number} after ${syncs} cadence syncs`);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    return {
      webhookMedianSeconds: r3(times[Math.floor(times.length / 2)]!),
      webhookMaxSeconds: r3(times.at(-1)!),
      webhookSamples: times.length,
      pollIntervalSeconds: intervalMs / 1000,
      pollSyncSeconds: r3(pollSeconds),
      pollWorstSeconds: r3((intervalMs - 1000) / 1000 + (syncs - 1) * intervalMs / 1000 + pollSeconds),
      pollSyncsNeeded: syncs,
    };
  } finally {
    await web?.close();
    for (const db of dbs) db.close();
    await hooked.close();
    await polled.close();
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
