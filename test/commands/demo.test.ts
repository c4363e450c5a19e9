import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { DEMO_MARKER, prepareDemoFolder } from '../../src/commands/demo.js';
import { captureIO } from '../helpers/synced.js';
import { pdfText } from '../render/pdftools.js';

describe('psa-reports demo', () => {
  it('from any folder: simulator → sync → every report as PDF → every schedule into the outbox, nothing sent', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-demo-'));
    try {
      // SMTP_URL in the environment must be ignored: the demo only talks to itself.
      const io = captureIO({ SMTP_URL: 'smtp://user:pass@127.0.0.1:9' }, cwd);
      const code = await main(['demo', '--scale', 'tiny', '--days', '2', '--out', 'demo'], io);
      expect(io.stderr.join('\n')).not.toMatch(/FAILED|failed \(/);
      expect(code).toBe(0);
      const out = path.join(cwd, 'demo');
      const pdfs = fs.readdirSync(path.join(out, 'reports'));
      expect(pdfs.sort()).toEqual(Object.keys(REPORTS).map((id) => `${id.replace('/', '-')}.pdf`).sort());
      for (const f of pdfs) expect(fs.readFileSync(path.join(out, 'reports', f)).subarray(0, 5).toString()).toBe('%PDF-');
      const emls = fs.readdirSync(path.join(out, 'outbox')).filter((f) => f.endsWith('.eml'));
      expect(emls.length).toBeGreaterThan(5);
      const one = fs.readFileSync(path.join(out, 'outbox', emls[0]!), 'utf8');
      expect(one).toMatch(/^Message-ID: <.+>$/m);
      expect(one).toMatch(/multipart\/related/);
      // The dispatcher's list arrives as its own email, the accounting spreadsheets as workbooks.
      const all = emls.map((f) => fs.readFileSync(path.join(out, 'outbox', f), 'utf8'));
      expect(all.some((m) => /^Subject: Needs intervention /m.test(m))).toBe(true);
      const books = all.filter((m) => /^Subject: (Expenses|Commissions) /m.test(m));
      expect(books.length).toBeGreaterThan(0);
      // (Header lines are folded when long: unfold before matching.)
      for (const m of books) expect(m.replace(/\r?\n[ \t]+/g, ' ')).toMatch(/Content-Type: application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/);
      expect(io.stdout.join('\n')).toContain('Demo finished');
      // The store is there and says where it came from.
      expect(fs.existsSync(path.join(out, 'demo.db'))).toBe(true);
      // Marked as the demo's, so the next demo may empty it.
      expect(fs.statSync(path.join(out, DEMO_MARKER)).isFile()).toBe(true);
      // No settings file here: the reports are cut in the schedules' zone (written down, and passed on by the
      // hint), so a PDF and the e-mails of the same Monday tell the same time.
      expect(JSON.parse(fs.readFileSync(path.join(out, 'settings.json'), 'utf8')).settings).toEqual({ timezone: 'America/New_York' });
      expect(io.stdout.join('\n')).toMatch(/Next: psa-reports run intake\/backlog --db demo\/demo\.db --config demo\/settings\.json/);
      const asOfPdf = /As of [^\n]+/.exec(await pdfText(fs.readFileSync(path.join(out, 'reports', 'intake-backlog.pdf'))))![0];
      expect(asOfPdf).toMatch(/07:00 GMT-[45]$/); // New York, winter or summer
      expect(all.some((m) => m.includes(asOfPdf))).toBe(true);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 240_000);

  it('--out refuses a folder it did not make (--out . deleted the user\'s files), a symbolic link and a file; nothing is touched', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-demo-guard-'));
    try {
      fs.writeFileSync(path.join(cwd, 'precious.txt'), 'mine');
      fs.mkdirSync(path.join(cwd, 'project'));
      fs.writeFileSync(path.join(cwd, 'project', 'notes.md'), 'mine too');
      fs.symlinkSync(path.join(cwd, 'project'), path.join(cwd, 'link'));
      const cases: [string, RegExp][] = [
        ['.', /is not empty and was not made by psa-reports demo \(it has no \.psa-reports-demo file\)/],
        ['project', /is not empty and was not made by psa-reports demo/],
        ['link', /is a symbolic link/],
        ['precious.txt', /is not a folder/],
      ];
      for (const [out, why] of cases) {
        const io = captureIO({}, cwd);
        expect(await main(['demo', '--scale', 'tiny', '--days', '0', '--out', out], io), out).toBe(2);
        expect(io.stderr.join('\n')).toMatch(why);
        expect(io.stderr.join('\n')).toContain(`--out: ${path.resolve(cwd, out)} `);
      }
      expect(fs.readFileSync(path.join(cwd, 'precious.txt'), 'utf8')).toBe('mine');
      expect(fs.readFileSync(path.join(cwd, 'project', 'notes.md'), 'utf8')).toBe('mine too');
      expect(fs.readdirSync(cwd).sort()).toEqual(['link', 'precious.txt', 'project']);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a new or empty folder is taken and marked; a folder the demo marked is emptied for the next demo', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'psa-demo-prep-'));
    try {
      const fresh = path.join(cwd, 'a', 'b');
      prepareDemoFolder(fresh);
      expect(fs.readdirSync(fresh)).toEqual([DEMO_MARKER]);
      fs.mkdirSync(path.join(fresh, 'reports'));
      fs.writeFileSync(path.join(fresh, 'reports', 'old.pdf'), 'x');
      prepareDemoFolder(fresh);
      expect(fs.readdirSync(fresh)).toEqual([DEMO_MARKER]);
      const empty = path.join(cwd, 'empty');
      fs.mkdirSync(empty);
      prepareDemoFolder(empty);
      expect(fs.readdirSync(empty)).toEqual([DEMO_MARKER]);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
