import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { InstitutionDirectory } from '@yilian/config';
import { MllpServer, type MllpServerEvent } from '@yilian/hl7v2';
import { INSTITUTIONS, LOGGER, type Logger } from '@yilian/runtime';
import { INTAKE_METRICS, type IntakeMetrics } from '../metrics/intake-metrics';
import { Hl7MessageHandler } from './hl7-message.handler';

export const MLLP_OPTIONS = Symbol('MLLP_OPTIONS');

export interface MllpOptions {
  readonly host: string;
  readonly maxFrameBytes?: number;
  readonly idleTimeoutMs?: number;
  /** Listen on port 0 instead of each institution's port (tests); `ports` tells the real ones. */
  readonly ephemeralPorts?: boolean;
}

/** One MLLP listener per institution: the port a sender connects to is its credential. */
@Injectable()
export class MllpIntakeService implements OnModuleInit, OnApplicationShutdown {
  private readonly servers: MllpServer[] = [];
  /** Institution code → the port it listens on. */
  readonly ports = new Map<string, number>();
  private readonly institutionByBoundPort = new Map<number, number>();

  constructor(
    private readonly handler: Hl7MessageHandler,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
    @Inject(MLLP_OPTIONS) private readonly options: MllpOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INTAKE_METRICS) private readonly metrics: IntakeMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const institution of this.institutions.institutions) {
      if (institution.mllpPort === undefined) continue;
      const configured = institution.mllpPort;
      const server = new MllpServer({
        onMessage: async (text, connection) => {
          const start = process.hrtime.bigint();
          const acks = await this.handler.handle(
            text,
            this.institutionByBoundPort.get(connection.localPort) ?? connection.localPort,
          );
          const seconds = Number(process.hrtime.bigint() - start) / 1e9;
          this.metrics.hl7Answered(institution.code, text, acks, seconds);
          return acks;
        },
        ...(this.options.maxFrameBytes ? { maxFrameBytes: this.options.maxFrameBytes } : {}),
        ...(this.options.idleTimeoutMs ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
        onEvent: (event) => this.log(institution.code, event),
      });
      const bound = await server.listen(this.options.ephemeralPorts ? 0 : configured, this.options.host);
      this.institutionByBoundPort.set(bound, configured);
      this.ports.set(institution.code, bound);
      this.servers.push(server);
    }
  }

  private log(institution: string, event: MllpServerEvent): void {
    this.metrics.mllpEvent(institution, event);
    if (event.type === 'handler-failed' || event.type === 'connection-error') {
      this.logger.warn(
        { institution, event: event.type, err: String((event.error as Error)?.message ?? event.error) },
        'mllp',
      );
    } else if (
      event.type === 'frame-rejected' ||
      (event.type === 'connection-closed' && event.reason !== 'client')
    ) {
      this.logger.info({ institution, event: event.type, reason: event.reason }, 'mllp');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
