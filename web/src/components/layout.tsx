/**
 * The console's frame: a sidebar of every section (a top bar with a menu button below 760 px) and the page.
 * Sections not built yet stay in the navigation, marked, and open a "not built yet" page.
 */
import { useState, type ReactNode } from 'react';
import { Link, useLocation } from '../lib/router.js';
import { SECTIONS } from '../sections.js';
import { useLiveStatus } from '../lib/live.js';

const LIVE_LABEL = {
  live: 'Live',
  connecting: 'Connecting…',
  offline: 'Offline: reload for new data',
} as const;

export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const live = useLiveStatus();
  const current = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand" onClick={() => setOpen(false)}>
          Sertantai <span>Billing</span>
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
      </header>
      <nav id="main-nav" className={open ? 'sidebar open' : 'sidebar'} aria-label="Sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <Link
                to={s.path}
                aria-current={current(s.path) ? 'page' : undefined}
                onClick={() => setOpen(false)}
              >
                {s.label}
                {s.built ? null : <small>soon</small>}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <span
            className={`live-status live-${live}`}
            role="status"
            title="Pages update by themselves while live"
          >
            {LIVE_LABEL[live]}
          </span>
          <a href="/docs">API reference</a>
          <a href="/">Your account</a>
        </div>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
