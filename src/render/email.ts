import MimeNode from 'nodemailer/lib/mime-node/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { norm } from '../reporting/labels.js';
import type { Artifact, ColumnSpec, Headline, ReportResult, Row } from '../types.js';
import { AppError } from '../errors.js';
import type { ChartRenderer } from './charts.js';
import type { FormatOptions } from './format.js';
import { clip, formatCell, formatPeriod, isNumericColumn, softWrap } from './format.js';
import type { Templates } from './templates.js';
import { loadTemplates } from './templates.js';
import type { EmbeddedImage } from './pdf.js';
import { chartNames, columnsOf, drawCharts, moreLine, slug, tileView } from './view.js';

/** What one report email is made of. */
export interface EmailInput {
  /** Sender (`MAIL_FROM`). */
  from: string;
  /** Recipient(s). */
  to: string | string[];
  /** Subject; the period label is appended when the subject does not already name it. */
  subject: string;
  /** The results the email summarises. */
  results: ReportResult[];
  /** The PDF to attach. */
  pdf?: Artifact;
  /** CSV files to attach. */
  csv?: Artifact[];
  /** The period in words, e.g. "Week 47, 16–22 Nov 2026". */
  periodLabel: string;
  /** `https://…` one-click unsubscribe URL or `mailto:…` address for `List-Unsubscribe`. */
  unsubscribe: string;
  /** The delivery's Message-ID (with or without angle brackets); a retry passes the same one. */
  messageId: string;
  /** Size budget of the whole message in bytes; attachments that do not fit are left out, and the body says so. */
  maxBytes: number;
  /** Chart PNGs already drawn for the PDF (`Renderer.html(…).images`); drawn with `charts` when absent. */
  images?: EmbeddedImage[];
  /** Chart renderer used when `images` is absent. */
  charts?: ChartRenderer;
  /** Where each attachment is stored (file path or URL by file name), for the note when one is left out. */
  savedAt?: Record<string, string>;
  /** MSP name for the banner. */
  mspName?: string;
  /** Heading of the banner (default: the subject without the period). */
  heading?: string;
  /** Rows of each report shown in the body. */
  topRows?: number;
  /** Date header (from the caller's Clock). */
  date: Date;
  /** Number formatting (zone, locale, currency). */
  format?: Partial<FormatOptions>;
  /** Templates (default: the program's `templates/`). */
  templates?: Templates;
  /** Extra notes for the top of the body (e.g. a report of the run that failed), plain sentences. */
  notes?: string[];
  /** Open with a plain paragraph telling the week's figures, report by report (a digest's story of the week). */
  story?: boolean;
  /** Extra headers (the run id for tracing…); values are made header-safe, odd names are dropped. */
  headers?: Record<string, string>;
}

/** Mail options ready for `transport.sendMail`: the MIME message prebuilt in `raw`, plus the envelope. */
export type EmailMessage = Mail.Options & {
  /** The complete RFC 5322 message. */
  raw: Buffer;
  /** Envelope for SMTP. */
  envelope: { from: string; to: string[] };
  /** Message-ID with angle brackets. */
  messageId: string;
  /** Attachments left out for the size budget (file names). */
  omitted: string[];
  /** The HTML body (also inside `raw`). */
  html: string;
  /** The plain-text body (also inside `raw`). */
  text: string;
  /** Chart images (inline, by Content-ID) and attached files, as in `raw`. */
  attachments: Mail.Attachment[];
};

/** Removes line breaks (and other controls) from a header value built from data, so no header can be injected. */
export function headerSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

function angle(id: string): string {
  const bare = headerSafe(id).replace(/^<|>$/g, '').replace(/[<>\s]/g, '');
  if (!/^[^@]+@[^@]+$/.test(bare)) {
    throw new AppError(`Message-ID "${bare}" is not of the form local@domain.`, 'MAIL');
  }
  return `<${bare}>`;
}

function unsubscribeHeader(u: string): { value: string; oneClick: boolean; href: string } {
  const v = headerSafe(u).replace(/^<|>$/g, '');
  if (/^https:\/\/[^\s<>"]+$/i.test(v)) return { value: `<${v}>`, oneClick: true, href: v };
  if (/^mailto:[^\s<>"]+$/i.test(v)) return { value: `<${v}>`, oneClick: false, href: v };
  if (/^[^\s<>"@]+@[^\s<>"@]+$/.test(v)) return { value: `<mailto:${v}>`, oneClick: false, href: `mailto:${v}` };
  throw new AppError(`The unsubscribe address "${v}" is neither an https URL nor a mailto address.`, 'CONFIG');
}

// Base64 grows content by 4/3 and adds a CRLF per 76 characters; part headers add a little more.
function encodedSize(bytes: number): number {
  const b64 = Math.ceil(bytes / 3) * 4;
  return b64 + Math.ceil(b64 / 76) * 2 + 400;
}

function mb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}


const MAX_EMAIL_COLUMNS = 5;
/** Gmail clips a body above ~102 KB (the rest behind "View entire message"): the body stays under 100 KB. */
export const MAX_HTML_BYTES = 100_000;
/** Lines of the summary at the top of a message (off-target first; the rest are counted). */
const SUMMARY_LINES = 8;
const LIGHT_RANK: Record<string, number> = { red: 0, amber: 1, green: 2, none: 3 };
const RESERVED_HEADER = /^(from|to|cc|bcc|reply-to|sender|subject|date|message-id|mime-version|content-.*|list-unsubscribe.*|return-path|received)$/i;
const LIGHT_COLOUR: Record<string, string> = { green: '#2e7d4f', amber: '#b7791f', red: '#b83a2b', none: '#9aa5b1' };
const TONE_COLOUR: Record<string, string> = { good: '#2e7d4f', bad: '#b83a2b', neutral: '#5b6672' };

/**
 * Builds the report email: multipart/mixed > multipart/related > multipart/alternative (text + HTML),
 * charts as Content-ID parts of the related part (never data: URIs, which Outlook and Gmail drop), the PDF
 * and CSVs attached. nodemailer's own composer nests related inside alternative, so the tree is built here
 * with its MimeNode and handed over as `raw`.
 */
export async function buildEmail(input: EmailInput): Promise<EmailMessage> {
  const t = input.templates ?? loadTemplates();
  const fmt: FormatOptions = { timezone: 'UTC', ...input.format };
  const topRows = input.topRows ?? 10;
  const periodLabel = headerSafe(input.periodLabel);
  let subject = headerSafe(input.subject);
  if (periodLabel && !subject.includes(periodLabel)) subject = `${subject} — ${periodLabel}`;
  const messageId = angle(input.messageId);
  const unsub = unsubscribeHeader(input.unsubscribe);
  const to = (Array.isArray(input.to) ? input.to : [input.to]).map(headerSafe).filter(Boolean);
  if (!to.length) throw new AppError('The email has no recipient.', 'MAIL');
  const from = headerSafe(input.from);

  // Chart images: reuse the PDF's PNGs by Content-ID, or draw them.
  let images = input.images;
  if (!images && input.charts) images = (await drawCharts(input.results, input.charts)).flat();
  const byCid = new Map((images ?? []).map((i) => [i.cid, i]));
  const names = chartNames(input.results);

  // Size budget: body first, then charts, then the PDF, then the CSVs, each only if it still fits.
  const notices: string[] = (input.notes ?? []).map((n) => n.trim()).filter(Boolean);
  const omitted: string[] = [];
  let budget = input.maxBytes - 60_000; // headers, text and HTML bodies
  const usedImages: EmbeddedImage[] = [];
  for (const list of names) {
    for (const n of list) {
      const img = byCid.get(n.cid);
      if (!img) continue;
      const size = encodedSize(img.content.length);
      if (size <= budget) { usedImages.push(img); budget -= size; }
    }
  }
  const imageCount = names.flat().filter((n) => byCid.has(n.cid)).length;
  if (usedImages.length < imageCount) {
    notices.push(`${imageCount - usedImages.length} chart(s) were left out of this email to stay under the ${mb(input.maxBytes)} size limit; the PDF or the saved report has them.`);
  }
  const attachments: Artifact[] = [];
  for (const a of [...(input.pdf ? [input.pdf] : []), ...(input.csv ?? [])]) {
    const size = encodedSize(a.content.length);
    if (size <= budget) { attachments.push(a); budget -= size; continue; }
    omitted.push(a.filename);
    const where = input.savedAt?.[a.filename];
    notices.push(
      `The attachment ${a.filename} (${mb(a.content.length)}) was left out: it would make this email larger than the ${mb(input.maxBytes)} limit. `
      + (where ? `The file is saved at ${where}.` : 'Ask the sender for the file; it can be produced again with "psa-reports run".'),
    );
  }
  const usedCids = new Set(usedImages.map((i) => i.cid));

  // Views. The body must stay under Gmail's clipping size (~102 KB): when it does not, it is built again
  // with fewer rows per table (the attachments and the saved report keep every row).
  const attachedNames = attachments.map((a) => a.filename);
  const summary = summaryOf(input.results, fmt, input.story ?? false);
  const heading = input.heading ?? headerSafe(input.subject);
  const mspName = input.mspName ?? '';
  const footer = attachments.length
    ? `Attached: ${attachments.map((a) => a.filename).join(', ')}. Figures are computed from Autotask data synchronised before the report ran.`
    : 'Figures are computed from Autotask data synchronised before the report ran.';
  let rowsShown = topRows;
  let reports = reportViews(input.results, fmt, rowsShown, names, usedCids, attachedNames);
  const render = () => t.email({
    subject, heading, mspName, periodLabel, notices, summary,
    reports: reports.map(({ _result, _tiles, _cols, _shown, _more, ...v }) => v),
    footer, unsubscribe: unsub.href,
  });
  let html = render();
  while (Buffer.byteLength(html) > MAX_HTML_BYTES && rowsShown > 0) {
    rowsShown = rowsShown > 5 ? 5 : rowsShown > 3 ? 3 : 0;
    reports = reportViews(input.results, fmt, rowsShown, names, usedCids, attachedNames);
    html = render();
  }

  // Plain-text alternative: the same content for clients (and people) that do not show HTML.
  const lines: string[] = [];
  if (mspName) lines.push(mspName);
  lines.push(heading, periodLabel, '');
  if (summary) {
    lines.push(`${summary.title}: ${summary.sentence}`);
    for (const r of summary.rows) lines.push(`- ${r.label}${r.report ? ` (${r.report})` : ''}: ${r.value}${r.status ? `, ${r.status}` : ''}${r.detail ? `, ${r.detail}` : ''}`);
    if (summary.more) lines.push(summary.more);
    lines.push('');
  }
  for (const n of notices) lines.push(`NOTE: ${n}`, '');
  for (const rep of reports) {
    lines.push(`== ${rep.title} ==`, rep.period);
    if (rep._result.warnings.length) lines.push(`Data quality: ${rep._result.warnings.join(' ')}`);
    for (const tile of rep._tiles) {
      const extra = [tile.status, tile.target ? `target ${tile.target}` : '', tile.team ? `team ${tile.team}` : '', tile.change ? `${tile.change.arrow} ${tile.change.text} vs previous period` : ''].filter(Boolean).join(', ');
      lines.push(`- ${tile.label}: ${tile.value}${extra ? ` (${extra})` : ''}`);
    }
    if (rep.lead) lines.push(rep.lead);
    for (const table of rep.tables) {
      if (!table.columns.length) continue;
      if (!table.rows.length && table.more) {
        lines.push(table.more);
      } else if (table.rows.length) {
        lines.push('', table.caption + ':');
        lines.push(table.columns.map((c) => c.label).join(' | '));
        for (const row of table.rows) lines.push(row.map((c) => c.text.replace(/\u200b/g, '')).join(' | '));
        if (table.more) lines.push(table.more);
      } else {
        lines.push((table as { empty?: string | null }).empty ?? 'No rows for this period.');
      }
    }
    lines.push('');
  }
  lines.push(footer, `To stop receiving these reports: ${unsub.href}`);
  const text = lines.join('\n');

  // MIME tree.
  const date = input.date;
  const related = attachments.length ? null : new MimeNode('multipart/related; type="multipart/alternative"');
  const root = related ?? new MimeNode('multipart/mixed');
  const rel = related ?? root.createChild('multipart/related; type="multipart/alternative"');
  root.setHeader('From', from);
  root.setHeader('To', to.join(', '));
  root.setHeader('Subject', subject);
  root.setHeader('Message-ID', messageId);
  root.setHeader('Date', date.toUTCString().replace(/GMT/, '+0000'));
  root.setHeader('List-Unsubscribe', unsub.value);
  if (unsub.oneClick) root.setHeader('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click');
  root.setHeader('Auto-Submitted', 'auto-generated');
  for (const [k, v] of Object.entries(input.headers ?? {})) {
    // Extra headers add to the message; they cannot replace who it goes to, its identity or its structure.
    if (/^[A-Za-z0-9-]+$/.test(k) && !RESERVED_HEADER.test(k)) root.setHeader(k, headerSafe(v));
  }
  const alt = rel.createChild('multipart/alternative');
  alt.createChild('text/plain; charset=utf-8').setContent(text);
  alt.createChild('text/html; charset=utf-8').setContent(html);
  for (const img of usedImages) {
    rel.createChild('image/png', { filename: img.filename })
      .setHeader('Content-ID', `<${img.cid}>`)
      .setHeader('Content-Disposition', 'inline')
      .setContent(img.content);
  }
  for (const a of attachments) {
    root.createChild(a.contentType, { filename: a.filename }).setHeader('Content-Disposition', 'attachment').setContent(a.content);
  }
  const raw = await root.build();
  return {
    from,
    to,
    subject,
    messageId,
    date,
    envelope: { from: envelopeAddress(from), to: to.map(envelopeAddress) },
    headers: { 'List-Unsubscribe': unsub.value },
    raw,
    omitted,
    html,
    text,
    attachments: [
      ...usedImages.map((i) => ({ filename: i.filename, content: i.content, contentType: 'image/png', cid: i.cid, contentDisposition: 'inline' as const })),
      ...attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    ],
  };
}

type EmailFormat = FormatOptions;

/**
 * The summary that opens a message: one sentence (how many measures are off target, and which) and the
 * headlines, off-target first. A single report with its tiles right under the summary needs no table:
 * the sentence alone is shown.
 */
/** A label inside a sentence: its first letter in lower case, unless it opens with an acronym ("SLA met"); "SLA" inside stays. */
function inSentence(label: string): string {
  return /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

function summaryOf(results: ReportResult[], fmt: EmailFormat, story: boolean): { title: string; sentence: string; rows: Record<string, unknown>[]; more: string | null } | null {
  const all: { h: Headline; r: ReportResult; order: number }[] = [];
  results.forEach((r) => r.headlines.forEach((h) => all.push({ h, r, order: all.length })));
  if (!all.length) return null;
  const personal = all.some((x) => x.h.team !== undefined);
  const rated = all.filter((x) => x.h.light !== 'none');
  const off = rated.filter((x) => x.h.light === 'red' || x.h.light === 'amber');
  const f = (x: { h: Headline; r: ReportResult }) => ({ ...fmt, timezone: x.r.timezone || fmt.timezone });
  const named = (x: { h: Headline; r: ReportResult }) => `${x.h.label} ${tileView(x.h, f(x)).value}`;
  let sentence: string;
  if (!rated.length) sentence = `${all.length} ${all.length === 1 ? 'figure' : 'figures'} in ${results.length === 1 ? 'this report' : `${results.length} reports`}; none has a target.`;
  else if (!off.length) sentence = `All ${rated.length} ${rated.length === 1 ? 'measure' : 'measures'} with a target ${rated.length === 1 ? 'is' : 'are'} on target.`;
  else {
    const list = off.slice(0, 3).map(named).join('; ');
    sentence = `${off.length} of ${rated.length} ${rated.length === 1 ? 'measure' : 'measures'} with a target ${off.length === 1 ? 'is' : 'are'} off target: ${list}${off.length > 3 ? '; and more below' : ''}.`;
  }
  if (story) {
    // One paragraph: each report's figures in a sentence, in the order of the schedule.
    sentence = results.filter((r) => r.headlines.length).map((r) => {
      // A figure named like its report ("Deals about to close: deals about to close 14") goes by its value alone.
      const parts = r.headlines.map((h) => `${norm(h.label) === norm(r.title) ? '' : `${inSentence(h.label)} `}${tileView(h, { ...fmt, timezone: r.timezone || fmt.timezone }).value}`);
      return `${r.title}: ${parts.join(', ')}.`;
    }).join(' ') + (off.length ? ` ${off.length === 1 ? 'One figure is' : `${off.length} figures are`} off target: ${off.slice(0, 3).map(named).join('; ')}.` : '');
    return { title: 'The week in brief', sentence, rows: [], more: null };
  }
  const sorted = all.slice().sort((a, b) => (LIGHT_RANK[a.h.light] ?? 3) - (LIGHT_RANK[b.h.light] ?? 3) || a.order - b.order);
  const shown = results.length > 1 || personal ? sorted.slice(0, SUMMARY_LINES) : [];
  const rows = shown.map((x) => {
    const v = tileView(x.h, f(x));
    const detail = [v.target ? `target ${v.target}` : '', v.team ? `${personal ? 'team average' : 'team'} ${v.team}` : '', v.change ? `${v.change.arrow} ${v.change.text}` : ''].filter(Boolean).join(' · ');
    return { label: x.h.label, report: results.length > 1 && !x.r.title.toLowerCase().includes(x.h.label.toLowerCase()) ? x.r.title : null, value: v.value, status: x.h.light === 'none' ? null : v.status, detail, colour: LIGHT_COLOUR[x.h.light] ?? LIGHT_COLOUR.none! };
  });
  const rest = all.length - shown.length;
  return {
    title: personal ? 'At a glance' : 'Summary',
    sentence,
    rows,
    more: shown.length && rest > 0 ? `${rest} more ${rest === 1 ? 'figure' : 'figures'} below${off.length > shown.length ? '' : ', all on target or without a target'}.` : null,
  };
}

type TableView = { caption: string; columns: { label: string; align: string }[]; rows: { text: string; align: string; nowrap: boolean }[][]; more: string | null };

function tableView(caption: string | null, cols: ColumnSpec[], rows: Row[], limit: number, f: FormatOptions, moreWhere: string): TableView {
  const shown = rows.slice(0, limit);
  const more = rows.length - shown.length;
  return {
    caption: caption ?? (rows.length > shown.length ? `Top ${shown.length} of ${rows.length} rows` : `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`),
    columns: cols.map((c) => ({ label: c.label, align: isNumericColumn(c) ? 'right' : 'left' })),
    rows: shown.map((row) => cols.map((c) => ({
      text: isNumericColumn(c) ? formatCell(row[c.key], c, f) : softWrap(clip(formatCell(row[c.key], c, f), 300), 24),
      align: isNumericColumn(c) ? 'right' : 'left',
      nowrap: isNumericColumn(c) || c.unit === 'date' || c.unit === 'datetime',
    }))),
    more: more > 0 ? (shown.length ? `${more} more ${more === 1 ? 'row is' : 'rows are'} in ${moreWhere}.` : `${more} ${more === 1 ? 'row' : 'rows'}: see ${moreWhere}.`) : null,
  };
}

function reportViews(results: ReportResult[], fmt: EmailFormat, topRows: number, names: ReturnType<typeof chartNames>, usedCids: Set<string>, attachedNames: string[]) {
  // The files a table's other rows are in: the PDF, workbooks and the reports' own CSVs; the CSV of a further
  // table (<report>-<list>…csv) is named only under that table.
  const listFiles = results.flatMap((r) => (r.lists ?? []).map((l) => `${slug(r.report)}-${slug(l.title)}`));
  const general = attachedNames.filter((n) => !listFiles.some((p) => n.startsWith(p)));
  const where = general.length ? general.join(' and ') : 'the full report';
  return results.map((r, ri) => {
    const f = { ...fmt, timezone: r.timezone || fmt.timezone };
    const personal = r.headlines.some((h) => h.team !== undefined);
    const tiles = r.headlines.map((h, i) => {
      const v = tileView(h, f);
      return {
        ...v, rowStart: i > 0 && i % 3 === 0, teamLabel: personal ? 'Team average' : 'Team',
        colour: LIGHT_COLOUR[h.light] ?? LIGHT_COLOUR.none!, change: v.change ? { ...v.change, colour: TONE_COLOUR[v.change.tone]! } : null,
      };
    });
    // 600 px fits about five columns; the rest are in the attachments.
    const allCols = columnsOf(r);
    const cols = allCols.slice(0, MAX_EMAIL_COLUMNS);
    const main = tableView(null, cols, r.rows, topRows, f, where);
    if (allCols.length > cols.length) main.more = [main.more, `Columns not shown here: ${allCols.slice(cols.length).map((c) => c.label).join(', ')}.`].filter(Boolean).join(' ');
    // A personal copy's one row repeats its tiles: it shows its own lists instead.
    const lists = (r.lists ?? []).map((l) => {
      const view = tableView(l.title, l.columns.slice(0, MAX_EMAIL_COLUMNS), l.rows, Math.max(topRows, 3), f, where);
      // A table the PDF cuts short has all its rows only in the spreadsheets: the line says so, not "in the PDF".
      const rest = l.rows.length - Math.min(l.rows.length, Math.max(topRows, 3));
      if (l.documentRows !== undefined && l.rows.length > l.documentRows && rest > 0) {
        // The list's own CSV (csvArtifacts names it <report>-<list>) or a workbook, when attached.
        const own = `${slug(r.report)}-${slug(l.title)}`;
        const sheets = attachedNames.filter((n) => (n.startsWith(own) && /\.csv$/i.test(n)) || /\.xlsx$/i.test(n));
        view.more = sheets.length
          ? `${rest.toLocaleString('en-US')} more ${l.noun ?? 'rows'}: all of them are in ${sheets.join(' and ')}.`
          : moreLine(rest, l.noun ?? 'rows');
      }
      if (l.columns.length > MAX_EMAIL_COLUMNS && l.rows.length) view.more = [view.more, `Columns not shown here: ${l.columns.slice(MAX_EMAIL_COLUMNS).map((c) => c.label).join(', ')}.`].filter(Boolean).join(' ');
      return { ...view, ...(l.rows.length ? {} : { empty: l.empty ?? null }) };
    });
    const tables = [...((personal && r.rows.length <= 1) || !cols.length ? [] : [main]), ...lists];
    return {
      title: r.title,
      period: formatPeriod(r.window, r.asOf, f.timezone),
      lead: null as string | null,
      warnings: r.warnings,
      tiles,
      charts: names[ri]!.filter((n) => usedCids.has(n.cid)).map((n) => ({ title: n.spec.title, src: `cid:${n.cid}`, alt: `Chart: ${n.spec.title}` })),
      tables,
      _result: r,
      _tiles: tiles,
      _cols: cols,
      _shown: r.rows.slice(0, topRows),
      _more: r.rows.length - Math.min(r.rows.length, topRows),
    };
  });
}

/** The bare address of `Name <addr>` (or the value itself). */
function envelopeAddress(s: string): string {
  const m = /<([^<>]+)>\s*$/.exec(s);
  return (m ? m[1]! : s).trim();
}

/** The .eml bytes of mail options (a prebuilt `raw` is returned as is), for the outbox and tests. */
export async function toEml(options: Mail.Options): Promise<Buffer> {
  if (Buffer.isBuffer(options.raw)) return options.raw;
  return new MailComposer(options).compile().build();
}
