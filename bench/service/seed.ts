/**
 * The user directory both servers hold during the bench: the service's 30 sample users (ages
 * 21..60, service/users/sample.ts), created through user.UserService/Create on each server
 * before any load, so both get the same data by the same wire path. Also the queries the user
 * cases send, and the answers they must get (checked on both servers by sanity.ts).
 */
import { rpcClient } from "../../test/postgres/grpc-clients.js";
import { sampleUsers } from "../../service/users/sample.js";
import type { UserRecord } from "../../service/store/users-repo.js";
import { type WireUser, toWireUser as toWire } from "../../service/users/wire.js";

export const BENCH_USERS: readonly UserRecord[] = sampleUsers();

export const BENCH_QUERIES = {
  /** GetByEmail: one existing user. */
  email: "greta.silva.07@example.com",
  /** SearchName: four users ("Okafor"). */
  name: "okafor",
  /** SearchAge: seven users. */
  ageFrom: 30,
  ageTo: 39,
} as const;

const byEmail = (a: UserRecord, b: UserRecord): number =>
  a.email < b.email ? -1 : a.email > b.email ? 1 : 0;

/** What each user case must answer (spec section 3 orders), computed from BENCH_USERS. */
export function expectedUserAnswers(): Record<string, { users: WireUser[] }> {
  const sorted = [...BENCH_USERS].sort(byEmail);
  const { email, name, ageFrom, ageTo } = BENCH_QUERIES;
  const named = sorted.filter((u) =>
    [u.firstName, u.lastName].some((n) => n.toLowerCase().includes(name)),
  );
  const aged = sorted
    .filter((u) => u.age >= ageFrom && u.age <= ageTo)
    .sort((a, b) => a.age - b.age || byEmail(a, b));
  return {
    List: { users: sorted.map(toWire) },
    GetByEmail: { users: sorted.filter((u) => u.email === email).map(toWire) },
    SearchName: { users: named.map(toWire) },
    SearchAge: { users: aged.map(toWire) },
  };
}

/** Creates BENCH_USERS on the server at `grpcAddress`; throws unless every Create succeeds. */
export async function seedUsers(grpcAddress: string): Promise<void> {
  const client = rpcClient(grpcAddress, "user.proto");
  try {
    for (const u of BENCH_USERS) {
      const answer = await client.call<{ status: { code: string; msg: string } }>("Create", {
        user: toWire(u),
      });
      if (answer.status.code !== "SUCCESS") {
        throw new Error(`Create ${u.email}: ${answer.status.code} ${answer.status.msg}`);
      }
    }
  } finally {
    client.close();
  }
}
