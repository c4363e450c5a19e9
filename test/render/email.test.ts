import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { csvArtifact, csvArtifacts } from '../../src/render/csv.js';
import { createChartRenderer } from '../../src/render/charts.js';
import { buildEmail, headerSafe, toEml } from '../../src/render/email.js';
import type { EmailInput } from '../../src/render/email.js';
import type { Artifact } from '../../src/types.js';
import { bigTableReport, emptyReport, hostileReport, kpiReport, listsReport, warningsReport } from './fixtures.js';
import { decodeBody, decodeWords, parseMime } from './mime.js';
import type { Part } from './mime.js';

const charts = createChartRenderer();
const fakePdf = (bytes = 40_000): Artifact => ({ filename: 'weekly-2026-11-16.pdf', contentType: 'application/pdf', content: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(bytes, 7)]) });

function input(over: Partial<EmailInput> = {}): EmailInput {
  return {
    from: 'Bright IT Reports <reports@bright.example>',
    to: ['owner@client.example'],
    subject: 'Weekly service report',
    results: [kpiReport(), warningsReport(), bigTableReport(40)],
    pdf: fakePdf(),
    csv: [csvArtifact(bigTableReport(40))],
    periodLabel: 'Week 47, 16–22 Nov 2026',
    unsubscribe: 'https://reports.bright.example/unsubscribe?d=abc',
    messageId: 'run-42.owner-client-example@psa-reports.bright.example',
    maxBytes: 10_000_000,
    charts,
    mspName: 'Bright IT Services',
    date: new Date(Date.UTC(2026, 10, 23, 7, 0)),
    ...over,
  };
}

function leaves(p: Part): Part[] {
  return p.children.length ? p.children.flatMap(leaves) : [p];
}

describe('report email', () => {
  it('shows a report\'s further tables; a digest\'s story names a figure called like its report by its value alone', async () => {
    const r = { ...kpiReport(), title: 'Tickets without an SLA' };
    const msg = await buildEmail(input({ results: [r, listsReport()], story: true, topRows: 5 }));
    const text = msg.text as string;
    expect(text).toContain('Tickets without an SLA: first response met 93.4');
    // Labels keep their acronyms inside the sentence.
    expect(text).toMatch(/resolved within SLA 76\.0\s%, 12, mean hours/);
    expect(text).toContain('Unapproved time by resource:');
    expect(text).toContain('Unapproved entries by age:');
    expect(text).toContain('Columns not shown here: Value.');
    // The PDF shows 25 of the 60 entries: the rest are said to be in the spreadsheet, not in the PDF.
    expect(text).toContain('55 more entries: all of them are in the spreadsheet (XLSX or CSV) of this report.');
    const big = bigTableReport(40);
    const many = { ...listsReport(), rows: big.rows, columns: big.columns };
    const withCsv = await buildEmail(input({ results: [many], csv: csvArtifacts(many) }));
    expect(withCsv.text as string).toContain('50 more entries: all of them are in accounting-approve-and-post-unapproved-entries-by-age-2026-11-16.csv.');
    // The report's own rows point at the PDF and its own CSV, not at its further tables' files.
    expect(withCsv.text as string).toMatch(/more rows are in weekly-2026-11-16\.pdf and accounting-approve-and-post-2026-11-16\.csv\./);
  });

  it('is multipart/related > multipart/alternative (text + HTML) with CID charts, the PDF attached and list headers', async () => {
    const msg = await buildEmail(input());
    const raw = (await toEml(msg)).toString('latin1');
    const root = parseMime(raw);
    expect(root.contentType).toBe('multipart/mixed');
    const [related, ...attached] = root.children;
    expect(related!.contentType).toBe('multipart/related');
    const [alt, ...inline] = related!.children;
    expect(alt!.contentType).toBe('multipart/alternative');
    expect(alt!.children.map((c) => c.contentType)).toEqual(['text/plain', 'text/html']);
    const text = decodeBody(alt!.children[0]!).toString('utf8');
    const html = decodeBody(alt!.children[1]!).toString('utf8');

    // Charts: every cid: in the HTML is a part, every image part is used, and no data: URI anywhere in the HTML.
    const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    expect(cids.length).toBe(3);
    expect(inline.map((p) => p.headers.get('content-id'))).toEqual(cids.map((c) => `<${c}>`));
    for (const p of inline) {
      expect(p.contentType).toBe('image/png');
      expect(decodeBody(p).subarray(1, 4).toString()).toBe('PNG');
    }
    expect(html).not.toContain('data:');
    // Outlook-safe layout: a 600px table (in Outlook's conditional comment) with inline styles; elsewhere
    // fluid up to 600 px. The only <style> is the phone media query: without it the layout still works.
    expect(html).toMatch(/<!--\[if mso\]><table[^>]+width="600"/);
    expect(html).toMatch(/max-width:600px/);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/gi)].map((m) => m[1]!.trim());
    expect(styles).toHaveLength(1);
    expect(styles[0]).toMatch(/^@media only screen and \(max-width:480px\) \{[\s\S]*\}$/);
    expect(styles[0]!.replace(/@media[^{]+\{/, '')).not.toMatch(/@/);

    expect(attached.map((a) => a.contentType)).toEqual(['application/pdf', 'text/csv']);
    expect(attached[0]!.headers.get('content-disposition')).toMatch(/attachment;\s*filename=weekly-2026-11-16\.pdf/);
    expect(decodeBody(attached[0]!).equals(fakePdf().content)).toBe(true);

    expect(root.headers.get('message-id')).toBe('<run-42.owner-client-example@psa-reports.bright.example>');
    expect(root.headers.get('list-unsubscribe')).toBe('<https://reports.bright.example/unsubscribe?d=abc>');
    expect(root.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(decodeWords(root.headers.get('subject')!)).toBe('Weekly service report — Week 47, 16–22 Nov 2026');
    expect(root.headers.get('date')).toBe('Mon, 23 Nov 2026 07:00:00 +0000');

    // The body: headline tiles and top rows of each report, in both alternatives.
    for (const body of [text, html]) {
      expect(body).toContain('SLA performance');
      expect(body).toMatch(/93\.4[\s\u00a0]%/);
      expect(body).toContain('Reactive');
      expect(body).toContain('WARNING-ONE');
      expect(body).toContain('182,451');
      expect(body).toContain('T20261116.1009');
      expect(body).not.toContain('T20261116.1010');
      expect(body).toContain('30 more rows are in weekly-2026-11-16.pdf and operations-open-tickets-2026-11-23.csv');
    }
    expect(text).toContain('https://reports.bright.example/unsubscribe?d=abc');
    expect(msg.envelope).toEqual({ from: 'reports@bright.example', to: ['owner@client.example'] });
    // The same content is offered as fields for callers that compose differently.
    expect(msg.html).toBe(html);
    expect(msg.text).toBe(text);
    expect(msg.attachments.map((a) => a.cid ?? a.filename)).toEqual([...cids, 'weekly-2026-11-16.pdf', 'operations-open-tickets-2026-11-23.csv']);
  });

  it('a retry with the same Message-ID builds the same message id; another delivery a different one', async () => {
    const a = await buildEmail(input());
    const b = await buildEmail(input());
    expect(a.messageId).toBe(b.messageId);
    expect((await buildEmail(input({ messageId: '<run-42.other@psa-reports.bright.example>' }))).messageId).toBe('<run-42.other@psa-reports.bright.example>');
    await expect(buildEmail(input({ messageId: 'no-at-sign' }))).rejects.toMatchObject({ code: 'MAIL' });
  });

  it('over the size budget, leaves the PDF out and says so plainly, with where the file is', async () => {
    const big = fakePdf(3_000_000);
    const msg = await buildEmail(input({ pdf: big, csv: [], maxBytes: 1_000_000, savedAt: { [big.filename]: '/srv/psa-reports/out/weekly-2026-11-16.pdf' } }));
    expect(msg.omitted).toEqual([big.filename]);
    expect(msg.raw.length).toBeLessThanOrEqual(1_000_000);
    const root = parseMime(msg.raw.toString('latin1'));
    expect(root.contentType).toBe('multipart/related');
    const alt = root.children[0]!;
    for (const body of alt.children.map((c) => decodeBody(c).toString('utf8').replace(/\s+/g, ' '))) {
      expect(body).toContain('The attachment weekly-2026-11-16.pdf (3.0 MB) was left out');
      expect(body).toContain('1.0 MB limit');
      expect(body).toContain('/srv/psa-reports/out/weekly-2026-11-16.pdf');
    }
    expect(leaves(root).some((p) => p.contentType === 'application/pdf')).toBe(false);
  });

  it('an empty report still gets a body that says there is nothing, never a blank email', async () => {
    const msg = await buildEmail(input({ results: [emptyReport()], pdf: undefined, csv: [], notes: ['NOTE-FROM-RUN: the capacity report failed and is not included.'] }));
    const text = decodeBody(parseMime(msg.raw.toString('latin1')).children[0]!.children[0]!).toString('utf8');
    expect(text).toContain('NOTE-FROM-RUN');
    expect(msg.html).toContain('NOTE-FROM-RUN');
    expect(text).toContain('Stuck projects');
    expect(text).toContain('No rows for this period.');
  });

  it('header values built from data cannot inject lines', async () => {
    expect(headerSafe('a\r\nBcc: x@y\n b')).toBe('a Bcc: x@y b');
    const msg = await buildEmail(input({
      subject: 'Weekly\r\nBcc: evil@attacker.example\r\nX-Evil: 1',
      periodLabel: 'Week 47\nX-Period: 2',
      to: 'owner@client.example\r\nCc: evil@attacker.example',
      messageId: 'id-1@x.example>\r\nX-Id: 3',
      unsubscribe: 'mailto:unsubscribe@bright.example',
    }));
    const raw = msg.raw.toString('latin1');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    for (const bad of [/^Bcc:/im, /^X-Evil:/im, /^X-Period:/im, /^Cc:/im, /^X-Id:/im]) expect(head).not.toMatch(bad);
    expect(parseMime(raw).headers.get('list-unsubscribe')).toBe('<mailto:unsubscribe@bright.example>');
    expect(parseMime(raw).headers.get('list-unsubscribe-post')).toBeUndefined();
    await expect(buildEmail(input({ unsubscribe: 'javascript:alert(1)' }))).rejects.toMatchObject({ code: 'CONFIG' });
    // Extra headers are added, but cannot replace recipients or identity, nor inject lines.
    const extra = await buildEmail(input({ headers: { 'X-PSA-Run': 'run-42\r\nBcc: evil@attacker.example', Bcc: 'evil@attacker.example', 'Message-ID': '<other@x>', 'Bad Name': 'x' } }));
    const xhead = extra.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(xhead).toMatch(/^X-PSA-Run: run-42 Bcc: evil@attacker\.example$/im);
    expect(xhead).not.toMatch(/^Bcc:/im);
    expect(parseMime(extra.raw.toString('latin1')).headers.get('message-id')).toBe('<run-42.owner-client-example@psa-reports.bright.example>');
  });

  it('hostile report text is escaped in the email HTML and flattened in the text part', async () => {
    const msg = await buildEmail(input({ results: [hostileReport(9)], subject: hostileReport(9).title }));
    expect(msg.html).not.toMatch(/<img src=http/i);
    expect(msg.html).not.toMatch(/<script/i);
    expect(msg.html).not.toMatch(/<link/i);
    expect(msg.html).not.toMatch(/<iframe/i);
    expect(msg.html).toContain('&lt;img src&#x3D;http://127.0.0.1:9/x');
    expect(msg.html).toContain('{{constructor}}');
    expect(msg.text).toContain('<img src=http://127.0.0.1:9/x onerror=alert(1)>');
    expect(msg.html).toContain('more characters; the CSV has the full text');
    const head = msg.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/^<link/im);
  });

  it('goes through a real SMTP server unchanged', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => { received.push(Buffer.concat(chunks).toString('latin1')); cb(); });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.server.address() as AddressInfo).port;
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      const msg = await buildEmail(input());
      const info = await transport.sendMail(msg);
      expect(info.accepted).toEqual(['owner@client.example']);
      expect(received).toHaveLength(1);
      const root = parseMime(received[0]!);
      expect(root.headers.get('message-id')).toBe(msg.messageId);
      expect(root.children[0]!.contentType).toBe('multipart/related');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  it('a personal copy shows the team value in each tile, in the HTML and the text part', async () => {
    const mine = kpiReport();
    mine.headlines = mine.headlines.map((h) => ({ ...h, team: h.value, value: 12.5 }));
    const msg = await buildEmail(input({ results: [mine], csv: [] }));
    const root = parseMime((await toEml(msg)).toString('latin1'));
    const alt = root.children[0]!.children[0]!;
    const text = decodeBody(alt.children[0]!).toString('utf8');
    const html = decodeBody(alt.children[1]!).toString('utf8');
    const team = mine.headlines.find((h) => typeof h.team === 'number')!;
    expect(html).toMatch(/>Team [^<]+</);
    expect(text).toMatch(/team \S+/);
    expect((html.match(/>Team /g) ?? []).length).toBe(mine.headlines.length);
    expect(team.team).not.toBe(12.5);
  });
});
