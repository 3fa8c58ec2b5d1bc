/**
 * The seam between the PostgreSQL repositories' SQL and the driver (node-postgres).
 */

/** A row as the driver returns it: column name to value. */
export type Row = Record<string, unknown>;

/** Runs parameterised SQL ($1, $2, ...). Values of type int8 must be cast to text in SQL. */
export interface SqlClient {
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A database the store owns: queries, transactions, and an orderly close. */
export interface SqlDatabase extends SqlClient {
  /** Which backend this is, for logs and metrics. */
  readonly backend: "postgres";
  /**
   * Runs `fn` inside BEGIN/COMMIT on one connection; ROLLBACK when `fn` throws (the error
   * is re-thrown). Queries issued on the outer client meanwhile may run on other connections.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

/** The SQLSTATE of an error thrown by either driver, if it has one. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = error.code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** The constraint an integrity error names (both drivers expose it), if any. */
export function violatedConstraint(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "constraint" in error) {
    const name = error.constraint;
    return typeof name === "string" ? name : undefined;
  }
  return undefined;
}

/** SQLSTATE 23505: a unique index refused the row. */
export const UNIQUE_VIOLATION = "23505";
