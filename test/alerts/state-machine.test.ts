import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateAlerts, deliverAlerts, type AlertDeps } from '../../src/alerts/engine.js';
import { emailSender } from '../../src/alerts/channels/email.js';
import { teamsSender } from '../../src/alerts/channels/teams.js';
import { slackSender } from '../../src/alerts/channels/slack.js';
import { webhookSender, signBody } from '../../src/alerts/channels/webhook.js';
import { createMailer } from '../../src/delivery/mailer.js';
import { newOwner } from '../../src/store/ledger.js';
import { parseSchedules, type SchedulesFile } from '../../src/delivery/schedules.js';
import { createBusinessHours } from '../../src/reporting/business-hours.js';
import { defaultSettings } from '../../src/config.js';
import { FakeClock, startSmtp, tempStore, tinyResult, type TestSmtp } from '../delivery/_helpers.js';
import { startReceiver, type Receiver } from './_receivers.js';
import type { ReportResult } from '../../src/types.js';

const MON_0900 = Date.parse('2026-03-02T09:00:00Z'); // a Monday, inside 08:00–17:00 UTC
const MIN = 60_000;

function result(value: number | null, target = 10): ReportResult {
  const r = tinyResult('intake/backlog', [], { open_tickets: value });
  r.headlines = [{ ...r.headlines[0]!, label: 'Open backlog', target, better: 'lower' }];
  return r;
}

describe('alerts: the state machine over a real store, SMTP and HTTP receivers', () => {
  let store: ReturnType<typeof tempStore>;
  let smtp: TestSmtp;
  let teams: Receiver;
  let slack: Receiver;
  let hook: Receiver;
  let clock: FakeClock;
  let value: number | null;
  let lastSync: number | null;
  let schedules: SchedulesFile;
  let slept: number[];
  const env = () => ({ TEAMS_URL: teams.url, SLACK_URL: slack.url, HOOK_URL: hook.url, HOOK_KEY: 'k3y-for-hmac' });

  const file = (rule: Record<string, unknown> = {}) => parseSchedules({
    owner: 'owner@x.test',
    roles: {
      managers: { recipients: ['boss@x.test'], channels: [{ type: 'teams', urlEnv: 'TEAMS_URL' }] },
      leads: { recipients: ['lead@x.test'], channels: [{ type: 'slack', urlEnv: 'SLACK_URL' }, { type: 'webhook', urlEnv: 'HOOK_URL', secretEnv: 'HOOK_KEY' }] },
    },
    schedules: [],
    alerts: [{ id: 'backlog-high', report: 'intake/backlog', metric: 'open_tickets', missesTarget: true, for: 3, remind: '1h', freshness: '30m', roles: ['managers'], ...rule }],
  }, 'schedules.json', { reportIds: ['intake/backlog'] });

  const bh = createBusinessHours(defaultSettings(), []);
  const deps = (): AlertDeps => ({
    db: store.db, clock, schedules, env: env(), lastSyncAt: () => lastSync, inBusinessHours: (t) => bh.bh(t, t + MIN) > 0,
    link: (r) => `https://reports.msp.example/reports/${r}`,
    compute: () => ({ ok: true, name: 'intake/backlog', value: result(value) }),
  });
  const owner = newOwner();
  async function evalAndSend(v: number | null) {
    value = v;
    lastSync = clock.now() - MIN; // a sync just finished
    evaluateAlerts(deps());
    return deliverAlerts({
      db: store.db, clock, schedules, env: env(), owner, baseDelayMs: 10,
      senders: { email: emailSender(createMailer({ smtpUrl: smtp.url, outbox: store.dir }), 'alerts@msp.example'), teams: teamsSender, slack: slackSender, webhook: webhookSender },
      sleep: async (ms) => { slept.push(ms); },
    });
  }

  beforeEach(async () => {
    store = tempStore();
    smtp = await startSmtp();
    teams = await startReceiver();
    slack = await startReceiver('/services/T000/B000/XXXXSECRET');
    hook = await startReceiver('/hooks/psa');
    clock = new FakeClock(MON_0900);
    schedules = file();
    slept = [];
  });
  afterEach(async () => {
    await smtp.close();
    await teams.close();
    await slack.close();
    await hook.close();
    store.cleanup();
  });

  it('fires once after `for` breaching evaluations, reminds inside business hours only, resolves once', async () => {
    await evalAndSend(5); // clear
    await evalAndSend(15);
    clock.advance(5 * MIN);
    await evalAndSend(15);
    expect(smtp.received).toHaveLength(0);
    expect(teams.got).toHaveLength(0);
    clock.advance(5 * MIN);
    await evalAndSend(15); // third breach: FIRING
    expect(smtp.to('boss@x.test')).toHaveLength(1);
    expect(smtp.received[0]!.subject).toMatch(/^FIRING: backlog-high — Open backlog 15/);
    expect(teams.accepted()).toHaveLength(1);
    const card = JSON.parse(teams.got[0]!.body);
    expect(card.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.attachments[0].content.type).toBe('AdaptiveCard');
    expect(card.attachments[0].content.actions[0].url).toBe('https://reports.msp.example/reports/intake/backlog');
    // Still firing: nothing new within the hour.
    clock.advance(30 * MIN);
    await evalAndSend(16);
    expect(smtp.received).toHaveLength(1);
    // An hour after the firing, inside business hours: one reminder each.
    clock.advance(31 * MIN);
    await evalAndSend(16);
    expect(smtp.to('boss@x.test').map((m) => m.subject.split(':')[0])).toEqual(['FIRING', 'STILL FIRING']);
    expect(teams.accepted()).toHaveLength(2);
    // Evening and night (after 17:00): still firing, no reminder.
    clock.set('2026-03-02T18:30:00Z');
    await evalAndSend(16);
    clock.set('2026-03-03T03:00:00Z');
    await evalAndSend(16);
    expect(smtp.received).toHaveLength(2);
    // Next morning inside business hours: a reminder.
    clock.set('2026-03-03T08:05:00Z');
    await evalAndSend(16);
    expect(smtp.received).toHaveLength(3);
    // Back under target: RESOLVED once, to those who got the firing message.
    clock.advance(10 * MIN);
    await evalAndSend(4);
    clock.advance(10 * MIN);
    await evalAndSend(3);
    const subjects = smtp.to('boss@x.test').map((m) => m.subject.split(':')[0]);
    expect(subjects).toEqual(['FIRING', 'STILL FIRING', 'STILL FIRING', 'RESOLVED']);
    expect(teams.accepted()).toHaveLength(4);
    expect(JSON.parse(teams.got[3]!.body).attachments[0].content.body[0].color).toBe('Good');
    // Every Message-ID once.
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(smtp.received.length);
  });

  it('flapping around the target sends nothing', async () => {
    for (const v of [15, 5, 15, 15, 5, 15, 5, 15, 15, 9]) {
      clock.advance(5 * MIN);
      await evalAndSend(v);
    }
    expect(smtp.received).toHaveLength(0);
    expect(teams.got).toHaveLength(0);
    const st = store.db.prepare(`SELECT state, episode FROM alert_states WHERE alert_key = 'backlog-high'`).get();
    expect(st).toEqual({ state: 'ok', episode: 0 });
  });

  it('stale data never fires nor clears: the owner is told once', async () => {
    for (let i = 0; i < 5; i++) {
      clock.advance(5 * MIN);
      value = 50;
      lastSync = MON_0900 - 2 * 3_600_000; // two hours old, freshness 30m
      evaluateAlerts(deps());
    }
    await deliverAlerts({ db: store.db, clock, schedules, env: env(), owner, senders: { email: emailSender(createMailer({ smtpUrl: smtp.url, outbox: store.dir }), 'alerts@msp.example'), teams: teamsSender, slack: slackSender, webhook: webhookSender } });
    expect(teams.got).toHaveLength(0);
    expect(smtp.to('boss@x.test')).toHaveLength(0);
    expect(smtp.to('owner@x.test')).toHaveLength(1);
    expect(smtp.to('owner@x.test')[0]!.raw).toMatch(/stale data/);
    expect(store.db.prepare(`SELECT state, breaches FROM alert_states WHERE alert_key = 'backlog-high'`).get()).toEqual({ state: 'ok', breaches: 0 });
    // No value at all (nothing to measure) is "no data", not a clear: a firing alert stays firing.
    await evalAndSend(20);
    await evalAndSend(20);
    await evalAndSend(20);
    expect(smtp.to('boss@x.test')).toHaveLength(1);
    await evalAndSend(null);
    await evalAndSend(null);
    expect(store.db.prepare(`SELECT state FROM alert_states WHERE alert_key = 'backlog-high'`).pluck().get()).toBe('firing');
    expect(smtp.to('boss@x.test')).toHaveLength(1);
    expect(smtp.to('owner@x.test')).toHaveLength(2);
  });

  it('Teams answering 429 with Retry-After, then 200, gets the card once; the wait honours Retry-After', async () => {
    schedules = file({ for: 1 });
    teams.script.push({ status: 429, headers: { 'retry-after': '7' }, body: 'Too many requests' });
    const out = await evalAndSend(20);
    expect(out).toEqual({ sent: 2, failed: 0 });
    expect(teams.got.map((g) => g.status)).toEqual([429, 200]);
    expect(teams.accepted()).toHaveLength(1);
    expect(slept).toEqual([7000]);
    expect(store.db.prepare(`SELECT state, attempts FROM alert_notifications WHERE recipient = 'teams:TEAMS_URL'`).get()).toEqual({ state: 'sent', attempts: 2 });
  });

  it('a failing channel is recorded, the owner told once, and its URL is never stored', async () => {
    schedules = file({ for: 1, roles: ['managers'], remind: undefined });
    for (let i = 0; i < 4; i++) teams.script.push({ status: 404, body: `workflow gone ${teams.url}` });
    for (let i = 0; i < 4; i++) {
      await evalAndSend(20); // fires
      clock.advance(5 * MIN);
      await evalAndSend(1); // resolves (the failed Teams copy gets no resolved message)
      clock.advance(5 * MIN);
    }
    const health = store.db.prepare(`SELECT consecutive_failures, failing_episode FROM channel_health WHERE channel = 'teams:TEAMS_URL'`).get();
    expect(health).toEqual({ consecutive_failures: 4, failing_episode: 1 });
    expect(smtp.to('owner@x.test')).toHaveLength(1);
    expect(smtp.to('owner@x.test')[0]!.subject).toBe('Channel teams:TEAMS_URL keeps failing');
    const dump = JSON.stringify(store.db.prepare(`SELECT * FROM alert_notifications`).all()) + JSON.stringify(store.db.prepare(`SELECT * FROM channel_health`).all());
    expect(dump).not.toContain('SECRETSIG');
    expect(dump).not.toContain(teams.url);
    expect(smtp.received.map((m) => m.raw).join('')).not.toContain('SECRETSIG');
  });

  it('Slack gets Block Kit and the generic webhook a body signed with HMAC-SHA256; escalation reaches another role', async () => {
    schedules = file({ for: 1, escalate: { after: '30m', roles: ['leads'] } });
    await evalAndSend(20);
    expect(slack.got).toHaveLength(0);
    clock.advance(31 * MIN);
    await evalAndSend(21);
    expect(smtp.to('lead@x.test')[0]!.subject).toMatch(/^ESCALATED: backlog-high/);
    const blocks = JSON.parse(slack.got[0]!.body);
    expect(blocks.blocks[0]).toMatchObject({ type: 'header' });
    expect(hook.got).toHaveLength(1);
    const sig = hook.got[0]!.headers['x-psa-signature'];
    expect(sig).toBe(signBody(hook.got[0]!.body, 'k3y-for-hmac'));
    expect(JSON.parse(hook.got[0]!.body)).toMatchObject({ event: 'escalation', source: 'backlog-high' });
    clock.advance(5 * MIN);
    await evalAndSend(2);
    // Resolved to everyone told: the managers and the escalation's leads.
    expect(smtp.to('lead@x.test').map((m) => m.subject.split(':')[0])).toEqual(['ESCALATED', 'RESOLVED']);
    expect(slack.accepted()).toHaveLength(2);
    expect(hook.accepted()).toHaveLength(2);
  });
});
