/**
 * The JSON text of each element of a page's top-level `items` array, sliced from the response body.
 *
 * The store keeps every record's raw JSON; slicing it from the text we already have is several times
 * cheaper than `JSON.stringify` of the parsed record, and that is most of the cost of writing a row.
 * Returns null when the body does not have the expected shape (the caller then stringifies).
 */
export function splitItems(text: string, expected: number): string[] | null {
  const n = text.length;
  let i = 0;
  let depth = 0;
  // Find `"items"` as a key of the top-level object, followed by `:` and `[`.
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const start = i;
      i = skipString(text, i);
      if (i < 0) return null;
      if (depth === 1 && i - start === 7 && text.slice(start + 1, i - 1).toLowerCase() === 'items') {
        let j = i;
        while (j < n && isWs(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== 58 /* : */) continue;
        j++;
        while (j < n && isWs(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== 91 /* [ */) return null;
        return elements(text, j + 1, expected);
      }
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    i++;
  }
  return null;
}

function isWs(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Index just past the string starting at `i` (which is a quote), or -1. */
function skipString(text: string, i: number): number {
  // indexOf is native and jumps a whole string at once; a quote after an odd run of backslashes is escaped.
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    let k = q - 1;
    while (k > i && text.charCodeAt(k) === 92 /* \ */) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** The characters that matter inside an element: the rest is skipped by the regex engine, not a JS loop. */
const STRUCTURE = /["{}[\]]/g;

function elements(text: string, i: number, expected: number): string[] | null {
  const n = text.length;
  const out: string[] = [];
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWs(c) || c === 44 /* , */) {
      i++;
      continue;
    }
    if (c === 93 /* ] */) return out.length === expected ? out : null;
    if (c !== 123 /* { */) return null;
    const start = i;
    let depth = 0;
    STRUCTURE.lastIndex = i;
    for (;;) {
      const m = STRUCTURE.exec(text);
      if (!m) return null;
      const d = text.charCodeAt(m.index);
      if (d === 34) {
        const end = skipString(text, m.index);
        if (end < 0) return null;
        STRUCTURE.lastIndex = end;
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (--depth === 0) {
        i = m.index + 1;
        break;
      }
    }
    out.push(text.slice(start, i));
  }
  return null;
}
