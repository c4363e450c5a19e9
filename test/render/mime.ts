/** A small MIME reader for tests: enough to walk multipart trees and decode parts. */

export interface Part {
  headers: Map<string, string>;
  contentType: string;
  params: Record<string, string>;
  body: string;
  children: Part[];
}

function unfold(head: string): Map<string, string> {
  const h = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) h.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return h;
}

function parseParams(v: string): { value: string; params: Record<string, string> } {
  const [value, ...rest] = v.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
  }
  return { value: value!.trim().toLowerCase(), params };
}

/** Parses a raw message (CRLF line ends) into its tree. */
export function parseMime(raw: string): Part {
  const split = raw.indexOf('\r\n\r\n');
  const headers = unfold(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const { value, params } = parseParams(headers.get('content-type') ?? 'text/plain');
  const part: Part = { headers, contentType: value, params, body, children: [] };
  if (value.startsWith('multipart/')) {
    const b = `--${params.boundary}`;
    const segments = body.split(new RegExp(`(?:^|\\r\\n)${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*(?:\\r\\n|$)`));
    for (const seg of segments.slice(1)) if (seg.trim()) part.children.push(parseMime(seg));
  }
  return part;
}

/** The decoded bytes of a leaf part. */
export function decodeBody(p: Part): Buffer {
  const enc = (p.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(p.body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') {
    const s = p.body.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(s.slice(i + 1, i + 3))) { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2; }
      else bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
    return Buffer.from(bytes);
  }
  return Buffer.from(p.body, 'utf8');
}

/** Decodes RFC 2047 encoded words of a header value. */
export function decodeWords(v: string): string {
  return v.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*(?==\?)?/gi, (_, enc: string, text: string) => {
    if (enc.toLowerCase() === 'b') return Buffer.from(text, 'base64').toString('utf8');
    return decodeBody({ headers: new Map([['content-transfer-encoding', 'quoted-printable']]), body: text.replace(/_/g, ' '), contentType: '', params: {}, children: [] }).toString('utf8');
  });
}
