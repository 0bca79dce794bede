import { createServer } from 'node:http';

/** Where the metrics text comes from: one process's registry, or the cluster primary's
 * aggregate of its workers' registries (prom-client `Registry` / `AggregatorRegistry`). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface RunningMetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** What `/health` answers: `ready` false is a 503 (a load balancer or orchestrator waits). */
export interface HealthReport {
  readonly ready: boolean;
  readonly status: string;
  readonly [detail: string]: unknown;
}

/**
 * The operator's port, apart from the senders' ones: `GET /metrics` (Prometheus text) and
 * `GET /health` (200 `{"status":"ok"}` while the process serves, or what `health` reports: a
 * 503 while not ready, e.g. `{"status":"starting"}`). Anything else is 404; a failing
 * collection is a 500 with its message, never a crash.
 */
export async function startMetricsServer(
  source: MetricsSource,
  port: number,
  host: string,
  health: () => HealthReport = () => ({ ready: true, status: 'ok' }),
): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
    } else if (path === '/health') {
      const { ready, ...report } = health();
      res
        .writeHead(ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(report)}\n`);
    } else if (path === '/metrics') {
      source.metrics().then(
        (text) => res.writeHead(200, { 'content-type': source.contentType }).end(text),
        (e: unknown) =>
          res
            .writeHead(500, { 'content-type': 'text/plain' })
            .end(`metrics unavailable: ${(e as Error).message}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics or /health\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
