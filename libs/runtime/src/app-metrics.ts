import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A value of an app's own state, read when Prometheus scrapes (nothing on the app's hot path). */
export interface MetricReading {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** The value now; undefined while there is none yet (a gauge is then left out). */
  read(): number | undefined;
}

/** A gauge of when an event was recorded in the log (Unix seconds), from its ISO 8601 time:
 * `time() - <gauge>` is how far behind the log a follower is while events flow. */
export function recordedTimeReading(
  name: string,
  help: string,
  recordedAt: () => string | undefined,
): MetricReading {
  return {
    name,
    help,
    type: 'gauge',
    read: () => {
      const at = recordedAt();
      return at ? Date.parse(at) / 1000 : undefined;
    },
  };
}

/**
 * One app's registry: Node's own metrics (`yilian_<app>_process_*`, `…_nodejs_*`: CPU, memory,
 * event-loop lag, GC) when `processMetrics`, and readings of the app's state.
 */
export function appMetricsRegistry(
  app: string,
  readings: readonly MetricReading[],
  options: { readonly processMetrics?: boolean } = {},
): Registry {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: `yilian_${app}_` });
  for (const r of readings) {
    const config = { name: r.name, help: r.help, registers: [registry] };
    if (r.type === 'counter') {
      new Counter({
        ...config,
        collect() {
          this.reset();
          this.inc(r.read() ?? 0);
        },
      });
    } else {
      new Gauge({
        ...config,
        collect() {
          const value = r.read();
          if (value === undefined) this.reset();
          else this.set(value);
        },
      });
    }
  }
  return registry;
}

const SECONDS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * HTTP requests by method, route pattern and status (`<prefix>_http_requests_total`) and their
 * duration (`<prefix>_http_request_seconds`), as an Express middleware registered before the
 * routes. The route label is the matched pattern (`/fhir/:type`; `unmatched` when no route
 * answered), never the path: paths carry ids.
 */
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly seconds: Histogram<'method' | 'route'>;

  constructor(registry: Registry, prefix: string) {
    this.requests = new Counter({
      name: `${prefix}_http_requests_total`,
      help: 'HTTP requests answered, by method, route pattern (unmatched: no route) and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: `${prefix}_http_request_seconds`,
      help: 'HTTP request duration, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: SECONDS,
      registers: [registry],
    });
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const path = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      this.requests.inc({ method, route, status: String(res.statusCode) });
      this.seconds.observe({ method, route }, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}

/** Latency buckets (seconds) shared by the apps' histograms. */
export const LATENCY_BUCKETS: readonly number[] = SECONDS;
