import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executeRun } from '../../src/delivery/execute.js';
import { SmtpMailer } from '../../src/delivery/mailer.js';
import { newOwner } from '../../src/delivery/ledger.js';
import type { ReportComputer } from '../../src/delivery/ports.js';
import { createCardPoster } from '../../src/alerts/card.js';
import { teamsSender } from '../../src/alerts/channels/teams.js';
import { slackSender } from '../../src/alerts/channels/slack.js';
import { webhookSender } from '../../src/alerts/channels/webhook.js';
import type { ItemResult, ReportResult } from '../../src/types.js';
import { startReceiver, type Receiver } from '../alerts/_receivers.js';
import { FakeClock, makeDeps, only, scheduleEntry, schedulesFile, startSmtp, tempStore, tinyResult, type TestSmtp } from './_helpers.js';

const DUE = Date.parse('2026-03-02T07:00:00Z');
const KEY = 'hmac-key-for-tests';

let store: ReturnType<typeof tempStore>;
let smtp: TestSmtp;
let mailer: SmtpMailer;
let teams: Receiver;
let slack: Receiver;
let hook: Receiver;

beforeEach(async () => {
  store = tempStore();
  smtp = await startSmtp();
  mailer = new SmtpMailer(smtp.url);
  [teams, slack, hook] = await Promise.all([startReceiver(), startReceiver('/services/T000/B000/SLACKSECRET'), startReceiver('/hooks/psa?token=HOOKSECRET')]);
});
afterEach(async () => {
  mailer.close();
  await Promise.all([smtp.close(), teams.close(), slack.close(), hook.close()]);
  store.cleanup();
});

/** A backlog report with an executive summary: one measure off target, one on target, one without a target. */
function backlog(): ReportResult {
  const r = tinyResult('intake/backlog', [{ id: 1, value: 7 }], { open_tickets: 130, aged: 4, created: 55 });
  r.title = 'Open backlog';
  r.headlines = [
    { metric: 'open_tickets', label: 'Open tickets', value: 130, unit: 'count', target: 120, better: 'lower', light: 'red', previous: 110 },
    { metric: 'aged', label: 'Aged over 30 days', value: 4, unit: 'count', target: 10, better: 'lower', light: 'green', previous: 5 },
    { metric: 'created', label: 'Created', value: 55, unit: 'count', target: null, better: 'none', light: 'none', previous: null },
  ];
  return r;
}

const computer: ReportComputer = {
  reportIds: () => ['intake/backlog'],
  async compute(ids): Promise<ItemResult<ReportResult>[]> {
    return ids.map((id) => ({ ok: true as const, name: id, value: backlog() }));
  },
};

function roles(channels: Record<string, unknown>[] = [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }, { type: 'slack', urlEnv: 'SLACK_DESK_URL' }, { type: 'webhook', urlEnv: 'DESK_HOOK_URL', secretEnv: 'DESK_HOOK_KEY' }]) {
  return { team: { recipients: ['a@x.test', 'b@x.test'], channels } };
}

function setup(over: { post?: boolean; roles?: Record<string, unknown>; env?: NodeJS.ProcessEnv; retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number } } = {}) {
  const clock = new FakeClock(DUE + 1000);
  const file = schedulesFile([scheduleEntry({ reports: ['intake/backlog'], post: over.post ?? true })], over.roles ?? roles());
  const env = over.env ?? { TEAMS_DESK_URL: teams.url, SLACK_DESK_URL: slack.url, DESK_HOOK_URL: hook.url, DESK_HOOK_KEY: KEY };
  const poster = createCardPoster({ env, senders: { teams: teamsSender, slack: slackSender, webhook: webhookSender }, baseUrl: 'https://reports.msp.test/', now: () => clock.now() });
  const deps = makeDeps(store.db, mailer, clock, file, { computer: computer as never, poster, ...(over.retry ? { retry: over.retry } : {}) });
  return { clock, file, deps, poster };
}

const LINK = 'https://reports.msp.test/reports/intake/backlog?as-of=2026-03-02T07%3A00%3A00.000Z';

describe('summary cards of scheduled runs', () => {
  it('posts one card per channel (Teams Adaptive Card, Slack Block Kit, signed JSON) with the KPIs and a link; running again posts nothing', async () => {
    const { deps, file } = setup();
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(['a@x.test', 'b@x.test']);
    expect(teams.got).toHaveLength(1);
    expect(slack.got).toHaveLength(1);
    expect(hook.got).toHaveLength(1);
    // The ledger has one delivery per channel, named by its variable, never by its URL.
    const posts = out.deliveries.filter((d) => d.recipient.includes(':'));
    expect(posts.map((d) => [d.recipient, d.state]).sort()).toEqual([['slack:SLACK_DESK_URL', 'sent'], ['teams:TEAMS_DESK_URL', 'sent'], ['webhook:DESK_HOOK_URL', 'sent']]);
    expect(JSON.stringify(out.deliveries)).not.toMatch(/SECRETSIG|SLACKSECRET|HOOKSECRET|127\.0\.0\.1/);

    const t = JSON.parse(teams.got[0]!.body) as { type: string; attachments: { contentType: string; content: { type: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[]; actions: { type: string; url: string }[] } }[] };
    expect(t.type).toBe('message');
    const card = t.attachments[0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content.type).toBe('AdaptiveCard');
    const facts = card.content.body.find((b) => b.type === 'FactSet')!.facts!;
    // Off target first, each with its value, target and status.
    expect(facts[0]).toEqual({ title: 'Open tickets', value: '130 · target ≤ 120 · Off target' });
    expect(facts[1]).toEqual({ title: 'Aged over 30 days', value: '4 · target ≤ 10 · On target' });
    expect(card.content.body.map((b) => b.text ?? '').join(' ')).toMatch(/1 of 2 measures with a target is off target/);
    expect(card.content.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the report', url: LINK }]);

    const s = JSON.parse(slack.got[0]!.body) as { text: string; blocks: { type: string; fields?: { text: string }[]; elements?: { url: string }[] }[] };
    expect(s.text).toBe('Service KPIs 2026-02-23 – 2026-03-01');
    expect(s.blocks.find((b) => b.type === 'section' && b.fields)!.fields![0]!.text).toBe('*Open tickets*\n130 · target ≤ 120 · Off target');
    expect(s.blocks.find((b) => b.type === 'actions')!.elements![0]!.url).toBe(LINK);

    const h = hook.got[0]!;
    const expected = `sha256=${crypto.createHmac('sha256', KEY).update(h.body).digest('hex')}`;
    expect(h.headers['x-psa-signature']).toBe(expected);
    const j = JSON.parse(h.body) as { event: string; id: string; link: string; facts: unknown[]; source: string };
    expect(j).toMatchObject({ event: 'card', source: 'weekly', link: LINK });
    expect(h.headers['x-psa-delivery']).toBe(j.id);
    expect(j.facts).toHaveLength(2);

    // Again, in this process and in another one (a daemon restarted): the run is done, nothing posted twice.
    expect((await executeRun(deps, only(file), DUE)).state).toBe('done');
    expect((await executeRun({ ...deps, owner: newOwner() }, only(file), DUE)).state).toBe('done');
    expect([teams.got.length, slack.got.length, hook.got.length, smtp.received.length]).toEqual([1, 1, 1, 2]);
  });

  it('a post left in flight by a process that died is posted again with the same delivery id, and only that one', async () => {
    const { deps, file } = setup();
    const dead = { ...deps, owner: { id: 'gone-host:999999:dead0001:x', pid: 999_999, host: 'gone-host' } };
    // A first attempt that reached the post phase and died: its run row and deliveries are as it left them.
    const first = await executeRun(dead, only(file), DUE);
    const webhookRow = first.deliveries.find((d) => d.recipient === 'webhook:DESK_HOOK_URL')!;
    store.db.prepare(`UPDATE deliveries SET state = 'sending', owner = ? WHERE id = ?`).run(dead.owner.id, webhookRow.id);
    store.db.prepare(`UPDATE runs SET state = 'working', owner = ?, heartbeat_at = 0 WHERE id = ?`).run(dead.owner.id, first.runId);
    const out = await executeRun(deps, only(file), DUE, { runId: first.runId! });
    expect(out.state).toBe('sent');
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1]!.headers['x-psa-delivery']).toBe(hook.got[0]!.headers['x-psa-delivery']);
    expect([teams.got.length, slack.got.length, smtp.received.length]).toEqual([1, 1, 2]);
    expect(out.deliveries.find((d) => d.id === webhookRow.id)).toMatchObject({ state: 'sent', in_doubt: 1 });
  });

  it('Teams answering 429 with Retry-After then 200: one card, the wait honoured', async () => {
    const { deps, file } = setup({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 5000 } });
    teams.script.push({ status: 429, headers: { 'retry-after': '1' }, body: 'Too many requests' });
    const retries: { recipient: string; delayMs: number }[] = [];
    deps.events.on('mail:retry', (e) => retries.push(e));
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('sent');
    expect(teams.accepted()).toHaveLength(1);
    expect(teams.got).toHaveLength(2);
    expect(retries).toEqual([expect.objectContaining({ recipient: 'teams:TEAMS_DESK_URL', delayMs: 1000 })]);
    expect(out.deliveries.find((d) => d.recipient === 'teams:TEAMS_DESK_URL')).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a channel that keeps failing is recorded as a failed delivery: the run is partial, the owner told, the rest delivered once', async () => {
    const { deps, file } = setup();
    for (let i = 0; i < 10; i++) slack.script.push({ status: 503, body: `busy ${slack.url}` });
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('partial');
    const row = out.deliveries.find((d) => d.recipient === 'slack:SLACK_DESK_URL')!;
    expect(row).toMatchObject({ state: 'failed', attempts: 4 });
    expect(row.last_error).toMatch(/slack:SLACK_DESK_URL: HTTP 503/);
    expect(row.last_error).not.toMatch(/SLACKSECRET/);
    expect(slack.got).toHaveLength(4);
    expect(teams.accepted()).toHaveLength(1);
    const notice = smtp.to('owner@x.test');
    expect(notice).toHaveLength(1);
    expect(notice[0]!.raw).toMatch(/slack:SLACK_DESK_URL: failed/);
    expect(notice[0]!.raw).not.toMatch(/SLACKSECRET/);
    // Not retried by running the schedule again (the run is over): the owner re-sends from the history.
    expect((await executeRun(deps, only(file), DUE)).state).toBe('done');
    expect(slack.got).toHaveLength(4);
  });

  it('a missing URL variable fails that channel only, naming the variable', async () => {
    const { deps, file } = setup({ env: { TEAMS_DESK_URL: teams.url, DESK_HOOK_URL: hook.url, DESK_HOOK_KEY: KEY } });
    const out = await executeRun(deps, only(file), DUE);
    expect(out.state).toBe('partial');
    expect(out.deliveries.find((d) => d.recipient === 'slack:SLACK_DESK_URL')).toMatchObject({ state: 'failed', attempts: 1 });
    expect(out.reason).toMatch(/environment variable SLACK_DESK_URL is not set/);
    expect([teams.got.length, slack.got.length, hook.got.length]).toEqual([1, 0, 1]);
  });

  it('a role with channels only still posts; without "post" nothing is posted', async () => {
    const only1 = setup({ roles: { team: { channels: [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }] } } });
    const out = await executeRun(only1.deps, only(only1.file), DUE);
    expect(out.state).toBe('sent');
    expect(out.deliveries.map((d) => d.recipient)).toEqual(['teams:TEAMS_DESK_URL']);
    expect(teams.got).toHaveLength(1);
    expect(smtp.received).toHaveLength(0);

    store.cleanup();
    store = tempStore();
    const off = setup({ post: false });
    const out2 = await executeRun(off.deps, only(off.file), DUE);
    expect(out2.state).toBe('sent');
    expect(out2.deliveries.map((d) => d.recipient).sort()).toEqual(['a@x.test', 'b@x.test']);
    expect(teams.got).toHaveLength(1);
  });
});
