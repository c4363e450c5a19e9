import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSyntaxError, loadConfig, readJsonFile, settingsJsonSchema } from '../../src/config.js';
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

  it('a JSON syntax error gives the line and column, never the text of the file (it may be a link to a secret)', () => {
    const dir = tmp();
    const secret = path.join(dir, 'id_secret');
    fs.writeFileSync(secret, 'TOPSECRET-KEY-MATERIAL line one\nmore secret\n');
    fs.symlinkSync(secret, path.join(dir, 'settings.json'));
    const e = (() => { try { loadConfig({ config: 'settings.json' }, {}, dir); } catch (x) { return x as AppError; } throw new Error('no error'); })();
    expect(e).toBeInstanceOf(AppError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(`${path.join(dir, 'settings.json')}: not valid JSON at line 1, column 1: expected a value: an object, list, "string", number, true, false or null`);
    expect(e.message).not.toMatch(/TOPSECRET|secret\b/);

    fs.writeFileSync(path.join(dir, 'c.json'), '{\n  "settings": {\n    "backlogDays": 3,\n  }\n}\n');
    expect(() => loadConfig({ config: 'c.json' }, {}, dir)).toThrow(/c\.json: not valid JSON at line 4, column 3: expected a property name in double quotes/);
    expect(() => loadConfig({ config: 'c.json' }, {}, dir)).not.toThrow(/position/);
  });

  it('finds the first syntax error as JSON.parse does', () => {
    const cases: [string, number][] = [['{"a":1,}', 7], ['{"a":1', 6], ['{"a" 1}', 5], ['[1 2]', 3], ['{"a":"x\ny"}', 7], ['{"a":tru}', 5], ['1 2', 2], ['"\\q"', 1], ['', 0]];
    for (const [text, at] of cases) {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonSyntaxError(text)?.at, text).toBe(at);
    }
    for (const ok of ['{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' [] ', '0']) expect(jsonSyntaxError(ok)).toBeNull();
  });

  it('a UTF-8 byte-order mark is accepted; bytes that are not UTF-8 are refused naming the file', () => {
    const dir = tmp();
    const bom = path.join(dir, 'bom.json');
    fs.writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ settings: { mspName: 'Acmé' } }))]));
    expect(loadConfig({ config: 'bom.json' }, {}, dir).settings.mspName).toBe('Acmé');
    const latin1 = path.join(dir, 'latin1.json');
    fs.writeFileSync(latin1, Buffer.from('{"settings":{"mspName":"Acm\xe9"}}', 'latin1'));
    expect(() => readJsonFile(latin1)).toThrow(`${latin1}: not UTF-8 text. Save the file as UTF-8`);
  });

  it('an unknown key is named with the closest valid one and the allowed keys, at any depth', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ settings: { backlogDayz: 3, businessHours: { strat: '08:00' } }, rendr: {} }));
    let msg = '';
    try {
      loadConfig({ config: 's.json' }, {}, dir);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/s\.json: settings: Unrecognized key: "backlogDayz" — did you mean "backlogDays"\? \(allowed: \$comment, mspName, timezone, locale, currency,/);
    expect(msg).toMatch(/settings\.businessHours: Unrecognized key: "strat" — did you mean "start"\? \(allowed: days, start, end\)/);
    expect(msg).toMatch(/\(top level\): Unrecognized key: "rendr" — did you mean "render"\?/);
  });

  it('takes $comment in every section, and checks locale and currency', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ $comment: 'x', settings: { $comment: 'y', locale: 'en-GB', currency: 'GBP' }, autotask: { $comment: 'z' }, render: { $comment: 'r' }, paths: { $comment: 'p' } }));
    const cfg = loadConfig({ config: 's.json' }, {}, dir);
    expect([cfg.settings.locale, cfg.settings.currency]).toEqual(['en-GB', 'GBP']);
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ settings: { locale: 'not a locale!', currency: 'pounds' } }));
    expect(() => loadConfig({ config: 'b.json' }, {}, dir)).toThrow(/settings\.locale: a BCP 47 locale[\s\S]*settings\.currency: an ISO 4217 currency code/);
  });

  it('the committed settings.schema.json is the generated one', () => {
    const file = path.resolve(__dirname, '../../settings.schema.json');
    if (process.env.UPDATE_SCHEMAS) fs.writeFileSync(file, `${JSON.stringify(settingsJsonSchema(), null, 2)}\n`);
    const committed = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(committed, 'settings.schema.json is stale: regenerate with UPDATE_SCHEMAS=1').toEqual(JSON.parse(JSON.stringify(settingsJsonSchema())));
  });
});
