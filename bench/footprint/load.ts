/**
 * The footprint bench's load: `users` users created through user.UserService/Create, then
 * mixed traffic for a while from a few concurrent loops, the same for ours and the reference:
 * List (capped at 1,000 users), GetByEmail, SearchName (accented and plain needles),
 * SearchAge, /getCounter over HTTP, and a Create now and then (one call in ten).
 */
import { rpcClient } from "../../test/postgres/grpc-clients.js";

const FIRST = ["Maël", "Zoë", "Anders", "Chioma", "Søren", "Inès", "Hiro", "Greta", "José", "Ada"];
const LAST = ["Ångström", "Okafor", "Lefèvre", "Tanaka", "Novak", "Müller", "Silva", "Reyes"];
const NEEDLES = ["mael", "ZOE", "angstrom", "okafor", "lefe", "muller", "ines", "jose 12"];

export interface Target {
  grpcAddress: string;
  httpBase: string;
}

const wireUser = (n: number): object => ({
  id: `fp-${n}`,
  age: 18 + (n % 70),
  name: { first: `${FIRST[n % FIRST.length]} ${n}`, last: LAST[n % LAST.length] },
  email: `user${n}@footprint.example.com`,
  phone: "+1 555 0100",
  address: `${n} Footprint Street`,
});

interface Answer {
  status: { code: string; msg: string };
}

/**
 * Creates users 0..count-1 (`user(n)`, the footprint's shape unless given) with `concurrency`
 * calls in flight; throws on any failure.
 */
export async function createUsers(
  target: Target,
  count: number,
  user: (n: number) => object = wireUser,
  concurrency = 8,
): Promise<void> {
  const client = rpcClient(target.grpcAddress, "user.proto");
  try {
    let next = 0;
    const loop = async (): Promise<void> => {
      for (let n = next++; n < count; n = next++) {
        const answer = await client.call<Answer>("Create", { user: user(n) });
        if (answer.status.code !== "SUCCESS") {
          throw new Error(`Create user ${n}: ${answer.status.code} ${answer.status.msg}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
  } finally {
    client.close();
  }
}

/** Mixed traffic for `seconds`; returns how many calls were answered. Throws on an error. */
export async function mixedLoad(
  target: Target,
  users: number,
  seconds: number,
  concurrency = 8,
): Promise<number> {
  const client = rpcClient(target.grpcAddress, "user.proto");
  const deadline = Date.now() + seconds * 1000;
  let calls = 0;
  let created = users;
  const one = async (i: number): Promise<void> => {
    const n = (i * 7919) % users;
    switch (i % 10) {
      case 0:
        await client.call("List");
        break;
      case 1:
      case 2:
        await client.call("GetByEmail", { email: `user${n}@footprint.example.com` });
        break;
      case 3:
      case 4:
        await client.call("SearchName", { query: NEEDLES[i % NEEDLES.length] });
        break;
      case 5:
      case 6: {
        const from = 18 + (n % 60);
        await client.call("SearchAge", { ageRange: { from, to_included: from + 2 } });
        break;
      }
      case 7:
      case 8: {
        const answer = await fetch(`${target.httpBase}/getCounter`);
        if (!answer.ok) throw new Error(`/getCounter answered ${answer.status}`);
        await answer.text();
        break;
      }
      default: {
        const answer = await client.call<Answer>("Create", { user: wireUser(created++) });
        if (answer.status.code !== "SUCCESS") throw new Error(`Create: ${answer.status.msg}`);
      }
    }
    calls++;
  };
  try {
    let i = 0;
    const loop = async (): Promise<void> => {
      while (Date.now() < deadline) await one(i++);
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return calls;
  } finally {
    client.close();
  }
}
