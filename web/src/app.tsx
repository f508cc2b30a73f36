/** The console's pages by path; sections not built yet open their "not built yet" page. */
import { lazy, Suspense } from 'react';
import { Layout } from './components/layout.js';
import { Loading } from './components/states.js';
import { useLocation } from './lib/router.js';
import { Audit } from './pages/audit.js';
import { Customers } from './pages/customers.js';
import { Dashboard } from './pages/dashboard.js';
import { Dunning } from './pages/dunning.js';
import { Errors } from './pages/errors.js';
import { Events } from './pages/events.js';
import { NotBuilt, NotFound } from './pages/not-built.js';
import { Payments } from './pages/payments.js';
import { Plans } from './pages/plans.js';
import { Roles } from './pages/roles.js';
import { Settings } from './pages/settings.js';
import { Subscriptions } from './pages/subscriptions.js';
import { SECTIONS } from './sections.js';

const PAGES: Record<string, () => React.JSX.Element> = {
  '/': Dashboard,
  '/customers': Customers,
  '/subscriptions': Subscriptions,
  '/plans': Plans,
  '/payments': Payments,
  '/errors': Errors,
  '/events': Events,
  '/roles': Roles,
  '/dunning': Dunning,
  '/settings': Settings,
  '/audit': Audit,
};

// The Reports section and its chart library load on first visit (the dashboard's chart loads uPlot alone).
const REPORT_PATHS = [
  '/reports',
  ...['mrr', 'churn', 'ltv', 'revenue', 'recovery', 'signups', 'cohorts'].map((r) => `/reports/${r}`),
  '/reports/mrr/rows',
  '/reports/churn/rows',
];
const Reports = lazy(() =>
  import('./pages/reports/index.js').then((m) => ({
    default: function ReportPage({ path }: { path: string }) {
      const Page = m.REPORT_PAGES[path]!;
      return <Page />;
    },
  })),
);

// Detail pages (`/customers/<id>`, `/subscriptions/<id>`) load on first visit.
const CustomerDetail = lazy(() =>
  import('./pages/customer-detail.js').then((m) => ({ default: m.CustomerDetail })),
);
const SubscriptionDetail = lazy(() =>
  import('./pages/subscription-detail.js').then((m) => ({ default: m.SubscriptionDetail })),
);
const DETAILS: Array<[RegExp, React.ComponentType<{ id: string }>]> = [
  [/^\/customers\/([^/]+)$/, CustomerDetail],
  [/^\/subscriptions\/([^/]+)$/, SubscriptionDetail],
];

export function App() {
  const { path } = useLocation();
  for (const [pattern, Detail] of DETAILS) {
    const id = pattern.exec(path)?.[1];
    if (id) {
      return (
        <Layout>
          <Suspense fallback={<Loading />}>
            <Detail key={id} id={decodeURIComponent(id)} />
          </Suspense>
        </Layout>
      );
    }
  }
  if (REPORT_PATHS.includes(path)) {
    return (
      <Layout>
        <Suspense fallback={<Loading />}>
          <Reports path={path} />
        </Suspense>
      </Layout>
    );
  }
  const Page = PAGES[path];
  const section = SECTIONS.find((s) => s.path === path);
  return (
    <Layout>{Page ? <Page /> : section ? <NotBuilt section={section} /> : <NotFound path={path} />}</Layout>
  );
}
