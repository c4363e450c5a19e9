/**
 * Splitting an entity's ids into ranges of about equal row counts, so a large pass can be read as a few
 * keyset sequences at once (Autotask allows three requests in flight per entity).
 *
 * Autotask has no sort and no `max(id)`: the split points are found with `query/count` (`id le x`), a
 * few probes at a time. The first probes are spread geometrically (ids may start anywhere below 2^53);
 * once a bracket is narrow, interpolation on the counts lands near the target in a round or two when ids
 * are roughly even, and a clamp keeps each round shrinking the bracket when they are not.
 */

/** Options of `splitIds`. */
export interface SplitOptions {
  /** Rows a split may be off its target (default max(250, 0.5 % of the total)). */
  tolerance?: number;
  /** Counts asked at once (default 3, the requests one entity may have in flight). */
  probes?: number;
  /** Rounds of probes at most (default 24); the best point found so far is taken then. */
  maxRounds?: number;
  /** The lowest id, when known (the first record of the pass): the search starts from it. */
  firstId?: number;
}

/**
 * Ascending ids s_1 < … < s_k (k ≤ parts − 1) with about `total × j / parts` rows at or below s_j, found
 * with `countUpTo(x)` = rows with `id ≤ x`. Splits that would leave a range empty are left out, so a
 * small or oddly shaped id set gives fewer ranges, never an empty one.
 */
export async function splitIds(countUpTo: (id: number) => Promise<number>, total: number, parts: number, opts: SplitOptions = {}): Promise<number[]> {
  if (parts < 2 || total < parts) return [];
  const tol = opts.tolerance ?? Math.max(250, Math.round(total * 0.005));
  const probes = Math.max(1, opts.probes ?? 3);
  const maxRounds = opts.maxRounds ?? 24;
  // Known points (id, rows with id ≤ it); ids are never negative, and none lies above 2^53.
  const base = Math.max(-1, (opts.firstId ?? 0) - 1);
  const known = new Map<number, number>([[base, 0], [Number.MAX_SAFE_INTEGER, total]]);
  const targets = Array.from({ length: parts - 1 }, (_, j) => Math.round((total * (j + 1)) / parts));

  const sorted = (): [number, number][] => [...known.entries()].sort((a, b) => a[0] - b[0]);
  /** The known points around target t: (a, ca) with ca < t and the next one (b, cb); null when satisfied. */
  const bracket = (pts: [number, number][], t: number): { a: number; ca: number; b: number; cb: number } | null => {
    if (pts.some(([, c]) => Math.abs(c - t) <= tol)) return null;
    let i = 0;
    while (i + 1 < pts.length && pts[i + 1]![1] < t) i++;
    const [a, ca] = pts[i]!;
    const [b, cb] = pts[Math.min(i + 1, pts.length - 1)]!;
    return b - a <= 1 ? null : { a, ca, b, cb };
  };

  for (let round = 0; round < maxRounds; round++) {
    const pts = sorted();
    // Targets still open, grouped by the bracket they lie in (two targets may share one early on).
    const groups = new Map<number, { a: number; ca: number; b: number; cb: number; ts: number[] }>();
    for (const t of targets) {
      const br = bracket(pts, t);
      if (!br) continue;
      const g = groups.get(br.a);
      if (g) g.ts.push(t);
      else groups.set(br.a, { ...br, ts: [t] });
    }
    if (!groups.size) break;
    const list = [...groups.values()];
    const asks = new Set<number>();
    list.forEach((g, gi) => {
      // Probes dealt round-robin: every open bracket gets at least one when there are enough.
      const k = Math.floor(probes / list.length) + (gi < probes % list.length ? 1 : 0);
      if (k === 0) return;
      for (const x of probePoints(g, g.ts, k, base)) {
        const xi = Math.round(x);
        if (xi > g.a && xi < g.b && !known.has(xi)) asks.add(xi);
      }
    });
    if (!asks.size) break;
    const xs = [...asks];
    const counts = await Promise.all(xs.map((x) => countUpTo(x)));
    xs.forEach((x, i) => known.set(x, counts[i]!));
  }

  const pts = sorted();
  const out: number[] = [];
  for (const t of targets) {
    let best: [number, number] | null = null;
    for (const p of pts) if (p[1] > 0 && p[1] < total && (!best || Math.abs(p[1] - t) < Math.abs(best[1] - t))) best = p;
    if (best && !out.includes(best[0])) out.push(best[0]);
  }
  // A split must leave rows on both sides and differ in rows from the one before.
  out.sort((a, b) => a - b);
  return out.filter((x, i) => i === 0 || known.get(x)! > known.get(out[i - 1]!)!);
}

/** Where to ask next inside one bracket for its targets, `k` points. */
function probePoints(g: { a: number; ca: number; b: number; cb: number }, ts: number[], k: number, base: number): number[] {
  const { a, ca, b, cb } = g;
  // Far apart in magnitude (the first rounds, ids anywhere up to 2^53): spread the probes on a log scale
  // of the distance from the lowest point, which is where the rows begin.
  if (b - base > 16 * Math.max(1, a - base)) {
    const la = Math.log(Math.max(1, a - base));
    const lb = Math.log(b - base);
    return Array.from({ length: k }, (_, j) => base + Math.exp(la + ((j + 1) / (k + 1)) * (lb - la)));
  }
  const span = b - a;
  // Interpolation on the counts, kept inside the bracket so a skewed id set still shrinks it.
  const margin = span >= 64 ? span / 32 : 0;
  const est = (t: number) => Math.min(b - margin, Math.max(a + margin, a + ((t - ca) / Math.max(1, cb - ca)) * span));
  const es = ts.map(est);
  const out = [...es];
  // Spare probes halve the larger side of an estimate: the bracket shrinks even where interpolation misleads.
  for (let i = 0; out.length < k && i < 2 * k; i++) {
    const e = es[i % es.length]!;
    out.push(e - a > b - e ? (a + e) / 2 : (e + b) / 2);
  }
  return out.slice(0, k);
}
