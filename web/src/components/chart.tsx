/**
 * Charts on uPlot (canvas, ~22 kB gz), loaded lazily with the pages that draw them (lazy-chart.tsx). One chart is
 * always one currency: amounts of two currencies never share an axis, let alone a sum.
 *
 * - `kind: 'line'`: each series a line.
 * - `kind: 'stacked'`: positive series stacked upwards from 0 and negative ones downwards; uPlot draws the running
 *   totals as bars (outermost first), the legend and `onPick` use the series' own values.
 * `onPick(index, series)` is called with the x index and the series under a click (stacked bars) or the first series.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  values: Array<number | null>;
  /** Stacked charts: drawn below 0 (pass the values negated). */
  down?: boolean;
}

export interface ChartProps {
  labels: string[];
  series: ChartSeries[];
  kind: 'line' | 'stacked';
  format: (v: number) => string;
  height?: number;
  onPick?: (index: number, key: string) => void;
  title?: string;
}

/** For stacked bars: the running totals to draw (outermost first) and which series each drawn band is. */
function stack(series: ChartSeries[], n: number) {
  const up = series.filter((s) => !s.down);
  const down = series.filter((s) => s.down);
  const bands: Array<{ s: ChartSeries; drawn: number[] }> = [];
  for (const group of [up, down]) {
    const totals: number[][] = [];
    let run = new Array<number>(n).fill(0);
    for (const s of group) {
      run = run.map((r, i) => r + (s.values[i] ?? 0));
      totals.push(run);
    }
    // Outermost (largest running total) first, so the inner bars paint over it.
    group.forEach((s, i) => bands.push({ s, drawn: totals[i]! }));
  }
  const order = [...bands].sort((a, b) => {
    const ga = up.includes(a.s) ? 0 : 1;
    const gb = up.includes(b.s) ? 0 : 1;
    if (ga !== gb) return ga - gb;
    return series.indexOf(b.s) - series.indexOf(a.s);
  });
  return order;
}

export default function Chart({ labels, series, kind, format, height = 240, onPick, title }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const n = labels.length;
    const xs = labels.map((_, i) => i);
    const drawn =
      kind === 'stacked'
        ? stack(series, n)
        : series.map((s) => ({ s, drawn: s.values as Array<number | null> }));
    const bars = uPlot.paths.bars!({ size: [0.6, 48], align: 0 });
    const opts: uPlot.Options = {
      width: Math.max(160, el.clientWidth),
      height,
      title,
      scales: { x: { time: false, range: [-0.5, n - 0.5] } },
      axes: [
        {
          values: (_u, ticks) => ticks.map((t) => labels[t] ?? ''),
          // Every month when they fit (~72 px a label), else every 2nd, 3rd…, counted back from the last.
          splits: (u) => {
            const fit = Math.max(1, Math.floor(u.bbox.width / uPlot.pxRatio / 72));
            const step = Math.ceil(n / fit);
            return xs.filter((i) => (n - 1 - i) % step === 0);
          },
          grid: { show: false },
        },
        { values: (_u, ticks) => ticks.map(format), size: 90 },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false }, points: { show: kind === 'line' } },
      series: [
        { label: 'Month', value: (_u, v) => (v === null ? '' : (labels[v] ?? '')) },
        ...drawn.map(({ s }) => ({
          label: s.label,
          stroke: s.color,
          fill: kind === 'stacked' ? s.color : undefined,
          width: kind === 'line' ? 2 : 0,
          paths: kind === 'stacked' ? bars : undefined,
          points: { show: kind === 'line' && n < 2 },
          value: (_u: uPlot, _v: number | null, _si: number, i: number | null) =>
            i === null || s.values[i] === null || s.values[i] === undefined ? '–' : format(s.values[i]),
        })),
      ],
    };
    const u = new uPlot(opts, [xs, ...drawn.map((d) => d.drawn)] as uPlot.AlignedData, el);
    const click = () => {
      const i = u.cursor.idx;
      if (i === null || i === undefined || !pick.current) return;
      let key = series[0]?.key;
      if (kind === 'stacked') {
        const v = u.posToVal(u.cursor.top ?? 0, 'y');
        // The innermost band whose bar reaches the clicked value, on the clicked side of 0.
        const hit = [...drawn]
          .reverse()
          .find(({ drawn: d }) =>
            v >= 0 ? (d[i] ?? 0) > 0 && v <= (d[i] ?? 0) : (d[i] ?? 0) < 0 && v >= (d[i] ?? 0),
          );
        if (!hit) return;
        key = hit.s.key;
      }
      if (key) pick.current(i, key);
    };
    u.over.addEventListener('click', click);
    u.over.style.cursor = pick.current ? 'pointer' : '';
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(160, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [labels, series, kind, format, height, title]);

  return <div className="chart" ref={box} />;
}
