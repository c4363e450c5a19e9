import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { captureIO } from '../helpers/synced.js';
import { signIn, webHome, type WebHome } from './helpers.js';

let h: WebHome;
beforeAll(async () => { h = await webHome(); });
afterAll(async () => { await h?.cleanup(); });

const runJson = async (...argv: string[]) => {
  const io = captureIO(h.env, h.dir);
  const code = await main(['run', ...argv, '--format', 'json', '--db', h.cfg.db], io);
  expect(code, io.stderr.join('\n')).toBe(0);
  return JSON.parse(io.stdout.join('')) as Record<string, unknown>[];
};

describe('GET /api/reports/<group>/<name>', () => {
  it('answers exactly what run --format json prints, for every report, on the same store', async () => {
    const ids = Object.keys(REPORTS);
    const asOf = '2026-11-26T12:00:00Z';
    const cli = await runJson(...ids, '--as-of', asOf);
    const v = await signIn(h.base, 'viewer@msp.example');
    for (const id of ids) {
      const res = await v.get(`/api/reports/${id}?as-of=${encodeURIComponent(asOf)}`);
      expect(res.status, id).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json(), id).toEqual(cli.find((r) => r.report === id));
    }
  });

  it('takes from/to and window like the run command, and names what is wrong in a bad request', async () => {
    const v = await signIn(h.base, 'viewer@msp.example');
    const [cli] = await runJson('intake/workflow-distribution', 'intake/sla-performance', '--from', '2026-11-01', '--to', '2026-11-08', '--as-of', '2026-11-26T12:00:00Z');
    const api = await (await v.get('/api/reports/intake/workflow-distribution?from=2026-11-01&to=2026-11-08&as-of=2026-11-26T12:00:00Z')).json();
    expect(api).toEqual(cli);
    const [win] = await runJson('intake/sla-performance', 'intake/workflow-distribution', '--window', 'previous-month', '--as-of', '2026-11-26T12:00:00Z');
    expect(await (await v.get('/api/reports/intake/sla-performance?window=previous-month&as-of=2026-11-26T12:00:00Z')).json()).toEqual(win);
    const bad = await v.get('/api/reports/intake/sla-performance?window=fortnight');
    expect(bad.status).toBe(400);
    expect((await bad.json() as { error: string }).error).toMatch(/window: "fortnight" is not allowed/);
    expect((await v.get('/api/reports/intake/nope')).status).toBe(404);
    expect((await v.get('/api/reports/intake/sla-performance?from=2026-11-01')).status).toBe(400);
  });
});
