import type { ChartConfiguration, Plugin } from 'chart.js';
import type { ChartSpec } from '../types.js';
import { AppError } from '../errors.js';
import type { ChartRenderer, ChartSize } from './charts.js';
import { DEFAULT_CHART_SIZE, SERIES_COLOURS, chartCanvas, chartConfig, textureKind } from './charts.js';

/*
 * Charts as SVG for the PDF: Chromium prints SVG as PDF paths and text, so a chart is sharp at any zoom and
 * costs a few kilobytes instead of a 1125 × 425 bitmap. Chart.js draws on node-canvas's SVG surface (cairo),
 * with three things cairo does badly done here instead:
 *  - the white background: chartjs-node-canvas paints it with 'destination-over', an operator cairo's SVG
 *    surface cannot express, so cairo falls back to one 300 dpi bitmap of the whole chart inside the SVG
 *    (3751 × 1417 pixels: the PDF came out 2.4 times larger than with PNG charts). A plain <rect> instead;
 *  - text: cairo writes every glyph as an outline path (≈10 kB per label, not searchable, not the PDF's font).
 *    fillText is recorded instead and written as <text> in the document's font, so Chromium embeds the same
 *    subset of Liberation Sans as the rest of the PDF and the labels stay text (pdftotext reads them);
 *  - textures: a canvas pattern becomes a bitmap tile in the SVG and an image in the PDF (so does an SVG
 *    <pattern>: Chromium's PDF backend rasterises pattern tiles). Textured series are filled with a stand-in
 *    colour and the texture is drawn here as clipped straight lines, one segment per stripe (dots would be
 *    four curves each in the PDF: 140 kB for one report's bar chart).
 */

/** Colour that stands for the texture of series i (never a colour a chart uses), recognised in cairo's output. */
function textureStandIn(i: number): string {
  return `#0102${(i & 0xff).toString(16).padStart(2, '0')}`;
}

const r2 = (n: number): string => String(Math.round(n * 100) / 100);

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One label as chart.js drew it: text, position in the canvas's user space, and its look. */
interface Label {
  text: string;
  x: number;
  /** Alphabetic baseline. */
  y: number;
  anchor: 'start' | 'middle' | 'end';
  /** a b c d e f of the transform in force, or null for none. */
  matrix: number[] | null;
  font: string;
  fill: string;
  opacity: number;
  /** Width the text was squeezed to (canvas maxWidth), or null. */
  squeeze: number | null;
}

type Ctx = CanvasRenderingContext2D & { getTransform(): DOMMatrix };

/**
 * A chart.js plugin that takes over fillText on the chart's context before anything is drawn: each call is
 * recorded as a Label (measured with the same font, so chart.js's layout is unchanged) and nothing is drawn.
 * node-canvas reports a stale pattern as fillStyle after restore(), so the fill is tracked here.
 */
function labelRecorder(labels: Label[]): Plugin {
  return {
    id: 'psaSvgText',
    beforeInit(chart) {
      const g = chart.ctx as Ctx;
      const proto = Object.getPrototypeOf(g) as object;
      const fillDesc = Object.getOwnPropertyDescriptor(proto, 'fillStyle');
      if (!fillDesc?.get || !fillDesc.set) throw new Error('the canvas context has no fillStyle accessor');
      let fill: unknown = fillDesc.get.call(g);
      const stack: unknown[] = [];
      Object.defineProperty(g, 'fillStyle', {
        configurable: true,
        get: () => fill,
        set(v: unknown) { fillDesc.set!.call(g, v); fill = v; },
      });
      const save = g.save.bind(g);
      const restore = g.restore.bind(g);
      g.save = () => { stack.push(fill); save(); };
      g.restore = () => { restore(); if (stack.length) fill = stack.pop(); };
      g.fillText = (raw: string, x: number, y: number, maxWidth?: number) => {
        const text = String(raw);
        if (!text.trim()) return;
        const m = g.measureText(text);
        const t = g.getTransform();
        const identity = t.a === 1 && t.b === 0 && t.c === 0 && t.d === 1 && t.e === 0 && t.f === 0;
        const align = g.textAlign;
        labels.push({
          text,
          x,
          // node-canvas gives the alphabetic baseline's offset from the textBaseline line with the sign flipped.
          y: y - (m as TextMetrics & { alphabeticBaseline: number }).alphabeticBaseline,
          anchor: align === 'center' ? 'middle' : align === 'right' || align === 'end' ? 'end' : 'start',
          matrix: identity ? null : [t.a, t.b, t.c, t.d, t.e, t.f],
          font: g.font,
          fill: typeof fill === 'string' ? fill : '#000000',
          opacity: g.globalAlpha,
          squeeze: maxWidth !== undefined && m.width > maxWidth ? maxWidth : null,
        });
      };
    },
  };
}

/** The labels as <text> elements, with one CSS class per font and colour. */
function labelsSvg(labels: Label[], classPrefix: string): { style: string; texts: string } {
  const classes = new Map<string, string>();
  const texts = labels.map((l) => {
    const key = `font:${l.font};fill:${l.fill}${l.opacity < 1 ? `;opacity:${r2(l.opacity)}` : ''}`;
    let cls = classes.get(key);
    if (!cls) { cls = `${classPrefix}${classes.size}`; classes.set(key, cls); }
    const attrs = [
      `class="${cls}"`,
      `x="${r2(l.x)}"`,
      `y="${r2(l.y)}"`,
      l.matrix ? `transform="matrix(${l.matrix.map(r2).join(' ')})"` : '',
      l.anchor !== 'start' ? `text-anchor="${l.anchor}"` : '',
      l.squeeze !== null ? `textLength="${r2(l.squeeze)}" lengthAdjust="spacingAndGlyphs"` : '',
    ].filter(Boolean).join(' ');
    return `<text ${attrs}>${xml(l.text)}</text>`;
  });
  const style = [...classes].map(([key, cls]) => `.${cls}{${xml(key)}}`).join('');
  return { style: `<style>${style}</style>`, texts: texts.join('\n') };
}

/** Vector texture for the box (x0, y0)–(x1, y1) on a 12-unit grid, as the PNG tile draws it. */
function texturePath(kind: number, x0: number, y0: number, x1: number, y1: number): string {
  const s = 12;
  const parts: string[] = [];
  const seg = (ax: number, ay: number, bx: number, by: number): void => { parts.push(`M${r2(ax)} ${r2(ay)}L${r2(bx)} ${r2(by)}`); };
  if (kind === 0 || kind === 1) {
    // "/" lines: x + y = k·s.
    for (let c = Math.floor((x0 + y0) / s) * s; c <= x1 + y1 + s; c += s) seg(c - y1 - s, y1 + s, c - y0 + s, y0 - s);
  }
  if (kind === 0 || kind === 2) {
    // "\" lines: x − y = k·s.
    for (let c = Math.floor((x0 - y1) / s) * s; c <= x1 - y0 + s; c += s) seg(y0 - s + c, y0 - s, y1 + s + c, y1 + s);
  }
  if (kind === 3) {
    for (let y = Math.floor(y0 / s) * s + s / 2; y <= y1 + s; y += s) seg(x0 - 1, y, x1 + 1, y);
  }
  return parts.join('');
}

/** cairo's rgb(12.156863%,…) as #rrggbb. */
function hexOf(r: string, g: string, b: string): string {
  return `#${[r, g, b].map((p) => Math.round((Number(p) * 255) / 100).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Turns cairo's SVG into the document's: a white background, compact colours and coordinates, ids renamed in
 * order of appearance under `prefix` (equal charts give equal bytes; several charts can share a page),
 * textures drawn in place of their stand-in colours, and the recorded labels as text.
 */
export function finishSvg(raw: string, labels: Label[], size: { width: number; height: number }, prefix: string, textured: Map<string, number>): string {
  let svg = raw.replace(/^<\?xml[^>]*>\s*/, '');
  // Root: CSS pixels (cairo says pt), no version attribute.
  svg = svg.replace(/^<svg\b[^>]*>/, `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">`
    + `<rect width="${size.width}" height="${size.height}" fill="#fff"/>`);
  svg = svg.replace(/rgb\(([\d.]+)%,\s*([\d.]+)%,\s*([\d.]+)%\)/g, (_m, r: string, g: string, b: string) => hexOf(r, g, b));
  svg = svg.replace(/(\d+\.\d{3,})/g, (n) => r2(Number(n)));
  // Drop what repeats cairo's defaults on every path.
  svg = svg.replace(/(;|")\s*(fill-opacity:1|stroke-opacity:1|fill-rule:nonzero|stroke-linecap:butt|stroke-linejoin:miter|stroke:none)(?=;|")/g, '$1').replace(/;;+/g, ';').replace(/style=";/g, 'style="');
  const ids = new Map<string, string>();
  svg.replace(/\bid="([^"]+)"/g, (_m, id: string) => { if (!ids.has(id)) ids.set(id, `${prefix}${ids.size}`); return ''; });
  svg = svg.replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${ids.get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : m))
    .replace(/xlink:href="#([^"]+)"/g, (m, id: string) => (ids.has(id) ? `xlink:href="#${ids.get(id)}"` : m));
  let hatch = 0;
  svg = svg.replace(/<path\b([^>]*?)style="([^"]*)"([^>]*?)\/>/g, (whole, before: string, style: string, after: string) => {
    const fill = /(?:^|;)\s*fill:(#[0-9a-f]{6})/.exec(style);
    const series = fill ? textured.get(fill[1]!) : undefined;
    if (series === undefined) return whole;
    const colour = SERIES_COLOURS[series % SERIES_COLOURS.length]!;
    const attrs = `${before} ${after}`;
    const d = /\bd="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const transform = /\btransform="([^"]*)"/.exec(attrs)?.[0] ?? '';
    const nums = (d.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
    const xs = nums.filter((_, i) => i % 2 === 0);
    const ys = nums.filter((_, i) => i % 2 === 1);
    const solid = `<path${before}style="${style.replace(fill![1]!, colour)}"${after}/>`;
    if (!xs.length || !ys.length) return solid;
    const tex = texturePath(textureKind(series), Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
    const id = `${prefix}h${hatch++}`;
    return `${solid}<clipPath id="${id}"><path ${transform} d="${d}"/></clipPath><path ${transform} clip-path="url(#${id})" style="fill:none;stroke:#fff;stroke-opacity:.85;stroke-width:2" d="${tex}"/>`;
  });
  const text = labelsSvg(labels, `${prefix}t`);
  return svg.replace(/<\/svg>\s*$/, `${text.style}\n${text.texts}\n</svg>\n`);
}

/**
 * Chart.js on node-canvas's SVG surface. `idPrefix` keeps the ids of one chart apart from another's when
 * several are inlined in one HTML document.
 */
export function createSvgChartRenderer(size: Partial<Pick<ChartSize, 'width' | 'height'>> = {}, fmt: { locale?: string; currency?: string } = {}): ChartRenderer {
  const s = { width: size.width ?? DEFAULT_CHART_SIZE.width, height: size.height ?? DEFAULT_CHART_SIZE.height };
  // No backgroundColour: see the note at the top (it would make cairo rasterise the whole chart).
  const canvas = chartCanvas({ width: s.width, height: s.height, type: 'svg' });
  const textured = new Map<string, number>();
  const standIn = (i: number): string => {
    const c = textureStandIn(i);
    textured.set(c, i);
    return c;
  };
  return {
    mime: 'image/svg+xml',
    async render(spec: ChartSpec): Promise<Buffer> {
      try {
        const labels: Label[] = [];
        const cfg = chartConfig(spec, standIn, 1, fmt);
        cfg.plugins = [...(cfg.plugins ?? []), labelRecorder(labels)];
        const chart = (canvas as unknown as { renderChart(c: ChartConfiguration): { canvas: { toBuffer(mime: 'image/svg+xml'): Buffer }; destroy(): void } })
          .renderChart(cfg);
        try {
          const raw = chart.canvas.toBuffer('image/svg+xml').toString('utf8');
          return Buffer.from(finishSvg(raw, labels, s, `${spec.id.replace(/[^A-Za-z0-9_-]/g, '_')}-`, textured), 'utf8');
        } finally {
          chart.destroy();
        }
      } catch (e) {
        throw new AppError(`Chart "${spec.id}" could not be drawn as SVG: ${(e as Error).message}`, 'RENDER', { cause: e, details: { chart: spec.id } });
      }
    },
  };
}
