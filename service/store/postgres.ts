/**
 * The shared backend: a PostgreSQL server named by DATABASE_URL, through a pg pool. Any
 * number of replicas (and tenants) may share it; every statement has a server-side timeout.
 */
import pg from "pg";
import type { Row, SqlClient, SqlDatabase } from "./sql.js";

export interface PostgresOptions {
  connectionString: string;
  /** Pool size per process. Default 10. */
  maxConnections?: number;
  /** Server-side statement_timeout in ms. Default 5000. */
  statementTimeoutMs?: number;
  /** How long start-up keeps retrying an unreachable server. Default 30 s. */
  connectRetryMs?: number;
  /** Told about errors of idle pooled connections (the pool replaces them). */
  onIdleError?: (error: Error) => void;
}

/** Opens a pool and checks the server answers, retrying (bounded) while it is starting. */
export async function openPostgres(options: PostgresOptions): Promise<SqlDatabase> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: "tenant-service",
  });
  // Without a listener an idle connection's error (server restart) would crash the process.
  pool.on("error", (error) => options.onIdleError?.(error));
  try {
    await waitUntilReachable(pool, options.connectRetryMs ?? 30_000);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresDatabase(pool);
}

async function waitUntilReachable(pool: pg.Pool, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await pool.query("SELECT 1");
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) {
        throw new Error(`PostgreSQL (DATABASE_URL) is not reachable: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await new Promise((done) => setTimeout(done, delay));
    }
  }
}

class PostgresDatabase implements SqlDatabase {
  readonly backend = "postgres";
  private closing: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  async query<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, params)).rows;
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await fn({
        query: async <R extends Row = Row>(text: string, params: unknown[] = []) =>
          (await client.query<R>(text, params)).rows,
      });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken); // a connection that cannot even roll back is discarded
    }
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}
