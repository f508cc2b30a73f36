/** The console's sections, in navigation order; `built: false` ones show the "not built yet" page (issue 15). */
export interface Section {
  path: string;
  label: string;
  built: boolean;
  /** What the section will hold, shown on its "not built yet" page. */
  plan?: string;
}

export const SECTIONS: readonly Section[] = [
  { path: '/', label: 'Dashboard', built: true },
  { path: '/customers', label: 'Customers', built: true },
  { path: '/subscriptions', label: 'Subscriptions', built: true },
  { path: '/plans', label: 'Plans', built: true },
  { path: '/payments', label: 'Payments', built: true },
  { path: '/roles', label: 'Roles', built: true },
  { path: '/dunning', label: 'Dunning', built: true },
  { path: '/errors', label: 'Errors', built: true },
  { path: '/events', label: 'Events', built: true },
  { path: '/audit', label: 'Audit', built: true },
  { path: '/reports', label: 'Reports', built: true },
  { path: '/settings', label: 'Settings', built: true },
];
