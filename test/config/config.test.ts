import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, settingsJsonSchema } from '../../src/config.js';
import { AppError } from '../../src/errors.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'psa-cfg-'));

describe('config', () => {
  it('defaults < file < env < flags, frozen', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ settings: { timezone: 'Europe/London', backlogDays: 21 } }));
    const cfg = loadConfig({ config: 's.json', db: 'flag.db' }, { PSA_REPORTS_DB: 'env.db', SMTP_URL: 'smtp://u:p@h:25' }, dir);
    expect(cfg.settings.timezone).toBe('Europe/London');
    expect(cfg.settings.backlogDays).toBe(21);
    expect(cfg.settings.reopenDays).toBe(14);
    expect(cfg.db).toBe(path.join(dir, 'flag.db'));
    expect(Object.isFrozen(cfg.settings)).toBe(true);
    const cfg2 = loadConfig({}, { PSA_REPORTS_DB: 'env.db' }, dir);
    expect(cfg2.db).toBe(path.join(dir, 'env.db'));
  });

  it('names the file, the path inside it and what is allowed', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ settings: { timezone: 'Mars/Olympus', workflows: [{ name: 'X', ticketType: 3 }], targetUtilization: 2 } }));
    try {
      loadConfig({ config: 's.json' }, {}, dir);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      const err = e as AppError;
      expect(err.exitCode).toBe(2);
      expect(err.message).toContain(`${path.join(dir, 's.json')}: settings.timezone: an IANA time zone name`);
      expect(err.message).toContain('settings.workflows.0.ticketType');
      expect(err.message).toContain('settings.targetUtilization');
    }
  });

  it('rejects unknown keys and bad JSON with the file name', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ settings: { backlogDayz: 3 } }));
    expect(() => loadConfig({ config: 'a.json' }, {}, dir)).toThrow(/a\.json: settings: Unrecognized key/);
    fs.writeFileSync(path.join(dir, 'b.json'), '{ nope');
    expect(() => loadConfig({ config: 'b.json' }, {}, dir)).toThrow(/b\.json: not valid JSON/);
    expect(() => loadConfig({ config: 'missing.json' }, {}, dir)).toThrow(/missing\.json: cannot read the file \(ENOENT\)/);
  });

  it('the committed settings.schema.json is the generated one', () => {
    const committed = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../settings.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(settingsJsonSchema())));
  });
});
