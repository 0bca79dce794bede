/** The part of a PostgreSQL client a projection needs; keeps the domain free of `pg`. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A recorded event as projections read it. */
export interface ProjectedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly stream: string;
}
