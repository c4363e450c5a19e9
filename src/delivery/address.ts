/**
 * E-mail addresses, parsed strictly wherever they come from (schedules.json, an Autotask resource's e-mail
 * field, MAIL_FROM). A field holds exactly one plain address: no line breaks or other control characters
 * (header injection), no comma or semicolon lists (hidden recipients), no display names or angle brackets
 * (`"boss@msp" <other@evil>`), no quoted local parts or comments, ASCII only, of a sane length. What passes
 * is the exact string given to SMTP as the envelope recipient and recorded in the ledger.
 */

/** RFC 5321 limits: 64 for the local part, 254 for a whole path. */
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
// Dot-atom local part (RFC 5322 atext), no quoted strings.
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Outcome of parsing one address field. */
export type ParsedAddress = { ok: true; address: string } | { ok: false; reason: string };

/** Shows untrusted text in a message on one line: control characters escaped, long text cut. */
export function quoteUntrusted(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/**
 * One plain address (`local@domain`), trimmed and lower-cased, or why it is refused. Lower case is the
 * ledger key and what SMTP receives.
 */
export function parseAddress(raw: unknown): ParsedAddress {
  if (typeof raw !== 'string') return { ok: false, reason: 'not text' };
  const s = raw.trim();
  if (!s) return { ok: false, reason: 'empty' };
  // Checked on the untrimmed text: a trailing CR/LF is an injection attempt, not whitespace to forgive.
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(raw.replace(/^[ \t]+|[ \t]+$/g, ''))) return { ok: false, reason: 'it contains a line break or another control character' };
  if (s.length > MAX_ADDRESS) return { ok: false, reason: `it is longer than ${MAX_ADDRESS} characters` };
  if (/[,;]/.test(s)) return { ok: false, reason: 'it is a list (a comma or semicolon): one address per field' };
  if (/[<>"()\s\\[\]:]/.test(s)) return { ok: false, reason: 'it is not a plain address (a display name, angle brackets, quotes, spaces or a comment)' };
  if (/[^\x21-\x7e]/.test(s)) return { ok: false, reason: 'it has characters outside ASCII' };
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1 || s.indexOf('@') !== at) return { ok: false, reason: 'it must have exactly one "@" between a local part and a domain' };
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > MAX_LOCAL || !LOCAL_RE.test(local)) return { ok: false, reason: 'its local part (before "@") is not a plain dot-atom of at most 64 characters' };
  const labels = domain.split('.');
  if (domain.length > 253 || !labels.every((l) => LABEL_RE.test(l))) return { ok: false, reason: 'its domain is not a host name (letters, digits, "-" and dots)' };
  return { ok: true, address: s.toLowerCase() };
}

/** What is allowed, for messages. */
export const ADDRESS_RULE = 'one plain address such as "ops@msp.example": no name, angle brackets, list, line break or space';

/** A sender (`MAIL_FROM`): a plain address, or `Display Name <address>` with a plain name. */
export type ParsedSender = { ok: true; address: string; name: string | null; header: string } | { ok: false; reason: string };

/** What MAIL_FROM may be, for messages. */
export const SENDER_RULE = 'an address such as "reports@msp.example" or "PSA Reports <reports@msp.example>"';

/** Parses MAIL_FROM: the envelope sender and the From header nodemailer is given. */
export function parseSender(raw: string): ParsedSender {
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'it contains a line break or another control character' };
  const s = raw.trim();
  const m = /^(.*?)\s*<([^<>]*)>$/.exec(s);
  if (!m) {
    const a = parseAddress(s);
    return a.ok ? { ok: true, address: a.address, name: null, header: a.address } : a;
  }
  let name = m[1]!.trim();
  const quoted = /^"([^"\\]*)"$/.exec(name);
  if (quoted) name = quoted[1]!;
  else if (/[,;:<>@"()[\]\\]/.test(name)) return { ok: false, reason: 'its display name has one of , ; : < > @ " ( ) [ ] \\ (put the name in double quotes, without those)' };
  const a = parseAddress(m[2]!);
  if (!a.ok) return { ok: false, reason: `the address in <…>: ${a.reason}` };
  return { ok: true, address: a.address, name: name || null, header: name ? `"${name}" <${a.address}>` : a.address };
}

/** MAIL_FROM read, or why not, naming the variable and what it may be (check and the send path say the same). */
export function senderProblem(mailFrom: string): string | null {
  const s = parseSender(mailFrom);
  return s.ok ? null : `MAIL_FROM ${quoteUntrusted(mailFrom)} is not a sender address: ${s.reason}; allowed: ${SENDER_RULE}`;
}
