/** The part of a PostgreSQL client a projection needs; keeps domain code free of `pg`. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
