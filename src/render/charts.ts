import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import { createCanvas } from 'canvas';
import type { ChartConfiguration, Plugin } from 'chart.js';
import type { ChartSpec, MetricUnit, TrendSeries } from '../types.js';
import { AppError } from '../errors.js';
import { formatTick } from './format.js';

/** What a chart renderer draws: PNG (e-mail bodies and the web pages) or SVG (the PDF and standalone HTML). */
export type ChartMime = 'image/png' | 'image/svg+xml';

/**
 * The chart port: draws a chart spec once, to image bytes. PNG serves the e-mail (mail clients do not show
 * SVG); the PDF gets SVG (see chart-svg.ts), so its charts print as lines and text rather than pixels.
 */
export interface ChartRenderer {
  /** Format of the bytes render() gives; absent means PNG. */
  readonly mime?: ChartMime;
  /** Image bytes of the chart. */
  render(spec: ChartSpec): Promise<Buffer>;
}

/** Size of the drawn charts: fixed so that the same spec always gives the same bytes. */
export interface ChartSize {
  /** CSS width in pixels. */
  width: number;
  /** CSS height in pixels. */
  height: number;
  /** Device pixel ratio (2 keeps print and retina screens sharp). */
  devicePixelRatio: number;
}

/** Default chart size: 1350 × 510 pixels, about 190 dpi across an A4 page and 2.4× in a 560 px email column. */
export const DEFAULT_CHART_SIZE: ChartSize = { width: 900, height: 340, devicePixelRatio: 1.5 };

// Colours chosen for distinct lightness, so that series stay apart on a greyscale print:
// navy (L≈25), amber (L≈75), steel blue (L≈55), brick (L≈40), sage (L≈65).
export const SERIES_COLOURS = ['#1f3a5f', '#e8a33d', '#5b8db8', '#a4442f', '#9dbf9e', '#6b5b95'];
const DASHES: number[][] = [[], [10, 5], [3, 4], [14, 4, 3, 4], [6, 3], [2, 2]];
const POINTS = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star'] as const;
export const CHART_FONT = "'Liberation Sans', 'DejaVu Sans', 'Noto Sans CJK SC', sans-serif";
const TREND_COLOUR = '#555555';
/** Label of the fitted trend dataset; the legend cannot show its dash, so the label says it. */
export const TREND_LABEL = 'Trend (dashed)';

export type Tile = ReturnType<typeof createCanvas>;
type PngCanvas = { toBuffer(cb: (err: Error | null, buf: Buffer) => void, mime: 'image/png', opts: { compressionLevel: number }): void };

/** Texture of series i > 0 (0 cross-hatch, 1 stripes "/", 2 stripes "\\", 3 horizontal lines); chart-svg.ts draws the same. */
export function textureKind(i: number): number {
  return i % 4;
}

/** A small repeating tile: the bar fill for series after the first, so bars differ by texture too. */
function patternTile(colour: string, kind: number): Tile {
  const s = 12;
  const c = createCanvas(s, s);
  const g = c.getContext('2d');
  g.fillStyle = colour;
  g.fillRect(0, 0, s, s);
  g.strokeStyle = 'rgba(255,255,255,0.85)';
  g.fillStyle = 'rgba(255,255,255,0.85)';
  g.lineWidth = 2;
  switch (textureKind(kind)) {
    case 1: // diagonal stripes
      g.beginPath(); g.moveTo(0, s); g.lineTo(s, 0); g.moveTo(-s / 2, s / 2); g.lineTo(s / 2, -s / 2);
      g.moveTo(s / 2, s * 1.5); g.lineTo(s * 1.5, s / 2); g.stroke();
      break;
    case 2: // diagonal stripes the other way (not dots: a PDF draws every dot of a vector texture as curves, 140 kB a report)
      g.beginPath(); g.moveTo(0, 0); g.lineTo(s, s); g.moveTo(s / 2, -s / 2); g.lineTo(s * 1.5, s / 2);
      g.moveTo(-s / 2, s / 2); g.lineTo(s / 2, s * 1.5); g.stroke();
      break;
    case 3: // horizontal lines
      g.beginPath(); g.moveTo(0, s / 2); g.lineTo(s, s / 2); g.stroke();
      break;
    default: // cross-hatch
      g.beginPath(); g.moveTo(0, 0); g.lineTo(s, s); g.moveTo(s, 0); g.lineTo(0, s); g.stroke();
  }
  return c;
}

/** Least-squares straight line through the non-null points, or null with fewer than two points. */
export function trendLine(values: (number | null)[]): (number | null)[] | null {
  const pts = values.flatMap((v, i) => (v === null || !Number.isFinite(v) ? [] : [[i, v] as const]));
  if (pts.length < 2) return null;
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return values.map((_, i) => Math.round((my + slope * (i - mx)) * 1000) / 1000);
}

/** A line chart of a trend series with its straight trend line, labelled with the metric's label. */
export function seriesChartSpec(series: TrendSeries, label: string, unit: MetricUnit | undefined, target?: number | null): ChartSpec {
  const trend = trendLine(series.values);
  const datasets = [{ label, data: series.values.slice() }];
  if (trend) datasets.push({ label: TREND_LABEL, data: trend });
  return {
    id: `trend-${series.metric}`,
    kind: 'line',
    title: `${label}: trend`,
    labels: series.labels.slice(),
    datasets,
    ...(unit ? { unit } : {}),
    ...(target !== null && target !== undefined ? { target } : {}),
  };
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A period label as a reader says it: an ISO week "2026-W48" becomes the date of its Monday ("23 Nov"), a
 * month "2026-11" becomes "Nov 2026"; other labels are kept.
 */
export function displayLabel(label: string): string {
  const w = /^(\d{4})-W(\d{2})$/.exec(label);
  if (w) {
    const year = Number(w[1]);
    const jan4 = Date.UTC(year, 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
    const d = new Date(monday1 + (Number(w[2]) - 1) * 7 * 86_400_000);
    return `${d.getUTCDate()} ${MONTH_NAMES[d.getUTCMonth()]}`;
  }
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m) return `${MONTH_NAMES[Number(m[2]) - 1]} ${m[1]}`;
  return label;
}

/**
 * Chart.js configuration for a spec (exported for tests). `tiles(i)` gives the texture of series i > 0 of a
 * bar chart: a canvas tile, or a flat colour standing in for it (the SVG renderer draws the texture itself).
 */
export function chartConfig(spec: ChartSpec, tiles: (i: number) => Tile | string, dpr: number, fmt: { locale?: string; currency?: string } = {}): ChartConfiguration {
  const horizontal = spec.kind === 'horizontal-bar';
  const stacked = spec.kind === 'stacked-bar';
  const isLine = spec.kind === 'line';
  const datasets = spec.datasets.map((d, i) => {
    const colour = SERIES_COLOURS[i % SERIES_COLOURS.length]!;
    const isTrend = isLine && d.label === TREND_LABEL && i > 0;
    if (isLine) {
      return {
        label: d.label,
        data: d.data,
        borderColor: isTrend ? TREND_COLOUR : colour,
        backgroundColor: isTrend ? TREND_COLOUR : colour,
        borderWidth: isTrend ? 2 : 3,
        borderDash: isTrend ? [6, 6] : DASHES[i % DASHES.length],
        pointStyle: isTrend ? false : POINTS[i % POINTS.length],
        pointRadius: isTrend ? 0 : 4,
        pointBackgroundColor: colour,
        tension: 0,
        spanGaps: false,
        fill: false,
      };
    }
    return {
      label: d.label,
      data: d.data,
      // The first series is solid; the rest get a texture (set in the plugin below, which owns a context).
      backgroundColor: colour,
      borderColor: colour,
      borderWidth: 1,
      maxBarThickness: 48,
    };
  });
  const values = spec.datasets.flatMap((d) => d.data.filter((v): v is number => v !== null && Number.isFinite(v)));
  const flat = values.length > 0 && Math.min(...values) === Math.max(...values);
  const valueAxis = {
    // Bars must start at zero to be read by length; a trend line is read by slope, so its axis fits the data
    // (a flat line still sits on a zero-based axis rather than in a band of ±1 around itself).
    // Rates always start at 0: a 75–100 % axis makes a 5-point dip look like a collapse.
    beginAtZero: !isLine || flat || spec.unit === 'pct',
    ...(spec.target !== undefined && Number.isFinite(spec.target) ? { suggestedMax: spec.target } : {}),
    stacked,
    grid: { color: '#e3e3e3' },
    border: { display: false },
    ticks: {
      color: '#333',
      font: { size: 16, family: CHART_FONT },
      // Counts have no fractions: no "0.5 tickets" ticks.
      ...(spec.unit === 'count' ? { precision: 0 } : {}),
      callback: (v: number | string) => (typeof v === 'number' ? formatTick(v, spec.unit, fmt) : v),
    },
  };
  const categoryAxis = {
    stacked,
    grid: { display: false },
    // Every bar keeps its name: long labels are slanted (vertical bars) or the font shrinks (many horizontal bars).
    ticks: {
      color: '#333', font: { size: horizontal && spec.labels.length > 12 ? 12 : 16, family: CHART_FONT }, autoSkip: false, maxRotation: horizontal ? 0 : 50,
      callback(this: { getLabelForValue(v: number): string }, v: number | string) { return displayLabel(String(typeof v === 'number' ? this.getLabelForValue(v) : v)); },
    },
  };
  // The target in force as a dashed line across the value axis, labelled, so a bar reads against it.
  const targetLine: Plugin = {
    id: 'psaTarget',
    afterDatasetsDraw(chart) {
      const t = spec.target;
      if (t === undefined || !Number.isFinite(t)) return;
      const scale = chart.scales[horizontal ? 'x' : 'y'];
      const area = chart.chartArea;
      if (!scale || !area) return;
      const at = scale.getPixelForValue(t);
      const g = chart.ctx;
      g.save();
      g.strokeStyle = '#b83a2b';
      g.lineWidth = 2;
      g.setLineDash([8, 5]);
      g.beginPath();
      if (horizontal) { g.moveTo(at, area.top); g.lineTo(at, area.bottom); } else { g.moveTo(area.left, at); g.lineTo(area.right, at); }
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = '#b83a2b';
      g.font = `bold 14px ${CHART_FONT}`;
      const text = `Target ${formatTick(t, spec.unit, fmt)}`;
      if (horizontal) { g.textAlign = 'left'; g.fillText(text, Math.min(at + 4, area.right - g.measureText(text).width), area.top + 14); } else { g.textAlign = 'right'; g.fillText(text, area.right, at - 5); }
      g.restore();
    },
  };
  const textures: Plugin = {
    id: 'psaTextures',
    beforeUpdate(chart) {
      if (isLine) return;
      chart.data.datasets.forEach((ds, i) => {
        if (i === 0) return;
        const tile = tiles(i);
        if (typeof tile === 'string') { ds.backgroundColor = tile; return; }
        const pat = chart.ctx.createPattern(tile as unknown as HTMLCanvasElement, 'repeat');
        if (pat) ds.backgroundColor = pat;
      });
    },
  };
  return {
    type: isLine ? 'line' : 'bar',
    data: { labels: spec.labels, datasets: datasets as never },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: dpr,
      indexAxis: horizontal ? 'y' : 'x',
      layout: { padding: { left: 8, right: 32, top: 8, bottom: 8 } },
      plugins: {
        legend: {
          display: spec.datasets.length > 1,
          position: 'bottom',
          labels: isLine
            ? { color: '#222', font: { size: 16, family: CHART_FONT }, usePointStyle: true, pointStyle: 'line', pointStyleWidth: 44, padding: 16 }
            : { color: '#222', font: { size: 16, family: CHART_FONT }, boxWidth: 28, boxHeight: 14, padding: 16 },
        },
        title: { display: false },
        tooltip: { enabled: false },
      },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    } as never,
    plugins: [textures, targetLine],
  };
}

/**
 * A chart.js canvas of one size and surface, set up as every chart of ours is drawn: our font, no animation
 * (drawing is synchronous and deterministic). `type: 'svg'` draws on node-canvas's SVG surface.
 */
export function chartCanvas(o: { width: number; height: number; type?: 'svg'; backgroundColour?: string }): ChartJSNodeCanvas {
  return new ChartJSNodeCanvas({
    ...o,
    chartCallback: (ChartJS) => {
      ChartJS.defaults.font.family = CHART_FONT;
      ChartJS.defaults.animation = false;
    },
  });
}

/**
 * Chart.js on node-canvas. One canvas factory per size; drawing is synchronous and deterministic
 * (animation off, fixed size and pixel ratio), so equal specs give equal bytes.
 */
export function createChartRenderer(size: Partial<ChartSize> = {}, fmt: { locale?: string; currency?: string } = {}): ChartRenderer {
  const s = { ...DEFAULT_CHART_SIZE, ...size };
  const canvas = chartCanvas({ width: s.width, height: s.height, backgroundColour: '#ffffff' });
  const tileCache = new Map<number, Tile>();
  const tiles = (i: number): Tile => {
    let t = tileCache.get(i);
    if (!t) { t = patternTile(SERIES_COLOURS[i % SERIES_COLOURS.length]!, i); tileCache.set(i, t); }
    return t;
  };
  return {
    async render(spec: ChartSpec): Promise<Buffer> {
      try {
        // chartjs-node-canvas draws; the PNG is encoded here with a lighter zlib level, off the event loop:
        // level 3 costs a few percent in size and saves about half the encoding time of the default 6.
        const chart = (canvas as unknown as { renderChart(c: ChartConfiguration): { canvas: PngCanvas; destroy(): void } })
          .renderChart(chartConfig(spec, tiles, s.devicePixelRatio, fmt));
        try {
          return await new Promise<Buffer>((resolve, reject) => {
            chart.canvas.toBuffer((err, buf) => (err ? reject(err) : resolve(buf)), 'image/png', { compressionLevel: 3 });
          });
        } finally {
          chart.destroy();
        }
      } catch (e) {
        throw new AppError(`Chart "${spec.id}" could not be drawn: ${(e as Error).message}`, 'RENDER', { cause: e, details: { chart: spec.id } });
      }
    },
  };
}
