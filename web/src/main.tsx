/**
 * Entry point of the one web app: the admin console under /admin (admins only, guarded by the server) and the
 * customer's pages everywhere else. Each half is its own chunk, loaded by path, so a customer never downloads the
 * console (or its charts) and an admin never downloads the account pages.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

const ADMIN = /^\/admin(?:\/|$)/.test(window.location.pathname);
// Two separate import() calls: the build preloads each one's own dependencies only (one call with both paths
// made every page preload both halves).
const Console = lazy(() => import('./app.js').then((m) => ({ default: m.App })));
const Customer = lazy(() => import('./customer/customer-app.js').then((m) => ({ default: m.CustomerApp })));
const Root = ADMIN ? Console : Customer;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense
      fallback={
        <p className="state loading" role="status" aria-live="polite">
          Loading…
        </p>
      }
    >
      <Root />
    </Suspense>
  </StrictMode>,
);
