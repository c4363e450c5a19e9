/**
 * "Did you mean" for names typed by hand (settings keys, target keys, subject placeholders): the closest
 * candidate by edit distance, or one that ends with what was typed (a target key without its group).
 */

/** Levenshtein distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The candidate closest to `typed`: one that ends with `/typed` or `.typed` (a missing prefix) first, else
 * the nearest within a third of the longer length. Null when nothing is close enough to be a typo.
 */
export function closest(typed: string, candidates: readonly string[]): string | null {
  const lower = typed.toLowerCase();
  const suffix = candidates.filter((c) => c.toLowerCase().endsWith(`/${lower}`) || c.toLowerCase().endsWith(`.${lower}`));
  if (suffix.length === 1) return suffix[0]!;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(typed, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(Math.max(typed.length, best.length) / 3)) ? best : null;
}

/** ` (did you mean "x"?)`, or '' when nothing is close. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const c = closest(typed, candidates);
  return c ? ` (did you mean "${c}"?)` : '';
}
