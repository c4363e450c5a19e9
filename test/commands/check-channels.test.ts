import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { captureIO } from './io.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-check-ch-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const TEAMS = 'https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=TEAMS-SECRET-SIG';
const SLACK = 'https://hooks.slack.com/services/T000/B000/SLACK-SECRET-TOKEN';
const HOOK = 'https://ops.msp.example/psa?token=HOOK-SECRET-TOKEN';
const KEY = 'hmac-key-0123456789abcdef';
const GOOD = { TEAMS_DESK_URL: TEAMS, SLACK_DESK_URL: SLACK, OPS_HOOK_URL: HOOK, OPS_HOOK_KEY: KEY };

function schedules(): string {
  const file = path.join(dir, 'schedules.json');
  fs.writeFileSync(file, JSON.stringify({
    owner: 'ops@msp.example',
    roles: {
      managers: { recipients: ['boss@msp.example'] },
      desk: { channels: [{ type: 'teams', urlEnv: 'TEAMS_DESK_URL' }, { type: 'slack', urlEnv: 'SLACK_DESK_URL' }, { type: 'webhook', urlEnv: 'OPS_HOOK_URL', secretEnv: 'OPS_HOOK_KEY' }] },
    },
    schedules: [{ id: 'weekly-intake', cron: '0 7 * * 1', timezone: 'UTC', reports: ['intake'], format: 'pdf', roles: ['managers', 'desk'], subject: 'Intake {period}', post: true }],
  }));
  return file;
}

async function check(env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const file = schedules();
  const io = captureIO(dir, env);
  const code = await main(['check', '--schedules', file], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SECRETS = /TEAMS-SECRET-SIG|SLACK-SECRET-TOKEN|HOOK-SECRET-TOKEN|hmac-key-0123|not-a-url|logic\.azure/;

describe('check: the variables of the roles\' channels', () => {
  it('all set and well formed: exit 0, a role of channels only is not "reaching nobody"', async () => {
    const r = await check(GOOD);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--  role desk: no address, 3 channel(s)');
    expect(r.out).not.toMatch(SECRETS);
  });

  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    ['a URL variable not set', { TEAMS_DESK_URL: undefined }, /schedules\.json: roles\.desk\.channels\[0\]\.urlEnv: environment variable TEAMS_DESK_URL is not set; set it to the Teams Workflows webhook URL/],
    ['a URL variable empty', { SLACK_DESK_URL: '' }, /roles\.desk\.channels\[1\]\.urlEnv: environment variable SLACK_DESK_URL is empty; set it to the Slack incoming-webhook URL/],
    ['a URL that is not one', { OPS_HOOK_URL: 'not-a-url/psa' }, /roles\.desk\.channels\[2\]\.urlEnv: environment variable OPS_HOOK_URL is not a URL \(value not shown: it is a secret\)/],
    ['a URL with a line break from a paste', { TEAMS_DESK_URL: `${TEAMS}\n` }, /channels\[0\]\.urlEnv: environment variable TEAMS_DESK_URL is not a URL .*contains spaces or line breaks/],
    ['an http URL to another machine', { SLACK_DESK_URL: SLACK.replace('https:', 'http:') }, /channels\[1\]\.urlEnv: environment variable SLACK_DESK_URL is an http:\/\/ URL: the secret in it would cross the network in clear/],
    ['a URL with a password in it', { OPS_HOOK_URL: 'https://user:pw-SECRET@ops.msp.example/psa' }, /channels\[2\]\.urlEnv: environment variable OPS_HOOK_URL holds a user name or password/],
    ['the webhook key not set', { OPS_HOOK_KEY: undefined }, /channels\[2\]\.secretEnv: environment variable OPS_HOOK_KEY is not set; set it to the HMAC-SHA256 key/],
    ['the webhook key too short', { OPS_HOOK_KEY: 'short' }, /channels\[2\]\.secretEnv: environment variable OPS_HOOK_KEY is shorter than 16 characters/],
  ];
  for (const [what, change, message] of cases) {
    it(`${what}: exit 2, naming the file, field and variable, never the value`, async () => {
      const env = { ...GOOD, ...change } as Record<string, string | undefined>;
      for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
      const r = await check(env as Record<string, string>);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toMatch(/check: 1 part\(s\) invalid/);
      expect(r.out + r.err).not.toMatch(SECRETS);
      expect(r.out + r.err).not.toContain('pw-SECRET');
    });
  }

  it('an http URL to this machine is accepted (a local receiver)', async () => {
    const r = await check({ ...GOOD, TEAMS_DESK_URL: 'http://127.0.0.1:8080/hook' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
