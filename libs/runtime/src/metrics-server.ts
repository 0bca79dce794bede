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

/**
 * The operator's port, apart from the senders' ones: `GET /metrics` (Prometheus text) and
 * `GET /health` (200 while the process serves). Anything else is 404; a failing collection is
 * a 500 with its message, never a crash.
 */
export async function startMetricsServer(
  source: MetricsSource,
  port: number,
  host: string,
): Promise<RunningMetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
    } else if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
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
