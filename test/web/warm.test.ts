import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDb, type Db } from '../../src/store/db.js';
import type { Clock } from '../../src/types.js';
import { closeState, type State } from '../../src/web/pages.js';
import { buildWebApp } from '../../src/web/server.js';
import { Users } from '../../src/web/users.js';
import { captureIO, syncedStore } from '../helpers/synced.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
let done: (() => Promise<void>) | null = null;
afterEach(async () => { await done?.(); done = null; });

describe('warming the pages after a sync', () => {
  it('computes the board, every report and its charts in the background once a sync lands, so the first view is served from it', async () => {
    const s = await syncedStore({ scale: 'tiny', seed: 11, now: NOW, days: 1 });
    const cfg = loadConfig({ db: s.cfg.db }, s.env, s.dir);
    const db: Db = openDb(cfg.db);
    const clock: Clock = { now: () => s.sim.now() };
    const { app, state } = await buildWebApp({ cfg, db, io: captureIO(s.env, s.dir), clock, warmPollMs: 60_000 });
    done = async () => { await app.close(); await closeState(state); db.close(); await s.cleanup(); };
    const users = new Users(db);
    const { token } = users.createSession(users.add('manager@msp.example', 'manager', 'correct horse battery staple', NOW), NOW);
    const board = async () => JSON.parse((await app.inject({ method: 'GET', url: '/api/board', headers: { cookie: `psa_session=${token}` } })).body) as { rows: unknown[] };

    await (state as State).warmer!.idle();
    const warmed = (await board()).rows.length;
    expect(warmed).toBeGreaterThan(0);
    // The past periods of the trends are in the store's period cache too.
    expect(db.prepare('SELECT count(*) FROM period_cache').pluck().get()).toBeGreaterThan(0);
    // The pages' charts are drawn already: a first view's images are served, not drawn, when asked for.
    const html = (await app.inject({ method: 'GET', url: '/reports/intake/sla-performance', headers: { cookie: `psa_session=${token}` } })).body;
    const keys = [...html.matchAll(/src="\/charts\/([\w-]+)\.png"/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(1);
    for (const k of keys) expect(state.chartImages.drawn(k)).toBe(true);
    // Served from the warm-up, not recomputed: the open tickets deleted behind its back still show…
    db.exec('DELETE FROM tickets');
    expect((await board()).rows.length).toBe(warmed);
    // …until the next sync lands and the warm-up runs again.
    db.prepare(`INSERT INTO sync_runs (started_at, finished_at, status, summary) VALUES (?, ?, 'ok', NULL)`).run(clock.now(), clock.now() + 1);
    await state.warmer!.idle();
    expect((await board()).rows.length).toBe(0);
  });
});
