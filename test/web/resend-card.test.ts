import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryDeps } from '../../src/app.js';
import { runScheduleNow } from '../../src/delivery/execute.js';
import { Ledger } from '../../src/delivery/ledger.js';
import { captureIO } from '../helpers/synced.js';
import { startReceiver, type Receiver } from '../alerts/_receivers.js';
import { signIn, webHome, type WebHome } from './helpers.js';

describe('a summary card that failed to post is re-sent from the run history', () => {
  let teams: Receiver;
  let home: WebHome;
  beforeAll(async () => {
    teams = await startReceiver();
    home = await webHome({
      env: { TEAMS_DESK_URL: teams.url },
      schedules: {
        owner: 'ops@msp.example',
        roles: { desk: { channels: [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }] } },
        schedules: [{ id: 'backlog-card', cron: '0 7 * * 1', timezone: 'UTC', reports: ['intake/backlog'], format: 'pdf', roles: ['desk'], subject: 'Backlog {date}', post: true }],
      },
    });
  }, 120_000);
  afterAll(async () => {
    await home?.cleanup();
    await teams?.close();
  });

  it('the failed post is posted again by "re-send to failed", once, as a delivery of a new run', async () => {
    // The workflow was deleted (404: not retried): the card's delivery fails, the run with it.
    teams.script.push({ status: 404, body: 'workflow not found' });
    const io = captureIO(home.env, home.dir);
    const wiring = await createDeliveryDeps(home.cfg, io, { db: home.db, clock: { now: () => home.sim.now() } });
    let runId: number;
    try {
      const out = await runScheduleNow(wiring.deps, wiring.schedules.schedules[0]!);
      expect(out.state).toBe('failed');
      expect(out.deliveries).toEqual([expect.objectContaining({ recipient: 'teams:TEAMS_DESK_URL', state: 'failed', attempts: 1 })]);
      runId = out.runId!;
    } finally {
      await wiring.close();
    }
    expect(teams.got).toHaveLength(1);

    const manager = await signIn(home.base, 'manager@msp.example');
    const res = await manager.post(`/history/${runId}/resend`, { _csrf: manager.csrf });
    expect(res.status).toBe(303);
    expect(teams.accepted()).toHaveLength(1);
    expect(teams.got).toHaveLength(2);
    const card = JSON.parse(teams.accepted()[0]!.body) as { attachments: { content: { actions: { url: string }[] } }[] };
    expect(card.attachments[0]!.content.actions).toBeUndefined(); // no web.baseUrl in this configuration: no link
    const runs = new Ledger(home.db).history({ limit: 5, failedOnly: false });
    const resent = runs.find((r) => r.run.id !== runId)!;
    expect(resent.deliveries).toEqual([expect.objectContaining({ recipient: 'teams:TEAMS_DESK_URL', state: 'sent' })]);
  }, 120_000);
});
