import crypto from 'node:crypto';
import type { ChartRenderer } from '../render/charts.js';
import type { ChartSpec } from '../types.js';

/**
 * Chart images of the web pages, by content: a page names each chart by the hash of its spec and the
 * browser fetches the PNG from /charts/<key>.png. Drawing a chart (Chart.js on node-canvas) costs far more
 * than computing most reports, so a page's text and tables go out at once and its charts follow, drawn in
 * parallel with the browser's requests; an unchanged chart (another reader, a wall screen, a reload) is
 * drawn once. The renderer is deterministic (equal specs give equal bytes), so the key names the image.
 */
export class ChartImages {
  private readonly specs = new Map<string, ChartSpec>();
  private readonly deferred = new Map<string, () => ChartSpec | null>();
  private readonly pngs = new Map<string, Promise<Buffer>>();
  private pngBytes = 0;
  private readonly sizes = new Map<string, number>();

  constructor(private readonly charts: () => Promise<ChartRenderer>, private readonly limits = { specs: 2000, bytes: 64 * 2 ** 20 }) {}

  /** Remembers a chart and answers its key (256 bits of its spec's hash: not guessable, so not listable). */
  key(spec: ChartSpec): string {
    const key = crypto.createHash('sha256').update(JSON.stringify(spec)).digest('base64url');
    this.specs.delete(key);
    this.specs.set(key, spec);
    while (this.specs.size > this.limits.specs) this.specs.delete(this.specs.keys().next().value!);
    return key;
  }

  /**
   * Remembers a chart whose spec is made on its first request (a page's whole trend, computed then rather than
   * before the page is sent) and answers its key, a hash of `seed`, which must name everything the spec
   * depends on. `make` answers null when the chart no longer exists.
   */
  later(seed: string, make: () => ChartSpec | null): string {
    const key = crypto.createHash('sha256').update(`later|${seed}`).digest('base64url');
    this.deferred.delete(key);
    this.deferred.set(key, make);
    while (this.deferred.size > this.limits.specs) this.deferred.delete(this.deferred.keys().next().value!);
    return key;
  }

  /** Whether the chart of this key has been drawn (or is being drawn) and is kept: its request will not draw it. */
  drawn(key: string): boolean {
    return this.pngs.has(key);
  }

  /** The PNG of a remembered chart (drawn once, then kept while the byte budget allows), or null for an unknown key. */
  async png(key: string): Promise<Buffer | null> {
    const hit = this.pngs.get(key);
    if (hit) {
      this.pngs.delete(key);
      this.pngs.set(key, hit);
      return hit;
    }
    let spec = this.specs.get(key);
    const make = spec ? undefined : this.deferred.get(key);
    if (make) spec = make() ?? undefined;
    if (!spec) return null;
    const drawing = this.charts().then((c) => c.render(spec));
    this.pngs.set(key, drawing);
    try {
      const buf = await drawing;
      this.sizes.set(key, buf.length);
      this.pngBytes += buf.length;
      for (const k of this.pngs.keys()) {
        if (this.pngBytes <= this.limits.bytes || k === key) break;
        this.pngBytes -= this.sizes.get(k) ?? 0;
        this.sizes.delete(k);
        this.pngs.delete(k);
      }
      return buf;
    } catch (e) {
      // A failed drawing is not kept: the next request tries again.
      this.pngs.delete(key);
      throw e;
    }
  }
}
