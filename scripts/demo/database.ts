// The external database of the example tenants that ask for one (globex): a throw-away
// PostgreSQL (Debian's, as the storage tests use) that the tenant's pods on the real node reach.
// It listens on loopback and on the node's address (pods reach the host there, through the CNI
// bridge); pg_hba lets in only the pod subnet, with a password, so nothing else gets in. Each
// tenant gets a role and a database of its own, and its Secret's `uri` points there.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { POD_SUBNET } from "../../test/cluster/node-config.js";
import { startPostgres, type PostgresServer } from "../../test/postgres/server.js";
import type { DemoTenant } from "./tenants.js";

export const isExternal = (t: DemoTenant): boolean => t.manifest.spec.database?.mode === "external";

/** Pure: the role and database name of a tenant (`demo_<name>`, SQL-safe). */
export const dbName = (t: DemoTenant): string => `demo_${t.name.replace(/[^a-z0-9]/g, "_")}`;

export interface TenantDatabase {
  tenant: DemoTenant;
  /** What the tenant's Secret holds: postgres://<role>:<password>@<node ip>:<port>/<db>. */
  uri: string;
  /** The same without the password, for people. */
  shown: string;
}

export interface DemoDatabase {
  server: PostgresServer;
  databases: TenantDatabase[];
}

/**
 * Starts the server and creates each external tenant's role and database; undefined when no
 * tenant asks for an external database. `nodeIp` is the real node's InternalIP.
 */
export async function startDatabase(
  tenants: DemoTenant[],
  nodeIp: string,
): Promise<DemoDatabase | undefined> {
  const external = tenants.filter(isExternal);
  if (external.length === 0) return undefined;
  const server = await startPostgres({
    listen: [nodeIp],
    hba: [`host all all ${POD_SUBNET} scram-sha-256`],
  });
  const databases: TenantDatabase[] = [];
  try {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      for (const t of external) {
        const name = dbName(t);
        const password = randomBytes(12).toString("hex");
        await client.query(`CREATE ROLE "${name}" LOGIN PASSWORD '${password}'`);
        await client.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
        const at = `${nodeIp}:${server.port}/${name}`;
        databases.push({
          tenant: t,
          uri: `postgres://${name}:${password}@${at}`,
          shown: `postgres://${name}:***@${at}`,
        });
      }
    } finally {
      await client.end();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { server, databases };
}

/** Points each tenant's database Secret (key `uri`) at its database on the demo's server. */
export function useDatabases(db: DemoDatabase | undefined): void {
  for (const d of db?.databases ?? []) {
    const ref = d.tenant.manifest.spec.database?.secretRef;
    for (const s of d.tenant.secrets as {
      metadata: { name: string };
      stringData?: Record<string, string>;
    }[]) {
      if (s.metadata.name !== ref?.name) continue;
      s.stringData = { ...s.stringData, [ref.key ?? "uri"]: d.uri };
    }
  }
}
