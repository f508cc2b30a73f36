/** The Reports section's pages, one lazily loaded chunk with the chart (uPlot). */
import { ChurnReport } from './churn-report.js';
import { MrrReport } from './mrr-report.js';
import { ReportRows } from './report-rows.js';
import { ReportsIndex } from './reports-index.js';
import { TableReport, TABLE_REPORTS } from './table-report.js';

export const REPORT_PAGES: Record<string, () => React.JSX.Element> = {
  '/reports': ReportsIndex,
  '/reports/mrr': MrrReport,
  '/reports/churn': ChurnReport,
  '/reports/mrr/rows': () => <ReportRows report="mrr" />,
  '/reports/churn/rows': () => <ReportRows report="churn" />,
  ...Object.fromEntries(
    Object.keys(TABLE_REPORTS).map((name) => [`/reports/${name}`, () => <TableReport name={name} />]),
  ),
};
