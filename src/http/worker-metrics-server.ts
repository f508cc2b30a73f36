/**
 * A worker process (`sertantai serve --role worker`) serves no API, but an operator still scrapes what only it knows
 * — the dispatcher's end-to-end lag and apply time, its Stripe calls, the jobs' process figures — and a supervisor
 * asks whether it lives. With METRICS_PORT set it answers exactly three paths, as the web processes do:
 * `/metrics` (Prometheus text from the process's registry), `/healthz` (the process answers) and `/readyz` (the
 * database answers, else 503). Anything else is 404. Plain node:http: no routes, cookies or auth to carry here.
 */
import http from 'node:http';
import type pg from 'pg';
import type { Registry } from 'prom-client';

export interface WorkerMetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startWorkerMetricsServer(opts: {
  registry: Registry;
  pool: pg.Pool;
  host: string;
  port: number;
}): Promise<WorkerMetricsServer> {
  const json = (res: http.ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { error: { code: 'method_not_allowed' } });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      opts.pool.query('SELECT 1').then(
        () => json(res, 200, { status: 'ok' }),
        () => json(res, 503, { error: { code: 'unavailable', message: 'The database is not reachable' } }),
      );
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        () => json(res, 500, { error: { code: 'metrics_failed' } }),
      );
      return;
    }
    json(res, 404, { error: { code: 'not_found' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
