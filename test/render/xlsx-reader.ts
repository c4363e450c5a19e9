import zlib from 'node:zlib';

/**
 * A second, independent .xlsx reader for the tests: the zip's central directory read by hand, entries inflated
 * with node:zlib, and the SpreadsheetML parts (workbook, shared strings, styles, sheets) read with regular
 * expressions. It shares no code with the writer's library, so a test that reads a workbook back with it
 * checks the file, not the library against itself.
 */

export interface ReadCell {
  /** s = string (shared or inline), n = number, b = boolean, str = formula text, e = error. */
  type: 's' | 'n' | 'b' | 'str' | 'e';
  /** The text, number or boolean. */
  value: string | number | boolean;
  /** The cell has a formula. */
  formula: boolean;
  /** Number format code of the cell's style ('General' when none). */
  format: string;
}

export interface ReadSheet {
  name: string;
  /** cells[row][col], 0-based; missing cells are undefined. */
  cells: (ReadCell | undefined)[][];
  /** Frozen rows above the pane (ySplit), 0 when none. */
  frozenRows: number;
  /** The autofilter range, e.g. "A1:F12", or null. */
  autoFilter: string | null;
  /** Column widths by 0-based column. */
  widths: number[];
}

export function unzip(buf: Buffer): Map<string, Buffer> {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + size);
    out.set(name, method === 0 ? Buffer.from(data) : zlib.inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

const unxml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&');
const textOf = (xml: string) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>|<t(?:\s[^>]*)?\/>/g)].map((m) => unxml(m[1] ?? '')).join('');
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

const BUILTIN: Record<number, string> = { 0: 'General', 1: '0', 2: '0.00', 3: '#,##0', 4: '#,##0.00', 9: '0%', 10: '0.00%', 14: 'mm-dd-yy', 22: 'm/d/yy h:mm', 49: '@' };

function colIndex(ref: string): [number, number] {
  const m = /^([A-Z]+)(\d+)$/.exec(ref)!;
  let c = 0;
  for (const ch of m[1]!) c = c * 26 + (ch.charCodeAt(0) - 64);
  return [Number(m[2]) - 1, c - 1];
}

export function readXlsx(buf: Buffer): ReadSheet[] {
  const files = unzip(buf);
  const get = (n: string) => files.get(n)?.toString('utf8') ?? '';
  const shared = [...get('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1]!));
  const styles = get('xl/styles.xml');
  const custom = new Map([...styles.matchAll(/<numFmt\s[^>]*\/>/g)].map((m) => [Number(attr(m[0], 'numFmtId')), unxml(attr(m[0], 'formatCode') ?? '')]));
  const xfs = [...(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '').matchAll(/<xf\s[^>]*?(?:\/>|>)/g)].map((m) => Number(attr(m[0], 'numFmtId') ?? 0));
  const rels = new Map([...get('xl/_rels/workbook.xml.rels').matchAll(/<Relationship\s[^>]*\/>/g)].map((m) => [attr(m[0], 'Id')!, attr(m[0], 'Target')!]));
  const sheets: ReadSheet[] = [];
  for (const m of get('xl/workbook.xml').matchAll(/<sheet\s[^>]*\/>/g)) {
    const target = rels.get(attr(m[0], 'r:id')!)!;
    const xml = get(target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    const cells: (ReadCell | undefined)[][] = [];
    for (const c of xml.matchAll(/<c\s([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const head = ` ${c[1]}`;
      const body = c[2] ?? '';
      const [r, col] = colIndex(attr(head, 'r')!);
      const t = attr(head, 't') ?? 'n';
      const fmtId = xfs[Number(attr(head, 's') ?? 0)] ?? 0;
      const format = custom.get(fmtId) ?? BUILTIN[fmtId] ?? `builtin ${fmtId}`;
      const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      const formula = /<f[\s>]/.test(body);
      let cell: ReadCell | undefined;
      if (t === 's') cell = { type: 's', value: shared[Number(v)]!, formula, format };
      else if (t === 'inlineStr') cell = { type: 's', value: textOf(body), formula, format };
      else if (t === 'b') cell = { type: 'b', value: v === '1', formula, format };
      else if (t === 'str') cell = { type: 'str', value: unxml(v ?? ''), formula, format };
      else if (t === 'e') cell = { type: 'e', value: v ?? '', formula, format };
      else if (v !== undefined) cell = { type: 'n', value: Number(v), formula, format };
      if (!cell) continue;
      (cells[r] ??= [])[col] = cell;
    }
    const pane = /<pane\s[^>]*\/>/.exec(xml)?.[0];
    const widths: number[] = [];
    for (const cm of xml.matchAll(/<col\s[^>]*\/>/g)) {
      for (let i = Number(attr(cm[0], 'min')); i <= Number(attr(cm[0], 'max')); i++) widths[i - 1] = Number(attr(cm[0], 'width'));
    }
    sheets.push({
      name: unxml(attr(m[0], 'name')!), cells,
      frozenRows: pane && attr(pane, 'state') === 'frozen' ? Number(attr(pane, 'ySplit') ?? 0) : 0,
      autoFilter: attr(/<autoFilter\s[^>]*\/?>/.exec(xml)?.[0] ?? '', 'ref') ?? null,
      widths,
    });
  }
  return sheets;
}

/** Excel's serial day number (1900 system) → epoch ms of the same wall time read as UTC. */
export const serialToMs = (serial: number) => Math.round((serial - 25569) * 86_400_000);
