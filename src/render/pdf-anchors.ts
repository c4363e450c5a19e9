/**
 * Reads, from a PDF Chromium printed, the page each named destination (an element id that a link points
 * to) lands on. Chromium writes the catalog's /Dests dictionary and the page tree as plain objects, which is
 * all this reads; anything unexpected gives null, and the contents page simply goes without page numbers.
 */
export function anchorPages(pdf: Buffer): Map<string, number> | null {
  const text = pdf.toString('latin1');
  const objCache = new Map<number, string | null>();
  const obj = (n: number): string | null => {
    if (objCache.has(n)) return objCache.get(n)!;
    const start = text.search(new RegExp(`(?:^|[\\r\\n])${n} 0 obj\\b`));
    let body: string | null = null;
    if (start >= 0) {
      const from = text.indexOf('obj', start) + 3;
      const end = text.indexOf('endobj', from);
      if (end > from) body = text.slice(from, end);
    }
    objCache.set(n, body);
    return body;
  };
  const ref = (dict: string, key: string): number | null => {
    const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
    return m ? Number(m[1]) : null;
  };

  const catalogAt = text.search(/\/Type\s*\/Catalog\b/);
  if (catalogAt < 0) return null;
  const catalogEnd = text.indexOf('endobj', catalogAt);
  const catalog = text.slice(catalogAt, catalogEnd < 0 ? undefined : catalogEnd);
  const pagesRoot = ref(catalog, 'Pages');
  const destsRef = ref(catalog, 'Dests');
  if (pagesRoot === null || destsRef === null) return null;

  // Page tree, in order: /Pages nodes hold /Kids, leaves are /Page.
  const order = new Map<number, number>();
  const walk = (n: number, depth: number): boolean => {
    if (depth > 32) return false;
    const o = obj(n);
    if (o === null) return false;
    if (/\/Type\s*\/Pages\b/.test(o)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(o);
      if (!kids) return false;
      for (const m of kids[1]!.matchAll(/(\d+)\s+0\s+R/g)) if (!walk(Number(m[1]), depth + 1)) return false;
      return true;
    }
    order.set(n, order.size + 1);
    return true;
  };
  if (!walk(pagesRoot, 0)) return null;

  const dests = obj(destsRef);
  if (dests === null) return null;
  const out = new Map<string, number>();
  for (const m of dests.matchAll(/\/([A-Za-z0-9_.#-]+)\s*\[\s*(\d+)\s+0\s+R/g)) {
    const page = order.get(Number(m[2]));
    if (page !== undefined) out.set(m[1]!.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), page);
  }
  return out;
}
