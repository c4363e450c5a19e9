import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORTS } from '../../reports/index.js';
import { main } from '../../src/cli.js';
import { captureIO } from '../helpers/synced.js';

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
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 240_000);
});
