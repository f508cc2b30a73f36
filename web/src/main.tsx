/**
 * Entry point of the one web app: the admin console under /admin (admins only, guarded by the server) and the
 * customer's pages everywhere else. Each half is its own chunk, loaded by path, so a customer never downloads the
 * console (or its charts) and an admin never downloads the account pages.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

const ADMIN = /^\/admin(?:\/|$)/.test(window.location.pathname);
const Root = lazy(() =>
  ADMIN
    ? import('./app.js').then((m) => ({ default: m.App }))
    : import('./customer/customer-app.js').then((m) => ({ default: m.CustomerApp })),
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={null}>
      <Root />
    </Suspense>
  </StrictMode>,
);
