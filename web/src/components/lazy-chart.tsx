/** The chart, loaded on first use (uPlot stays out of the console's first script). */
import { lazy, Suspense } from 'react';
import type { ChartProps } from './chart.js';
import { Loading } from './states.js';

const Chart = lazy(() => import('./chart.js'));

export type { ChartProps, ChartSeries } from './chart.js';

export function LazyChart(props: ChartProps) {
  return (
    <Suspense fallback={<Loading label="Loading chart…" />}>
      <Chart {...props} />
    </Suspense>
  );
}
