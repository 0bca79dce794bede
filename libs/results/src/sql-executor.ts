/** A statement sent under a name: the server parses and plans it once per connection and then
 * only binds and executes it (pg's `QueryConfig` `name`). The name must always stand for the
 * same text. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/** The part of a PostgreSQL client a projection needs; keeps domain code free of `pg`. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(
    text: string | NamedStatement,
    params?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
