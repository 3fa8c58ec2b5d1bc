/**
 * Sample users loaded at start when SAMPLE_USERS=true, like the old server did (30 users,
 * ages 21..60). Ours are generated, deterministic (same users on every start and replica,
 * so re-loading is a no-op), and use the reserved example.com domain.
 */
import type { UserRecord } from "../store/users-repo.js";
import { seededRandom } from "../seeded-random.js";

const FIRST = [
  "Ada",
  "Bruno",
  "Chioma",
  "Dmitri",
  "Elif",
  "Farid",
  "Greta",
  "Hiro",
  "Ines",
  "Jonas",
];
const LAST = [
  "Okafor",
  "Lindqvist",
  "Tanaka",
  "Moreau",
  "Kowalski",
  "Haddad",
  "Silva",
  "Novak",
  "Reyes",
];
const STREETS = ["Maple Street", "Harbour Road", "Station Lane", "Mill Way", "Orchard Close"];

export const SAMPLE_USER_COUNT = 30;

/** `count` users; ages spread evenly over 21..60, both ends included. */
export function sampleUsers(count = SAMPLE_USER_COUNT): UserRecord[] {
  const random = seededRandom(20_240_601);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const firstName = FIRST[i % FIRST.length]!;
    const lastName = LAST[(i * 7) % LAST.length]!;
    const number = String(i + 1).padStart(2, "0");
    return {
      id: `sample-${number}`,
      email: `${firstName}.${lastName}.${number}@example.com`.toLowerCase(),
      firstName,
      lastName,
      age: count === 1 ? 21 : 21 + Math.round((i * 39) / (count - 1)),
      phone: `+1-555-01${number}`,
      address: `${1 + Math.floor(random() * 200)} ${pick(STREETS)}, Springfield`,
    };
  });
}
