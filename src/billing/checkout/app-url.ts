import type { Config } from '../../config.js';

/** The public base URL of the app (APP_URL), for the return URLs Stripe's hosted pages send people back to. */
export function appUrl(config: Pick<Config, 'appUrl' | 'host' | 'port'>): string {
  return (config.appUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
}
