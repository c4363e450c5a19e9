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
  const n = text.length;
  i++;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i += 2;
    else if (c === 34) return i + 1;
    else i++;
  }
  return -1;
}

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
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 34) {
        i = skipString(text, i);
        if (i < 0) return null;
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
      i++;
    }
    if (depth !== 0) return null;
    out.push(text.slice(start, i));
  }
  return null;
}
